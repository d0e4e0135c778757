"""A scripted applicant on Telegram, pressing the buttons by what they say, as a person would.

Button labels come from the same catalogs and campaign the bot renders, so the script reads
like the conversation and follows whatever callback data the bot actually sent.
"""

from __future__ import annotations

from fakes.telegram_api import SentMessage
from fakes.telegram_user import TelegramUser

from config.campaign import Campaign
from core.i18n import Translator
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg

APPLICANT_PHONE = "+996700123456"
ACCESS_CODE = "KX7M2P9Q"
FULL_NAME = "Асанова Айгүл Бакытовна"
LANGUAGE_BUTTON = {"ky": "Кыргызча", "ru": "Русский"}


class Applicant:
    """Walks the registration form over Telegram; each step is one thing a person does."""

    def __init__(
        self, user: TelegramUser, *, lang: str, texts: Translator, campaign: Campaign
    ) -> None:
        self.user = user
        self.lang = lang
        self.texts = texts
        self.campaign = campaign

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

    async def personal_data(self) -> None:
        await self.press("option.no")  # not a university student
        await self.user.send_text("2 05092007 12345")  # PIN: a man born 5 September 2007
        await self.press("option.yes")  # gender and birth date read from it are right
        await self.user.send_text("ан 1234567")  # Cyrillic look-alikes, lower case, a space

    async def address(self) -> None:
        await self.user.send_text("Сокулук району")
        await self.user.send_text("Сокулук айылы")
        await self.user.send_text("Ленин көчөсү, 12")
        await self.press("option.skip")  # no extra phone

    async def tests(self) -> None:
        subjects = self.campaign.subjects_by_code
        await self.user.press(subjects["math"].name(self.lang))
        await self.user.press(subjects["chemistry"].name(self.lang))
        await self.press("option.done")
        russian = next(c for c in self.campaign.languages if c.code == "ru")
        await self.user.press(russian.name(self.lang))  # the language of testing

    async def documents(self) -> None:
        # A passport photographed, its back scanned as a file, the certificate photographed.
        await self.user.send_photo(document_photo_jpeg())
        await self.user.send_document(document_photo_jpeg(), file_name="pasport-2.jpg")
        await self.user.send_photo(document_photo_jpeg())

    async def no_benefits(self) -> None:
        await self.press("option.no")

    async def benefits(self) -> None:
        orphan = next(c for c in self.campaign.benefits if c.code == "orphan")
        await self.press("option.yes")
        await self.user.press(orphan.name(self.lang))
        await self.press("option.done")
        await self.user.send_document(document_photo_jpeg(), file_name="spravka.jpeg")
        await self.press("option.benefit_done")

    async def face(self) -> None:
        await self.user.send_photo(face_photo_jpeg())

    async def submit_and_pay(self) -> None:
        await self.press("option.submit")
        await self.press("option.pay")
        await self.user.press("1 880")  # the suggested amount: the fee
        await self.user.send_text("  ab-2026-0001 ")
