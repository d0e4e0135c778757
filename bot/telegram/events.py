"""Turning what Telegram delivers (a message, a button press) into one flow `Event`."""

from __future__ import annotations

import re

from aiogram.types import CallbackQuery, Message, PhotoSize

from bot.telegram.files import FileDownloader
from flows.events import Event, IncomingFile

COMMANDS = frozenset({"start", "help", "status", "edit", "language", "cancel"})
# What `t.me/<bot>?start=<payload>` may carry, per the Bot API.
_START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def callback_event(query: CallbackQuery) -> Event:
    """Return the event of a pressed inline button: its callback data is the option id."""
    return Event(kind="choice", choice=query.data or "", language_hint=_hint(query.from_user))


async def message_event(message: Message, *, downloader: FileDownloader) -> Event:
    """Return the event for `message`, downloading its photo or document.

    Raises:
        FileRefused: the file is too large or cannot be fetched (the caller answers).

    """
    hint = _hint(message.from_user)
    if message.contact is not None:
        return _contact_event(message, hint)
    if message.photo:
        largest = max(message.photo, key=_area)
        data = await downloader.fetch(largest.file_id, declared_size=largest.file_size)
        file = IncomingFile(data=data, declared_mime="image/jpeg")
        return Event(kind="file", file=file, language_hint=hint)
    kind = _unsupported_kind(message)
    if kind is not None:
        return Event(kind="unsupported", unsupported=kind, language_hint=hint)
    if message.document is not None:
        document = message.document
        data = await downloader.fetch(document.file_id, declared_size=document.file_size)
        # Name and type are passed on as hints only: the flow decides by decoding the bytes.
        file = IncomingFile(
            data=data, filename=document.file_name, declared_mime=document.mime_type
        )
        return Event(kind="file", file=file, language_hint=hint)
    if message.text is not None:
        return _text_event(message.text, hint)
    return Event(kind="unsupported", unsupported="other", language_hint=hint)


def _text_event(text: str, hint: str | None) -> Event:
    if not text.startswith("/"):
        return Event(kind="text", text=text, language_hint=hint)
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if name not in COMMANDS:
        return Event(kind="unsupported", unsupported="other", language_hint=hint)
    argument = rest.strip() or None
    if name == "start" and argument is not None and not _START_PAYLOAD.match(argument):
        argument = None  # not something a deep link can carry; treat as a plain /start
    return Event(kind="command", command=name, text=argument, language_hint=hint)


def _contact_event(message: Message, hint: str | None) -> Event:
    contact = message.contact
    sender = message.from_user
    # Only the sender's own contact proves their phone; anyone can forward someone else's.
    if contact is None or sender is None or contact.user_id != sender.id:
        return Event(kind="unsupported", unsupported="contact_other", language_hint=hint)
    digits = re.sub(r"\D", "", contact.phone_number)
    if not digits:
        return Event(kind="unsupported", unsupported="contact_other", language_hint=hint)
    # Telegram sends the full international number, with or without the leading "+".
    return Event(kind="contact", phone=f"+{digits}", language_hint=hint)


def _unsupported_kind(message: Message) -> str | None:
    if message.sticker is not None:
        return "sticker"
    if message.voice is not None or message.audio is not None:
        return "voice"
    if message.video is not None or message.video_note is not None:
        return "video"
    if message.animation is not None:  # a GIF comes with a `document` too: not a scan
        return "video"
    if message.location is not None or message.venue is not None:
        return "location"
    if message.document is not None and (message.document.mime_type or "").startswith(
        ("video/", "audio/")
    ):
        return "video" if message.document.mime_type.startswith("video/") else "voice"
    return None


def _area(size: PhotoSize) -> int:
    return size.width * size.height


def _hint(user: object) -> str | None:
    return getattr(user, "language_code", None)
