"""`POST /webhooks/telegram`: the secret is checked, the update is handled, Telegram is answered.

Telegram is answered once the update has been handled (its replies sent), so that an update
whose process dies mid-way is not acknowledged: Telegram delivers it again, and a restarted
process or another replica handles it. A turn that takes longer than `ANSWER_WITHIN` is
acknowledged anyway and goes on in the background (Telegram gives up on a slow webhook and
resends; the turn runner records each update once, so the resent one is not applied twice).
The tasks are kept and awaited on shutdown, so a stopping process finishes what it accepted.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.metrics import inbound
from storage.credentials import SecretBox
from storage.enums import Channel

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ANSWER_WITHIN = 25.0  # seconds; well under the time Telegram waits for a webhook's answer
# Updates handled at once by one process. Beyond it they wait here, before taking any lock:
# with hundreds interleaved on one event loop every turn slows down until the per-chat locks
# (20 s) expire mid-turn. Telegram opens at most 40 connections by default, replicas add up.
MAX_CONCURRENT = 48


def webhook_secret(secret_box: SecretBox) -> str:
    """Return the `secret_token` given to setWebhook, derived from SECRET_KEY.

    Telegram allows 1-256 characters of ``A-Z a-z 0-9 _ -``; a hex digest is within that.
    """
    return secret_box.keyed_hash("telegram-webhook")[:64]


class WebhookReceiver:
    """Receives updates posted by Telegram and hands each to `feed` in the background."""

    def __init__(
        self,
        *,
        secret: str,
        feed: Callable[[dict[str, Any]], Awaitable[bool]],
        max_concurrent: int = MAX_CONCURRENT,
    ) -> None:
        self._secret = secret.encode()
        self._feed = feed
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tasks: set[asyncio.Task[bool]] = set()

    def register(self, app: web.Application, *, path: str = WEBHOOK_PATH) -> None:
        app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("telegram webhook: wrong or missing secret token, refused")
            inbound(Channel.TELEGRAM, "refused")
            return web.Response(status=403)
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400)
        task = asyncio.create_task(self._handle_in_turn(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        # wait() never cancels the task: a client that hangs up leaves the turn to finish.
        done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
        if done and not task.cancelled() and task.exception() is None and not task.result():
            return web.Response(status=503, headers={"Retry-After": "5"})
        return web.Response(status=200)

    async def _handle_in_turn(self, update: dict[str, Any]) -> bool:
        async with self._slots:  # fair: waiters enter in the order they came
            return await self._feed(update)

    async def drain(self) -> None:
        """Wait for every update already accepted."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
