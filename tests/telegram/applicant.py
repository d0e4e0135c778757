"""A scripted applicant on Telegram: reads the question of the bot's last message and answers it
from the table of sample answers (`tests/form_samples.py`), as a person would.

Questions are recognized by their catalog text and buttons pressed by the callback data the bot
actually sent (`<question>:<value>`), so neither the path through the form nor the texts are
written here: each step method answers whatever the bot asks within that step.
"""

from __future__ import annotations

from collections.abc import Callable

from fakes.telegram_api import SentMessage
from fakes.telegram_user import TelegramUser

from config.campaign import Campaign
from core.i18n import Translator
from flows.form import Field, Kind
from tests.form_samples import (
    BENEFIT_DONE,
    DONE,
    Sample,
    Samples,
    asked_field,
    choose,
    option_id,
    text,
    toggle,
)
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg

APPLICANT_PHONE = "+996700123456"
ACCESS_CODE = "KX7M2P9Q"
FULL_NAME = "Асанова Айгүл Бакытовна"
LANGUAGE_BUTTON = {"ky": "Кыргызча", "ru": "Русский"}
# How this applicant types: the PIN in groups, the passport on the Cyrillic keyboard.
SAMPLES = Samples().with_(
    pin=text("2 05092007 12345", stored="20509200712345"),  # a man born 5 September 2007
    passport=text("ан 1234567", stored="AN1234567"),  # look-alikes, lower case, a space
    city=text("Сокулук району"),
    village=text("Сокулук айылы"),
    street=text("Ленин көчөсү, 12"),
    subjects=toggle("math", "chemistry"),
    test_language=choose("ru"),
)
# The photos sent as files (a scan) rather than as photos: Telegram delivers both.
AS_FILE = {"passport_back": "pasport-2.jpg", "benefit_documents": "spravka.jpeg"}
PHOTOS = {"document": document_photo_jpeg, "face": face_photo_jpeg}
MAX_ANSWERS = 40  # more than the form has questions: a walk that does not end fails


class Applicant:
    """Walks the registration form over Telegram; each step is one thing a person does."""

    def __init__(
        self,
        user: TelegramUser,
        *,
        lang: str,
        texts: Translator,
        campaign: Campaign,
        samples: Samples = SAMPLES,
    ) -> None:
        self.user = user
        self.lang = lang
        self.texts = texts
        self.campaign = campaign
        self.samples = samples

    def t(self, message_id: str) -> str:
        return self.texts.gettext(self.lang, message_id)

    def said(self) -> str:
        """Everything the bot sent since the previous call, as one text."""
        return "\n".join(m.text for m in self.user.new_messages())

    async def press(self, message_id: str) -> None:
        await self.user.press(self.t(message_id))

    async def press_in(self, message: SentMessage, label: str) -> None:
        """Press a button of an older message (still on the screen, a few messages up)."""
        [button] = [b for b in message.buttons() if label in b["text"]]
        await self.user.press_button(message, button)

    def asked_last(self, message_id: str) -> SentMessage:
        """Return the newest message of the chat that asks `message_id`."""
        start = self.t(message_id).split("{", 1)[0]
        return next(m for m in reversed(self.user.messages()) if start in m.text)

    async def open_bot(self, *, code: str | None = None) -> None:
        await self.user.send_text(f"/start {code}" if code else "/start")
        await self.user.press(LANGUAGE_BUTTON[self.lang])

    async def identify_by_contact(self) -> None:
        await self.user.share_contact(APPLICANT_PHONE.removeprefix("+"))

    def asked(self) -> tuple[SentMessage, Field] | None:
        """The bot's last message and the question of the form it asks (None: none)."""
        messages = self.user.messages()
        question = asked_field(self.texts, self.lang, messages[-1].text) if messages else None
        return (messages[-1], question) if question else None

    async def answer_while(
        self, asks: Callable[[Field], bool], samples: Samples | None = None
    ) -> None:
        """Answer the questions the bot asks as long as `asks(question)` holds."""
        samples = samples or self.samples
        answered: list[str] = []
        for _ in range(MAX_ANSWERS):
            found = self.asked()
            if found is None or not asks(found[1]):
                return
            message, question = found
            if answered[-1:] == [question.name] and question.kind is not Kind.BENEFIT_FILES:
                raise AssertionError(f"{question.name}: the sample was refused: {message.text}")
            answered.append(question.name)
            await self.answer(question, samples[question.name])
        raise AssertionError(f"the form did not end: {answered}")

    async def answer(self, question: Field, sample: Sample) -> None:
        if sample.how == "text":
            await self.user.send_text(sample.value)
        elif sample.how == "choose":
            await self.press_option(option_id(question, sample.value))
        elif sample.how == "toggle":
            for value in sample.values:
                await self.press_option(option_id(question, value))
            await self.press_option(option_id(question, DONE))
        else:  # a photo; for a benefit category, one document and then closing it
            data = PHOTOS[sample.value]()
            if question.name in AS_FILE:
                await self.user.send_document(data, file_name=AS_FILE[question.name])
            else:
                await self.user.send_photo(data)
            if sample.how == "photos":
                await self.press_option(option_id(question, BENEFIT_DONE))

    async def press_option(self, data: str) -> None:
        """Press the newest button carrying `data`."""
        for message in reversed(self.user.messages()):
            for button in message.buttons():
                if button["callback_data"] == data:
                    await self.user.press_button(message, button)
                    return
        raise AssertionError(f"no {data!r} button; last: {self.user.last_text()[:80]!r}")

    async def personal_data(self) -> None:
        """Step 0 (the student question) and step 1."""
        await self.answer_while(lambda question: question.step <= 1)

    async def address(self) -> None:
        await self.answer_while(lambda question: question.step == 2)

    async def tests(self) -> None:
        await self.answer_while(lambda question: question.step == 3)

    async def documents(self) -> None:
        """The photos of step 4 (the passport, the certificate), up to the benefits."""
        await self.answer_while(lambda q: q.step == 4 and q.kind is Kind.FILE)

    async def no_benefits(self) -> None:
        await self.answer_while(lambda question: question.step == 4)

    async def benefits(self) -> None:
        """Benefits claimed: the table's categories, each with a document."""
        claims = self.samples.with_(has_benefits=choose("yes", stored=True))
        await self.answer_while(lambda question: question.step == 4, claims)

    async def face(self) -> None:
        await self.answer_while(lambda question: question.step == 5)

    async def submit_and_pay(self) -> None:
        await self.press("option.submit")
        await self.press("option.pay")
        await self.user.press("1 880")  # the suggested amount: the fee
        await self.user.send_text("  ab-2026-0001 ")
