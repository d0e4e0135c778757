"""A turn reads its chat, grant and registration once, and never from an earlier turn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import delete, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from flows.events import ChatKey, Event
from storage.database import Database
from storage.enums import Channel
from storage.models import AccessGrant, LinkedChat, OutboxMessage, Registration
from storage.repositories.outbox import add_message, settle
from storage.repositories.turn_commit import close_turn
from storage.repositories.turn_rows import (
    OpenedTurn,
    load_turn_rows,
    open_turn,
    remembered_chat,
    remembered_registration,
)
from tests.flows.script import draft, start


async def test_a_grant_revoked_between_two_messages_stops_the_next_one(
    database: Database, telegram, grant
) -> None:
    await start(telegram)
    await telegram.choose("no")  # not a university student
    assert "ПИН" in telegram.said

    async with database.session() as s:  # an officer revokes the grant
        await s.execute(
            update(AccessGrant)
            .where(AccessGrant.id == grant.id)
            .values(revoked_at=datetime.now(UTC))
        )

    await telegram.text("20509200712345")
    assert "ПИН" not in telegram.said
    assert telegram.last[-1].request_contact  # asked who they are again, as a stranger


@contextmanager
def _statements_into(statements: list[str], database: Database) -> Iterator[None]:
    """Append to `statements` each statement SQLAlchemy sends while the block runs."""

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        statements.append(" ".join(statement.split()))

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)


async def test_a_text_answer_costs_three_statements_two_on_postgresql(
    database: Database, telegram, grant, monkeypatch
) -> None:
    await start(telegram)
    await telegram.choose("no")
    statements: list[str] = []
    # Transaction control goes to asyncpg directly (a simple query), past SQLAlchemy's events.
    if database.engine.dialect.name == "postgresql":
        simple_query = asyncpg.Connection.execute

        async def counted(self, query: str, *args, **kwargs):  # noqa: ANN001, ANN202
            statements.append(query.rstrip(";"))
            return await simple_query(self, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, "execute", counted)
    with _statements_into(statements, database):
        await telegram.send(Event(kind="text", text="20509200712345", delivery_id="tg:1:77"))
    assert "Верно?" in telegram.said
    first_words = [statement.split()[0] for statement in statements]
    if database.engine.dialect.name == "postgresql":
        # The chat, its grant and draft read with whether the delivery was seen before; then
        # the delivery recorded and the answer written by one statement. Each commits on its
        # own: no BEGIN, no COMMIT.
        assert first_words == ["SELECT", "WITH"]
    else:
        # The delivery recorded, the chat with its grant and draft read, the answer written.
        assert first_words == ["INSERT", "SELECT", "UPDATE"]
    assert (await draft(telegram))["pin"] == "20509200712345"

    # The same update again: not applied twice, the current question asked again.
    statements.clear()
    await telegram.send(Event(kind="text", text="20509200799999", delivery_id="tg:1:77"))
    assert (await draft(telegram))["pin"] == "20509200712345"
    assert "Верно?" in telegram.said


async def test_the_turn_rows_say_whether_a_reply_of_the_chat_waits_in_the_outbox(
    database: Database,
) -> None:
    chat = Channel.TELEGRAM
    async with database.session() as s:
        assert await load_turn_rows(s, chat, "5") is False
        # A chat with no row of its own yet (its first turn failed): its apology was handed over.
        await add_message(s, channel=chat, chat_id="5", key="r:0:later", reply={"text": "Кечир"})
        # A notice waiting for another chat is not a reply that later replies could overtake.
        await add_message(s, channel=chat, chat_id="6", key="notice:1", notice={"type": "X"})
    async with database.session() as s:
        assert await load_turn_rows(s, chat, "5") is True
        assert await load_turn_rows(s, chat, "6") is False
        waiting = await s.scalar(select(OutboxMessage.id).where(OutboxMessage.chat_id == "5"))
    async with database.session() as s:
        await settle(s, waiting, status="sent", parts_sent=1)
    async with database.session() as s:
        assert await load_turn_rows(s, chat, "5") is False  # sent: replies go direct again


async def test_a_turn_opened_with_its_delivery_says_the_same_and_a_second_one_is_refused(
    database: Database,
) -> None:
    chat = Channel.TELEGRAM
    async with database.session() as s:
        await add_message(s, channel=chat, chat_id="7", key="r:1:later", reply={"text": "Кечир"})
    async with database.session() as s:
        opened = await open_turn(s, chat, "7", delivery_id="tg:1:901")
        assert opened is not None and opened.behind_outbox is True
        assert await close_turn(s) is True  # recorded, with what the turn wrote (nothing)
    async with database.session() as s:
        assert (await open_turn(s, chat, "8", delivery_id="tg:1:902")) == OpenedTurn(False)
    async with database.session() as s:  # the same update again: recorded, not applied
        assert await open_turn(s, chat, "7", delivery_id="tg:1:901") is None


@asynccontextmanager
async def _turn_that_finds_its_rows_changed(
    database: Database, chat: ChatKey, delivery_id: str
) -> AsyncIterator[AsyncSession]:
    """Open a turn, let the block change its rows and someone else's, expect its write to fail."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("one statement records and writes on PostgreSQL; SQLite's unit of work")
    with pytest.raises(StaleDataError):
        async with database.session() as s:
            assert await open_turn(s, chat.channel, chat.chat_id, delivery_id=delivery_id)
            yield s
            await close_turn(s)


async def test_an_answer_to_a_form_saved_meanwhile_is_not_recorded_and_is_applied_again(
    database: Database, telegram, grant
) -> None:
    await start(telegram)
    await telegram.choose("no")
    async with _turn_that_finds_its_rows_changed(database, telegram.key, "tg:1:88") as s:
        registration = remembered_registration(s, grant.id)
        assert registration is not None
        registration.answers = {**registration.answers, "pin": "20509200712345"}
        async with database.session() as officer:  # an officer saves the form meanwhile
            await officer.execute(
                update(Registration)
                .where(Registration.id == registration.id)
                .values(version=Registration.version + 1)
            )
    assert "pin" not in await draft(telegram)
    # Neither the answer nor the delivery's record was written: when the update comes again,
    # it is applied.
    await telegram.send(Event(kind="text", text="20509200712345", delivery_id="tg:1:88"))
    assert (await draft(telegram))["pin"] == "20509200712345"
    assert "Верно?" in telegram.said


async def test_a_new_chat_is_created_without_asking_again_whether_it_exists(
    database: Database, telegram, grant
) -> None:
    statements: list[str] = []
    with _statements_into(statements, database):
        await telegram.send(Event(kind="command", command="start", delivery_id="tg:1:5"))
    assert "Выберите язык" in telegram.said
    # The turn's read found no row for the chat: it is created, not looked for again.
    assert [s for s in statements if s.startswith("SELECT linked_chats")] == []
    assert len([s for s in statements if s.startswith("INSERT INTO linked_chats")]) == 1


async def test_a_change_to_a_chat_removed_meanwhile_is_not_recorded(
    database: Database, telegram, grant
) -> None:
    await start(telegram)
    chat = telegram.key
    async with _turn_that_finds_its_rows_changed(database, chat, "tg:1:89") as s:
        _read, row = remembered_chat(s, chat.channel, chat.chat_id)
        assert row is not None
        row.language = "ky"
        async with database.session() as purge:  # the chat's row is purged meanwhile
            await purge.execute(delete(LinkedChat).where(LinkedChat.id == row.id))
    async with database.session() as s:  # the delivery was not recorded either
        assert await open_turn(s, chat.channel, chat.chat_id, delivery_id="tg:1:89")
