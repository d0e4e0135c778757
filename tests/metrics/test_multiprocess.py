"""PROMETHEUS_MULTIPROC_DIR: processes sharing a host answer a scrape with their sum."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from config.settings import PROJECT_ROOT

COUNT_A_TURN = """
import time
from bot.metrics import inbound, turn_finished
inbound("whatsapp", "duplicate")
turn_finished("whatsapp", "handled", time.perf_counter(), turn_id="SM1")
"""

SCRAPE = """
import asyncio, sys
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from bot.metrics.endpoint import mount_metrics
from storage.database import Database

async def main():
    app = web.Application()
    database = Database.from_url(sys.argv[1])
    mount_metrics(app, database=database, token="t0ken")
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer t0ken"})
        print(await response.text())
    await database.dispose()

asyncio.run(main())
"""


def run(code: str, directory: Path, *args: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_a_scrape_sums_every_process_of_the_directory(tmp_path: Path, database_url: str) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    for _ in range(3):
        run(COUNT_A_TURN, directory)
    text = run(SCRAPE, directory, database_url)
    assert 'ortbot_inbound_updates_total{channel="whatsapp",outcome="handled"} 3.0' in text
    assert 'ortbot_inbound_updates_total{channel="whatsapp",outcome="duplicate"} 3.0' in text
    assert 'ortbot_turn_seconds_count{channel="whatsapp"} 3.0' in text
    assert "ortbot_registrations" in text  # the database's figures too
    # One file set per process, named by host and pid (containers all run as pid 1).
    host = socket.gethostname().replace("_", "-")
    counters = [p.name for p in directory.glob("counter_*.db")]
    assert len(counters) == 4  # three turns' processes and the scraping one (its request)
    assert all(name.startswith(f"counter_{host}-") for name in counters)
