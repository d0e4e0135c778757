"""The aiogram Dispatcher of the channel: one router, no FSM, no locks of its own.

Ordering, exclusion and de-duplication of a chat's updates are the turn runner's
(`bot.turns`): aiogram's FSM and its events isolation (another per-chat lock) are switched off.
Two update middlewares stay: `UpdatesInFlight` (counts every update, for `wait_idle`) and
`PrivateChatsOnly` (groups, supergroups and channels get a notice
and go no further, before any turn is run).
"""

from __future__ import annotations

from aiogram import Dispatcher, Router

from bot.telegram.conversation import TelegramConversation
from bot.telegram.in_flight import UpdatesInFlight
from bot.telegram.private_only import PrivateChatsOnly


def build_dispatcher(
    conversation: TelegramConversation,
    *,
    private_only: PrivateChatsOnly,
    in_flight: UpdatesInFlight,
) -> Dispatcher:
    """Return a Dispatcher whose router sends the updates of private chats to `conversation`."""
    dispatcher = Dispatcher(disable_fsm=True)  # the draft is in the database, not aiogram's FSM
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(private_only)
    router = Router(name="registration")
    router.message.register(conversation.on_message)
    router.callback_query.register(conversation.on_callback)
    router.my_chat_member.register(conversation.on_member_update)
    dispatcher.include_router(router)
    return dispatcher
