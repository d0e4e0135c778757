"""Two replicas: two `ortbot serve` processes on one PostgreSQL and one Redis, behind a
round-robin proxy. Updates of one chat are spread over both and still handled in order, and
every applicant completes. One replica is killed mid-form: the other carries on.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.engine import make_url

from core.texts import conversation_texts
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET_KEY
from tests.robustness.applicants import add_applicants
from tests.robustness.serving import ServerProcess, TelegramDelivery
from tests.robustness.test_crashes import server_env, server_state, stored_answers  # noqa: F401
from tests.robustness.walker import Walker

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="two processes need a shared PostgreSQL and Redis (TEST_DATABASE_URL, "
    "TEST_REDIS_URL); SQLite cannot be shared by two servers safely",
)
APPLICANTS = 8


class RoundRobinProxy:
    """Sends each webhook POST to the next replica, as a load balancer does."""

    def __init__(self, backends: list[str]) -> None:
        self._next = itertools.cycle(backends)
        self.chats_seen_by: dict[int, set[str]] = defaultdict(set)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        update = await request.json()
        backend = next(self._next)
        chat = update.get("message") or update.get("callback_query", {}).get("message") or {}
        self.chats_seen_by[chat.get("chat", {}).get("id", 0)].add(backend)
        try:
            async with self._session.post(
                f"{backend}{request.path}", data=body, headers=dict(request.headers)
            ) as response:
                return web.Response(status=response.status)
        except aiohttp.ClientError:
            return web.Response(status=502)  # the replica is down: Telegram retries


async def test_two_replicas_share_the_work_and_keep_each_chats_order(
    database,
    database_url,
    secret_box,
    campaign,
    fake_api,
    tmp_path,
    server_state,  # noqa: F811
) -> None:
    assert make_url(database_url).get_backend_name() == "postgresql"
    granted = await add_applicants(database, secret_box, APPLICANTS, campaign_year=campaign.year)
    env = server_env(database_url, fake_api, tmp_path / "media")
    replicas = [ServerProcess(env, log_path=tmp_path / f"replica-{n}.log") for n in (1, 2)]
    await asyncio.gather(*(replica.start() for replica in replicas))
    proxy = RoundRobinProxy([replica.url for replica in replicas])
    await proxy.start()
    texts = conversation_texts()
    try:
        async with TelegramDelivery(TEST_SECRET_KEY, [proxy.url]) as deliver:
            walkers = [
                Walker(fake_api, deliver, g, texts=texts, user_id=9_200_000 + g.number)
                for g in granted
            ]

            async def kill_one_midway() -> None:
                await fake_api.wait_until(lambda: deliver.delivered >= 6 * APPLICANTS, within=300)
                replicas[0].kill()  # the proxy now fails half the deliveries; they are retried

            killer = asyncio.create_task(kill_one_midway())
            await asyncio.gather(*(w.run() for w in walkers))
            killer.cancel()
    finally:
        await proxy.close()
        for replica in replicas:
            replica.stop()

    assert all(len(proxy.chats_seen_by[w.user.chat_id]) == 2 for w in walkers)
    stored = await stored_answers(database)
    for walker in walkers:
        answers, expected = stored[walker.granted.grant_id], walker.stored()
        assert {k: answers.get(k) for k in expected} == expected, walker.granted.number
