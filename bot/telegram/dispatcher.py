"""The aiogram Dispatcher of the channel: one router, and the middlewares in a careful order.

Update middlewares run as: aiogram's error and user-context ones, then `ChatSequencer` (order
per chat, fixed before anything awaits the network), `PrivateChatsOnly` (groups and channels
get a notice and go no further), `UpdateDeduplicator` (each update_id once), and last
aiogram's events isolation: one update at a time per chat, across replicas with Redis.
"""

from __future__ import annotations

from aiogram import Dispatcher, Router
from aiogram.fsm.storage.base import BaseEventIsolation, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.strategy import FSMStrategy

from bot.telegram.conversation import TelegramConversation
from bot.telegram.middlewares import ChatSequencer, UpdateDeduplicator
from bot.telegram.private_only import PrivateChatsOnly
from storage.state import StateStore

# Short: a process killed while holding the lock blocks the chat only this long. A turn
# (a 20 MB download included) fits well inside it.
ISOLATION_LOCK_SECONDS = 20
ISOLATION_POLL_SECONDS = 0.01  # redis-py polls a held lock every 0.1 s by default


def events_isolation(state: StateStore) -> BaseEventIsolation:
    """Redis-based isolation on the state store's own client when it is Redis, else in memory."""
    from storage.state.redis import RedisStateStore

    if isinstance(state, RedisStateStore):
        from aiogram.fsm.storage.redis import RedisEventIsolation

        # The state store's client sits on a bounded BlockingConnectionPool (DESIGN.md).
        return RedisEventIsolation(
            redis=state.redis,
            key_builder=DefaultKeyBuilder(prefix=f"{state.prefix}tg"),
            lock_kwargs={"timeout": ISOLATION_LOCK_SECONDS, "sleep": ISOLATION_POLL_SECONDS},
        )
    return SimpleEventIsolation()


def build_dispatcher(
    conversation: TelegramConversation,
    *,
    state: StateStore,
    sequencer: ChatSequencer,
    private_only: PrivateChatsOnly,
) -> Dispatcher:
    """Return a Dispatcher whose router sends the updates of private chats to `conversation`."""
    # disable_fsm: its middleware (which holds the isolation lock) is added below, after ours.
    dispatcher = Dispatcher(
        storage=MemoryStorage(),  # aiogram's FSM data is unused: the draft is in the database
        events_isolation=events_isolation(state),
        fsm_strategy=FSMStrategy.CHAT,
        disable_fsm=True,
    )
    dispatcher.update.outer_middleware(sequencer)
    # Groups and channels stop here: no de-duplication mark, no flow, nothing stored.
    dispatcher.update.outer_middleware(private_only)
    dispatcher.update.outer_middleware(UpdateDeduplicator(state))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    router = Router(name="registration")
    router.message.register(conversation.on_message)
    router.callback_query.register(conversation.on_callback)
    router.my_chat_member.register(conversation.on_member_update)
    dispatcher.include_router(router)
    return dispatcher
