"""The language to use for the channel's own texts in one chat (the flow keeps the choice)."""

from __future__ import annotations

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from storage.database import Database
from storage.enums import Channel
from storage.repositories.chats import chosen_language


async def chat_language(database: Database, chat_id: int, *, hint: str | None = None) -> str:
    """Return the language chosen in this chat, else the Telegram app's language, else ky.

    Asked only for the channel's own texts (an error, a refused file, the contact button), so
    the query is off the common path.
    """
    async with database.session() as session:
        chosen = await chosen_language(session, Channel.TELEGRAM, str(chat_id))
    return chosen if chosen in LANGUAGES else language_from_hint(hint)


def language_from_hint(hint: str | None) -> str:
    """Map a Telegram `language_code` ("ru", "ky", "en-US") to ky/ru, ky by default."""
    code = (hint or "").split("-", 1)[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE
