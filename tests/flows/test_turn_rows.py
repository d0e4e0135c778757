"""A turn reads its chat, grant and registration once, and never from an earlier turn."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, update

from flows.events import Event
from storage.database import Database
from storage.models import AccessGrant
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
