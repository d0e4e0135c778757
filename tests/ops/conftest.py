"""Fixtures of the operator's tests: fresh PostgreSQL databases and `ortbot` as a process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from config.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE_URL, TEST_SECRET_KEY

NEEDS_POSTGRES = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://…",
)


def _admin_dsn() -> str:
    base = make_url(TEST_DATABASE_URL or "")
    return base.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_admin_dsn())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def new_pg_database() -> Iterator[Callable[[], str]]:
    """Make empty PostgreSQL databases (no schema) on demand; drop them afterwards."""
    names: list[str] = []

    def make() -> str:
        name = f"ortbot_ops_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return make_url(TEST_DATABASE_URL or "").set(database=name).render_as_string(False)

    yield make
    for name in names:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def ortbot_command() -> list[str]:
    """The installed console script beside this interpreter, or the module as a fallback."""
    script = Path(sys.executable).with_name("ortbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an `ortbot` process run by a test: this database, a known key.

    Logged at WARNING, so that anything on its standard error is a warning or an error.
    """
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=TEST_SECRET_KEY,
        ORTBOT_ENV="development",
        CAMPAIGN=str(PROJECT_ROOT / "campaigns" / "demo.toml"),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def run_ortbot(
    *argv: str, database_url: str, cwd: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run `ortbot ARGV…` as the operator would, in `cwd` (so no stray .env is read)."""
    return subprocess.run(
        [*ortbot_command(), *argv],
        env=process_env(database_url, **extra),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
