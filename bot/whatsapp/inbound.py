"""What Twilio posts for an incoming WhatsApp message, read into plain values.

Twilio's form fields: ``MessageSid``, ``From`` ("whatsapp:+996…"), ``Body``, ``NumMedia``,
``MediaUrl<n>``/``MediaContentType<n>``, ``Latitude``/``Longitude`` for a shared location.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flows.events import Event

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_MEDIA_ITEMS = 10  # Twilio's own limit per message

# Whole-message words that are commands, besides "/command" (ky and ru words people type).
COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "старт", "баштоо", "башта", "начать"),
    "help": ("help", "жардам", "помощь"),
    "status": ("status", "статус", "абал"),
    "edit": ("edit", "өзгөртүү", "оңдоо", "изменить"),
    "language": ("language", "тил", "язык"),
    "cancel": ("cancel", "жокко чыгаруу", "отмена", "отменить"),
}
_WORD_TO_COMMAND = {w: c for c, words in COMMAND_WORDS.items() for w in words}


@dataclass(frozen=True)
class MediaItem:
    url: str
    content_type: str


@dataclass(frozen=True)
class InboundMessage:
    """One incoming WhatsApp message."""

    message_sid: str
    chat_id: str  # "whatsapp:+996…", the ChatKey's chat id
    phone: str  # E.164: the sender, verified by WhatsApp itself
    body: str
    media: tuple[MediaItem, ...] = ()
    is_location: bool = False

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> InboundMessage | None:
        """Read Twilio's form; None when it is not a WhatsApp message from a phone number."""
        sender = form.get("From", "")
        phone = sender.removeprefix("whatsapp:")
        sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
        if not sender.startswith("whatsapp:") or not _E164.match(phone) or not sid:
            return None
        try:
            count = min(int(form.get("NumMedia", "0") or 0), MAX_MEDIA_ITEMS)
        except ValueError:
            count = 0
        media = tuple(
            MediaItem(form[f"MediaUrl{n}"], form.get(f"MediaContentType{n}", "").lower())
            for n in range(count)
            if form.get(f"MediaUrl{n}")
        )
        return cls(
            message_sid=sid,
            chat_id=sender,
            phone=phone,
            body=form.get("Body", ""),
            media=media,
            is_location=bool(form.get("Latitude")),
        )


def unsupported_kind(content_type: str) -> str | None:
    """Return the flow's "unsupported" name for a media type, or None when it may be a document.

    Images and document files go to the flow, which decides the type by decoding them.
    """
    if content_type.startswith("audio/"):
        return "voice"
    if content_type.startswith("video/"):
        return "video"
    if content_type in ("text/vcard", "text/x-vcard", "text/directory"):
        return "contact_other"
    return None


def text_event(body: str, *, phone: str) -> Event:
    """Return the event of a typed message: a command when it is one, else text."""
    text = body.strip()
    head, _, argument = text.partition(" ")
    command = _WORD_TO_COMMAND.get(head[1:].casefold()) if head.startswith("/") else None
    if command is not None:
        return Event(
            kind="command", command=command, text=argument.strip() or None, verified_phone=phone
        )
    folded = " ".join(text.casefold().split()).strip(" .!")
    if folded in _WORD_TO_COMMAND:
        return Event(kind="command", command=_WORD_TO_COMMAND[folded], verified_phone=phone)
    # "start CODE": the click-to-chat link of the Excel export pre-fills the access code.
    if head.casefold() in COMMAND_WORDS["start"] and argument.strip():
        return Event(kind="command", command="start", text=argument.strip(), verified_phone=phone)
    return Event(kind="text", text=text, verified_phone=phone)
