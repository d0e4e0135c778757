"""A chat's row is created once, even when its first message is run twice at the same time."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from storage.database import Database
from storage.enums import Channel
from storage.models import LinkedChat
from storage.repositories.chats import get_or_create_chat


async def _waiting_on_a_lock(database: Database) -> bool:
    async with database.engine.connect() as conn:
        waiting = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
    return bool(waiting)


async def test_the_second_run_of_a_first_message_takes_the_row_the_first_created(
    database: Database,
) -> None:
    # Two replicas at once: only PostgreSQL serves several; SQLite is one process's database.
    if database.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers of one chat exist only with PostgreSQL")
    async with database.session() as first:
        created = await get_or_create_chat(first, Channel.TELEGRAM, "5550001")

        async def second_run() -> int:
            async with database.session() as second:
                return (await get_or_create_chat(second, Channel.TELEGRAM, "5550001")).id

        second = asyncio.create_task(second_run())
        for _ in range(500):  # the second insert waits for the first's row to commit or not
            if second.done() or await _waiting_on_a_lock(database):
                break
            await asyncio.sleep(0.01)
        assert not second.done()
    # The first committed: the second takes its row instead of failing on the unique key.
    assert await asyncio.wait_for(second, timeout=10) == created.id
    async with database.session() as s:
        count = await s.scalar(
            select(func.count()).select_from(LinkedChat).where(LinkedChat.chat_id == "5550001")
        )
    assert count == 1


async def test_a_chat_created_on_first_contact_has_its_database_defaults(
    database: Database,
) -> None:
    async with database.session() as s:
        chat = await get_or_create_chat(s, Channel.WHATSAPP, "whatsapp:+996700000001")
        assert chat.id and chat.created_at is not None
        assert chat.grant_id is None and chat.language is None
        assert await get_or_create_chat(s, Channel.WHATSAPP, "whatsapp:+996700000001") is chat
