"""Replicas that start together migrate one after the other, never racing on the schema."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.database import Database
from storage.migrate import alembic_config
from tests.ops.conftest import NEEDS_POSTGRES, ortbot_command, process_env

STARTS = 4


async def _schema(url: str) -> tuple[list[str], list[str]]:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as conn:
            versions = list(
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
            )
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return versions, tables
    finally:
        await database.dispose()


@NEEDS_POSTGRES
def test_four_migrations_started_at_once_all_succeed(
    new_pg_database: Callable[[], str], tmp_path: Path
) -> None:
    url = new_pg_database()
    processes = [
        subprocess.Popen(
            [*ortbot_command(), "migrate"],
            env=process_env(url),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(STARTS)
    ]
    results = [(p.wait(timeout=180), *p.communicate()) for p in processes]
    for code, out, err in results:
        assert (code, err) == (0, ""), out
        assert out == "Database is up to date.\n"
    versions, tables = asyncio.run(_schema(url))
    assert versions == [ScriptDirectory.from_config(alembic_config(url)).get_current_head()]
    assert {"registrations", "documents", "audit_log", "channel_messages"} <= set(tables)


def test_migrate_on_sqlite_still_works_twice(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    for _ in range(2):
        done = subprocess.run(
            [*ortbot_command(), "migrate"],
            env=process_env(url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, "")
    versions, _ = asyncio.run(_schema(url))
    assert versions == [ScriptDirectory.from_config(alembic_config(url)).get_current_head()]
