"""Outer middlewares on updates: keep each chat's order, and handle every update only once.

They run before aiogram's events isolation (the per-chat lock, Redis based with several
replicas). The lock alone gives exclusion but not order: an album's photos, or fast typing,
arrive as updates that race for it. The sequencer fixes the order when an update enters the
process, before anything awaits the network.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.types import TelegramObject, Update

from bot.metrics import inbound
from storage.enums import Channel
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
        # When the update came in: the handlers take it as `arrived` (the turn's latency).
        data.setdefault("arrived", time.perf_counter())
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


class UpdateInProgress(Exception):  # noqa: N818 - a state, not a failure
    """Another process is handling this update right now: Telegram should deliver it later."""


# What a duplicate finds under the update's key: still being handled, or handled.
_BUSY, _DONE = "busy", "done"
# Long enough for one turn (a 20 MB download included); short, because a process killed
# mid-update leaves its claim behind, and the redelivered update waits this long.
CLAIM_TTL = 20.0
_claim: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("tg_claim", default=None)
_delivery: ContextVar[str | None] = ContextVar("tg_delivery", default=None)


def current_delivery_id() -> str | None:
    """Return "tg:<bot id>:<update id>" of the update being handled (None outside one)."""
    return _delivery.get()


async def settle_current_update() -> None:
    """Record the update being handled as done (call it once the flow has committed it).

    From then on a redelivery is skipped even if this process dies before it has sent the
    replies: a lost reply is asked again with /start, an answer applied twice is not undone.
    """
    settle = _claim.get()
    if settle is not None:
        await settle()


class UpdateDeduplicator(BaseMiddleware):
    """Handles each `update_id` once, without losing an update whose handler was killed.

    The update is claimed as "busy" for a short time, and marked "done" once the flow has
    stored its effect (`settle_current_update`) or the handler returns. A redelivery finds
    "done" and is skipped, or "busy" and is refused with `UpdateInProgress` (the webhook then
    answers 503 and Telegram delivers it again later). A handler that fails or is cancelled
    releases its claim, and a process killed mid-update leaves a claim that expires after
    `CLAIM_TTL`, so the redelivered update is handled then. The marks live in the state store:
    shared by replicas, and in Redis they survive a restart.
    """

    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot: Bot = data["bot"]
        key = f"once:tg:update:{bot.id}:{event.update_id}"
        if not await self._state.set_if_absent(key, _BUSY, ttl=CLAIM_TTL):
            if await self._state.get(key) != _DONE:  # busy, or released a moment ago
                inbound(Channel.TELEGRAM, "busy")
                raise UpdateInProgress(event.update_id)
            log.info("update %s was delivered again; skipped", event.update_id)
            inbound(Channel.TELEGRAM, "duplicate")
            return None
        settled = False

        async def settle() -> None:
            nonlocal settled
            if not settled:
                settled = True
                await self._state.set(key, _DONE, ttl=DEDUP_TTL)

        token = _claim.set(settle)
        delivery = _delivery.set(f"tg:{bot.id}:{event.update_id}")
        try:
            result = await handler(event, data)
        except BaseException:
            if not settled:
                await asyncio.shield(self._state.delete(key))
            raise
        finally:
            _claim.reset(token)
            _delivery.reset(delivery)
        await settle()
        return result
