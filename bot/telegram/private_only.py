"""The registration and the officers' review happen in private chats only.

A bot added to a group receives what its members send there, shared contacts included: a form
that asks for a passport and a PIN would ask in front of the whole group. So every update of a
group, supergroup or channel stops here, before the de-duplication marks and the flow: nothing
is stored for it (no linked chat, no grant link, no delivery, no conversation state).

The group is told, in Kyrgyz and Russian, that the bot works in a private chat, with a link to
it, when something there is addressed to the bot (a command, a shared contact, a reply to the
bot, the bot being added), and at most once a day per group: a key holding only the group's
chat id, with a TTL, in the transient state store. Answering every /start would let a group
make the bot spam it; answering only once ever would leave a new member a month later without
an answer. Losing the key (a Redis flush) costs one repeated notice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.methods import SendMessage
from aiogram.types import Message, TelegramObject, Update

from bot.telegram.sender import TelegramSender
from core.i18n import LANGUAGES, Translator
from storage.state import StateStore

log = logging.getLogger(__name__)

NOTICE_TTL = 24 * 3600.0
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
PRIVATE = "private"


class PrivateChatsOnly(BaseMiddleware):
    """Outer update middleware: updates of non-private chats never reach the handlers."""

    def __init__(
        self,
        *,
        sender: TelegramSender,
        texts: Translator,
        state: StateStore,
        username: str | None = None,
    ) -> None:
        self._sender = sender
        self._texts = texts
        self._state = state
        self._username = username

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        chat = context.chat if context is not None else None
        if chat is None or chat.type == PRIVATE:
            return await handler(event, data)
        if isinstance(event, Update) and _addressed_to_bot(event, data["bot"]):
            if await self._state.mark_once(f"tg:group-notice:{chat.id}", ttl=NOTICE_TTL):
                await self._tell(chat.id, data["bot"])
        return UNHANDLED

    async def _tell(self, chat_id: int, bot: Bot) -> None:
        try:
            username = self._username or (await bot.me()).username
            link = f"https://t.me/{username}"
            text = "\n\n".join(
                self._texts.gettext(lang, "group.private_only", link=link) for lang in LANGUAGES
            )
            await self._sender.call(SendMessage(chat_id=chat_id, text=text), chat_id=chat_id)
        except Exception as exc:  # noqa: BLE001 - a group left without the notice is harmless
            log.warning("telegram: group notice not sent (%s)", type(exc).__name__)


def _addressed_to_bot(update: Update, bot: Bot) -> bool:
    member = update.my_chat_member
    if member is not None:
        return member.new_chat_member.status in {"member", "administrator"}
    message = update.message or update.channel_post
    if not isinstance(message, Message):
        return False
    if message.contact is not None:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    text = message.text or message.caption or ""
    return text.startswith("/")
