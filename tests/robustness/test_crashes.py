"""Crashes: `ortbot serve` killed with SIGKILL at random moments while applicants are mid-form,
and restarted; Redis flushed mid-form. Every applicant still completes the text part of the
form with exactly the answers they gave, and the process's log holds none of them.

20 applicants and two kills by default; ORTBOT_SOAK=1 runs 50 applicants and five kills.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest
from fakes.telegram_api import FakeTelegramAPI
from sqlalchemy import select
from telegram.conftest import TOKEN

from config.settings import PROJECT_ROOT
from core.texts import conversation_texts
from storage.database import Database
from storage.models import Registration
from storage.state.redis import RedisStateStore
from tests.conftest import TEST_REDIS_URL, TEST_SECRET_KEY
from tests.robustness.applicants import add_applicants
from tests.robustness.serving import ServerProcess, TelegramDelivery
from tests.robustness.walker import Walker

SOAK = os.environ.get("ORTBOT_SOAK") == "1"
APPLICANTS, KILLS = (50, 5) if SOAK else (20, 2)
SEED = 20261128
# Redis database of its own for the server processes: their keys use the default prefix.
CRASH_REDIS_DB = 11


def server_env(database_url: str, api: FakeTelegramAPI, media: Path) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "MEDIA_DIR": str(media),
        "CAMPAIGN": str(PROJECT_ROOT / "campaigns" / "demo.toml"),
        "ORTBOT_ENV": "development",
    }
    if TEST_REDIS_URL:
        env["REDIS_URL"] = redis_url()
    return env


def redis_url() -> str:
    assert TEST_REDIS_URL
    return TEST_REDIS_URL.rsplit("/", 1)[0] + f"/{CRASH_REDIS_DB}"


async def flush_server_state() -> None:
    if TEST_REDIS_URL:
        store = RedisStateStore.from_url(redis_url())
        await store.flush()
        await store.close()


async def stored_answers(database: Database) -> dict[int, dict]:
    async with database.session() as session:
        rows = await session.scalars(select(Registration))
        return {row.grant_id: dict(row.answers) for row in rows}


def private_values(walkers: list[Walker]) -> list[str]:
    values = []
    for walker in walkers:
        values += [walker.answers["pin"].value, walker.answers["passport"].value]
        values += [walker.granted.code]
        values += [walker.granted.phone, walker.granted.phone.removeprefix("+")]
    return values


@pytest.fixture
async def server_state():
    await flush_server_state()
    yield
    await flush_server_state()


async def test_applicants_complete_through_kills_and_a_state_flush(
    database: Database, database_url, secret_box, campaign, fake_api, tmp_path, server_state
) -> None:
    granted = await add_applicants(database, secret_box, APPLICANTS, campaign_year=campaign.year)
    server = ServerProcess(
        server_env(database_url, fake_api, tmp_path / "media"), log_path=tmp_path / "serve.log"
    )
    await server.start()
    rng = random.Random(SEED)
    texts = conversation_texts()
    try:
        async with TelegramDelivery(TEST_SECRET_KEY, [server.url]) as deliver:
            walkers = [
                Walker(fake_api, deliver, g, texts=texts, user_id=9_100_000 + g.number)
                for g in granted
            ]
            total = 16 * len(walkers)  # about the updates the text part takes
            moments = sorted(rng.sample(range(total // 10, total * 8 // 10), KILLS + 1))
            kill_at, flush_at = moments[:KILLS], moments[KILLS]

            async def faults() -> None:
                for moment in sorted([*kill_at, flush_at]):
                    await fake_api.wait_until(lambda m=moment: deliver.delivered >= m, within=300)
                    if moment == flush_at:
                        await flush_server_state()  # Redis lost (in memory: the restart is)
                        continue
                    server.kill()
                    await server.start()

            runs = [asyncio.create_task(w.run()) for w in walkers]
            fault_task = asyncio.create_task(faults())
            await asyncio.gather(*runs)
            fault_task.cancel()
    finally:
        server.stop()

    assert server.starts >= 2  # it really was killed mid-form
    stored = await stored_answers(database)
    for walker in walkers:
        answers, expected = stored[walker.granted.grant_id], walker.stored()
        assert {key: answers.get(key) for key in expected} == expected, walker.granted.number
    log = server.log_path.read_text()
    assert "Update id=" in log  # DEBUG logging was on: the check below means something
    for value in private_values(walkers):
        assert value not in log
