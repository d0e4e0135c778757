"""Outer middlewares on updates: keep each chat's order, and handle every update only once.

They run before aiogram's events isolation (the per-chat lock, Redis based with several
replicas). The lock alone gives exclusion but not order: an album's photos, or fast typing,
arrive as updates that race for it. The sequencer fixes the order when an update enters the
process, before anything awaits the network.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.types import TelegramObject, Update

from storage.state import StateStore

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
DEDUP_TTL = 7 * 24 * 3600.0  # Telegram keeps an unconfirmed update for 24 hours; be generous


class ChatSequencer(BaseMiddleware):
    """Handles the updates of one chat one after another, in the order they came in.

    It also counts the updates in progress, so the channel can wait until it is idle (on
    shutdown, and in tests instead of sleeping).
    """

    def __init__(self) -> None:
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        chat_id = (context.chat_id or context.user_id) if context else None
        if chat_id is None:
            return await self._counted(handler, event, data)
        # Everything up to the first await runs in the order the updates arrived.
        previous = self._tails.get(chat_id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[chat_id] = mine
        self._enter()
        try:
            if previous is not None:
                # shield: if this update is cancelled, the previous one must not be.
                await asyncio.shield(previous)
            return await handler(event, data)
        finally:
            mine.set_result(None)
            if self._tails.get(chat_id) is mine:
                del self._tails[chat_id]
            self._leave()

    async def _counted(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self._enter()
        try:
            return await handler(event, data)
        finally:
            self._leave()

    def _enter(self) -> None:
        self._busy += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._busy -= 1
        if not self._busy:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no update is being handled."""
        await self._idle.wait()


class UpdateDeduplicator(BaseMiddleware):
    """Drops an update whose `update_id` was seen before (Telegram redelivers on doubt).

    The mark lives in the state store: shared by replicas, and in Redis it survives a restart.
    """

    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            bot: Bot = data["bot"]
            key = f"tg:update:{bot.id}:{event.update_id}"
            if not await self._state.mark_once(key, ttl=DEDUP_TTL):
                log.info("update %s was delivered again; skipped", event.update_id)
                return None
        return await handler(event, data)
