"""A scripted applicant on WhatsApp: reads what the bot asked last and answers it.

Questions are recognized by the flow's own catalog texts (the part before the first
placeholder), and choices are answered with the number the bot printed next to the wanted
label, so neither texts nor numbering are hard-coded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.i18n import Translator

from .conftest import WhatsAppUser, document_jpeg, numbered_options

FACE_PHOTO = "tests/data/astronaut.jpg"

# The questions the applicant answers, as the flow's message ids.
QUESTIONS = (
    "ask.language.both",
    "ask.is_student",
    "ask.pin",
    "ask.personal_confirm",
    "ask.gender",
    "ask.birth_date",
    "ask.passport",
    "ask.city",
    "ask.village",
    "ask.street",
    "ask.extra_phone",
    "ask.subjects",
    "ask.test_language",
    "ask.passport_front",
    "ask.passport_back",
    "ask.certificate",
    "ask.has_benefits",
    "ask.face_photo",
    "complete.hint",
    "submit.done",
    "payment.ask_type",
    "payment.ask_amount",
    "payment.ask_receipt",
    "payment.added",
)


@dataclass
class ScriptedApplicant:
    user: WhatsAppUser
    texts: Translator
    lang: str
    subjects: tuple[str, ...]  # labels as the bot shows them
    test_language: str
    receipt: str = "KB-20260312-001"
    transcript: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def t(self, message_id: str) -> str:
        return self.texts.gettext(self.lang, message_id)

    def last_question(self, text: str) -> str | None:
        """Return the message id of the question asked last in `text`."""
        best, position = None, -1
        for message_id in QUESTIONS:
            lang = "ky" if message_id == "ask.language.both" else self.lang
            prefix = self.texts.gettext(lang, message_id).split("{", 1)[0].strip()
            found = text.rfind(prefix)
            if found > position:
                best, position = message_id, found
        return best

    async def say(self, body: str) -> str:
        text = await self.user.send(body)
        self.transcript += [f"> {body}", text]
        return text

    async def photo(self, data: bytes) -> str:
        text = await self.user.send_media(data, "image/jpeg")
        self.transcript += ["> [photo]", text]
        return text

    async def choose(self, text: str, label: str) -> str:
        options = numbered_options(text.rsplit(self._question_text(text), 1)[-1])
        assert label in options, f"{label!r} not offered in:\n{text}"
        return await self.say(options[label])

    def _question_text(self, text: str) -> str:
        message_id = self.last_question(text) or ""
        return self.texts.gettext(self.lang, message_id).split("{", 1)[0].strip()

    async def register(self, first_message: str) -> str:
        """Answer every question from `first_message` until the payment is added."""
        text = await self.say(first_message)
        for _ in range(60):
            question = self.last_question(text)
            assert question is not None, f"no known question in:\n{text}"
            self.asked.append(question)
            if question == "payment.added":
                return text
            text = await self.answer(question, text)
        raise AssertionError("the registration did not end:\n" + "\n".join(self.transcript))

    async def answer(self, question: str, text: str) -> str:
        match question:
            case "ask.language.both":
                language_name = self.texts.gettext(self.lang, "language.name")
                options = numbered_options(text)
                return await self.say(options[language_name])
            case "ask.is_student" | "ask.has_benefits":
                return await self.choose(text, self.t("option.no"))
            case "ask.pin":
                return await self.say("2 0509 2007 00123")
            case "ask.personal_confirm":
                return await self.choose(text, self.t("option.yes"))
            case "ask.gender":
                return await self.choose(text, self.t("gender.male"))
            case "ask.birth_date":
                return await self.say("05.09.2007")
            case "ask.passport":
                return await self.say("ID1234567")
            case "ask.city":
                return await self.say("Сокулук району")
            case "ask.village":
                return await self.say("Сокулук")
            case "ask.street":
                return await self.say("Фрунзе көчөсү, 12")
            case "ask.extra_phone":
                return await self.choose(text, self.t("option.skip"))
            case "ask.subjects":
                options = numbered_options(text)
                chosen = ", ".join(options[label] for label in self.subjects)
                text = await self.say(chosen)
                for label in self.subjects:
                    assert f"✅ {label}" in text, text
                return await self.say("0")
            case "ask.test_language":
                return await self.choose(text, self.test_language)
            case "ask.passport_front":
                return await self.photo(document_jpeg((30, 80, 150)))
            case "ask.passport_back":
                return await self.photo(document_jpeg((150, 60, 40)))
            case "ask.certificate":
                return await self.photo(document_jpeg((20, 130, 60)))
            case "ask.face_photo":
                with open(FACE_PHOTO, "rb") as handle:  # noqa: ASYNC230 - a small test file
                    return await self.photo(handle.read())
            case "complete.hint":
                return await self.choose(text, self.t("option.submit"))
            case "submit.done":
                return await self.choose(text, self.t("option.pay"))
            case "payment.ask_type" | "payment.ask_amount":
                # The one payment type, then the fee offered as an answer: what is not "cancel".
                options = numbered_options(text.rsplit(self._question_text(text), 1)[-1])
                [pick] = [n for label, n in options.items() if label != self.t("option.cancel")]
                return await self.say(pick)
            case "payment.ask_receipt":
                return await self.say(self.receipt)
        raise AssertionError(f"unexpected question {question}")
