"""What a channel (Telegram, WhatsApp, the terminal shell) hands to the flow engine.

The channel translates its own update into one `Event` for one `ChatKey`; the engine never sees
a channel's objects.
"""

from dataclasses import dataclass
from typing import Literal

from storage.enums import Channel


@dataclass(frozen=True)
class ChatKey:
    """A conversation: one chat on one channel (like aiogram's StorageKey)."""

    channel: Channel
    # Telegram chat id as str; WhatsApp "whatsapp:+996..." sender; shell: the phone.
    chat_id: str


EventKind = Literal["command", "text", "choice", "contact", "file", "unsupported"]


@dataclass(frozen=True)
class IncomingFile:
    """A file the channel already downloaded (size-limited by the channel)."""

    data: bytes
    filename: str | None = None
    # Informative only: the type is decided by decoding.
    declared_mime: str | None = None


@dataclass(frozen=True)
class Event:
    """One thing the user did in one chat.

    Attributes:
        kind: what happened.
        text: "text": what was typed; "command": its argument (e.g. the /start payload).
        command: "command": "start" | "help" | "status" | "edit" | "language" | "cancel".
        choice: "choice": an `Option.id` from an earlier `Reply` (callback data).
        phone: "contact": a VERIFIED phone in E.164 (Telegram: own contact only;
            WhatsApp: the sender number).
        file: "file": the downloaded bytes.
        unsupported: "sticker" | "voice" | "video" | "location" | "contact_other" | "other".
        verified_phone: channels where the sender IS the phone (WhatsApp, shell) set it on
            every event.
        language_hint: e.g. Telegram user.language_code, to pre-select ky/ru.
        delivery_id: the provider's id of what carried the event (Telegram: bot and update
            id). The engine stores it with the answer, so a redelivery after a crash is not
            applied a second time.

    """

    kind: EventKind
    text: str | None = None
    command: str | None = None
    choice: str | None = None
    phone: str | None = None
    file: IncomingFile | None = None
    unsupported: str | None = None
    verified_phone: str | None = None
    language_hint: str | None = None
    delivery_id: str | None = None
