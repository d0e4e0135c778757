"""Connections are not pinged before use: a lost one costs a retry, never the applicant's turn."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from storage.database import Database
from storage.models import Registration
from tests.flows.conftest import APPLICANT_PHONE


async def _cut_every_connection(database: Database) -> int:
    """Terminate the server side of every connection of the pool (a PostgreSQL restart)."""
    url = make_url(str(database.engine.url.render_as_string(hide_password=False)))
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        return len(
            await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    finally:
        await admin.close()


async def test_the_turn_after_the_server_dropped_the_connections_is_applied(
    database: Database, telegram, grant
) -> None:
    if database.is_sqlite:
        pytest.skip("a PostgreSQL connection pool is what is tested")
    await telegram.command("start")
    await telegram.choose("lang:ru")
    await telegram.contact(APPLICANT_PHONE)
    await telegram.choose("no")  # not a university student
    assert "ПИН" in telegram.said

    assert await _cut_every_connection(database) >= 1

    # The pooled connection is dead; the turn is run again on a fresh one, and applied once.
    await telegram.text("20509200712345")
    assert "Верно?" in telegram.said
    async with database.session() as s:
        registration = await s.scalar(select(Registration))
    assert registration.answers["pin"] == "20509200712345"
