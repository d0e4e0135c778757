"""A scripted applicant on WhatsApp: reads what the bot asked last and answers it.

Questions are recognized by the flow's own catalog texts (their longest part without a
placeholder), and choices are answered with the number the bot printed next to the wanted
label, so neither texts nor numbering are hard-coded here. The form's questions are answered
from the table of sample answers (`tests/form_samples.py`), so the path through the form is not
written here either; what comes after the form (submitting, paying) is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config.campaign import Campaign
from core.i18n import Translator
from flows.form import FORM, Field
from tests.form_samples import (
    BENEFIT_DONE,
    Sample,
    Samples,
    choose,
    option_label,
    prompt_marker,
    text,
    toggle,
)

from .conftest import WhatsAppUser, document_jpeg, numbered_options

FACE_PHOTO = "tests/data/astronaut.jpg"
LANGUAGE_QUESTION = "ask.language.both"
# The questions after the form, as the flow's message ids.
AFTER_FORM = (
    "complete.hint",
    "submit.done",
    "payment.ask_type",
    "payment.ask_amount",
    "payment.ask_receipt",
    "payment.added",
)
# The questions the applicant answers: the language, the form's, then the payment's.
QUESTIONS = (LANGUAGE_QUESTION, *(f.prompt for f in FORM), *AFTER_FORM)
FORM_QUESTION: dict[str, Field] = {f.prompt: f for f in FORM}
# How this applicant types: the PIN in groups, a passport of the ID series.
SAMPLES = Samples().with_(
    pin=text("2 0509 2007 00123", stored="20509200700123"),  # a man born 5 September 2007
    passport=text("ID1234567"),
    city=text("Сокулук району"),
    village=text("Сокулук"),
    street=text("Фрунзе көчөсү, 12"),
)


def document_colour(name: str) -> tuple[int, int, int]:
    """A colour of its own for each document's photo: no two photos are the same file."""
    n = [f.name for f in FORM].index(name) + 1
    return (37 * n % 200 + 20, 91 * n % 200 + 20, 53 * n % 200 + 20)


@dataclass
class ScriptedApplicant:
    """One applicant on WhatsApp.

    subjects, test_language: their option values (`math`, `ru`); by default the table's.
    """

    user: WhatsAppUser
    texts: Translator
    lang: str
    campaign: Campaign
    subjects: tuple[str, ...] = ()
    test_language: str = ""
    receipt: str = "KB-20260312-001"
    transcript: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    samples: Samples = SAMPLES

    def __post_init__(self) -> None:
        if self.subjects:
            self.samples = self.samples.with_(subjects=toggle(*self.subjects))
        if self.test_language:
            self.samples = self.samples.with_(test_language=choose(self.test_language))

    def t(self, message_id: str) -> str:
        return self.texts.gettext(self.lang, message_id)

    def last_question(self, text: str) -> str | None:
        """Return the message id of the question asked last in `text`."""
        best, position = None, -1
        for message_id in QUESTIONS:
            lang = "ky" if message_id == LANGUAGE_QUESTION else self.lang
            found = text.rfind(prompt_marker(self.texts, lang, message_id))
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
        options = self._options_asked(text)
        assert label in options, f"{label!r} not offered in:\n{text}"
        return await self.say(options[label])

    def _options_asked(self, text: str) -> dict[str, str]:
        """The numbered options of the question asked last in `text` (not of earlier lists)."""
        message_id = self.last_question(text)
        if message_id is None:
            return numbered_options(text)
        marker = prompt_marker(self.texts, self.lang, message_id)
        return numbered_options(text.rsplit(marker, 1)[-1])

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
        if question in FORM_QUESTION:
            asked = FORM_QUESTION[question]
            return await self.answer_form(asked, self.samples[asked.name], text)
        match question:
            case "ask.language.both":
                language_name = self.texts.gettext(self.lang, "language.name")
                options = numbered_options(text)
                return await self.say(options[language_name])
            case "complete.hint":
                return await self.choose(text, self.t("option.submit"))
            case "submit.done":
                return await self.choose(text, self.t("option.pay"))
            case "payment.ask_type" | "payment.ask_amount":
                # The one payment type, then the fee offered as an answer: what is not "cancel".
                options = self._options_asked(text)
                [pick] = [n for label, n in options.items() if label != self.t("option.cancel")]
                return await self.say(pick)
            case "payment.ask_receipt":
                return await self.say(self.receipt)
        raise AssertionError(f"unexpected question {question}")

    def label(self, question: Field, value: str) -> str:
        return option_label(
            question, value, campaign=self.campaign, texts=self.texts, lang=self.lang
        )

    async def answer_form(self, question: Field, sample: Sample, text: str) -> str:
        """Answer a question of the form as the table says."""
        if sample.how == "text":
            return await self.say(sample.value)
        if sample.how == "choose":
            return await self.choose(text, self.label(question, sample.value))
        if sample.how == "toggle":
            options = numbered_options(text)
            labels = [self.label(question, value) for value in sample.values]
            text = await self.say(", ".join(options[label] for label in labels))
            for label in labels:
                assert f"✅ {label}" in text, text
            return await self.say("0")  # "Done" is numbered 0
        if sample.value == "face":
            with open(FACE_PHOTO, "rb") as handle:  # noqa: ASYNC230 - a small test file
                return await self.photo(handle.read())
        text = await self.photo(document_jpeg(document_colour(question.name)))
        if sample.how == "photos":  # one document for this benefit category, then close it
            return await self.choose(text, self.label(question, BENEFIT_DONE))
        return text
