"""Counts the Telegram updates being handled, whatever their chat, so `wait_idle` can wait.

The turn runner knows the chats it holds, but an update that never reaches a turn (a group's,
answered by `PrivateChatsOnly`) is in flight too: stopping the channel, or a test, must wait
for its answer as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdatesInFlight(BaseMiddleware):
    """Outermost update middleware: how many updates are being handled right now."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self._count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no update is being handled."""
        await self._idle.wait()
