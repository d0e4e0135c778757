"""A turn reads its chat, grant and registration once, and never from an earlier turn."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select, update

from flows.events import Event
from storage.database import Database
from storage.enums import Channel
from storage.models import AccessGrant, OutboxMessage
from storage.repositories.outbox import add_message, settle
from storage.repositories.turn_rows import OpenedTurn, load_turn_rows, open_turn
from tests.flows.script import start


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


async def test_a_text_answer_costs_three_statements_two_on_postgresql(
    database: Database, telegram, grant
) -> None:
    await start(telegram)
    await telegram.choose("no")
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        statements.append(statement.split()[0])

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        await telegram.send(Event(kind="text", text="20509200712345", delivery_id="tg:1:77"))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    assert "Верно?" in telegram.said
    # The delivery recorded, the chat with its grant and draft read, the answer written. On
    # PostgreSQL the delivery's insert is a CTE of the read: one statement, one round trip.
    if database.engine.dialect.name == "postgresql":
        assert statements == ["WITH", "UPDATE"]
    else:
        assert statements == ["INSERT", "SELECT", "UPDATE"]


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
        assert (await open_turn(s, chat, "8", delivery_id="tg:1:902")) == OpenedTurn(False)
    async with database.session() as s:  # the same update again: recorded, not applied
        assert await open_turn(s, chat, "7", delivery_id="tg:1:901") is None
