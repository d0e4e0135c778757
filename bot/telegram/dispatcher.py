"""The aiogram Dispatcher of the channel: one router, no FSM, no locks of its own.

Ordering, exclusion and de-duplication of a chat's updates are the turn runner's
(`bot.turns`): aiogram's FSM and its events isolation (another per-chat lock) are switched off.
"""

from __future__ import annotations

from aiogram import Dispatcher, Router

from bot.telegram.conversation import TelegramConversation


def build_dispatcher(conversation: TelegramConversation) -> Dispatcher:
    """Return a Dispatcher whose router sends everything to `conversation`."""
    dispatcher = Dispatcher(disable_fsm=True)  # the draft is in the database, not aiogram's FSM
    router = Router(name="registration")
    router.message.register(conversation.on_message)
    router.callback_query.register(conversation.on_callback)
    router.my_chat_member.register(conversation.on_member_update)
    dispatcher.include_router(router)
    return dispatcher
