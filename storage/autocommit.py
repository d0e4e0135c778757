"""Single statements outside a transaction, on PostgreSQL's asyncpg connections.

A transaction costs two round trips of its own (BEGIN and COMMIT). A turn that reads once and
then writes once, the write being one statement, needs neither: each statement is atomic on
its own. `outside_transaction` runs statements of a session so, without a BEGIN; a statement
after the block opens a transaction as usual (the driver begins one before its first
statement), so what the session does next keeps its all-or-nothing guarantee.

The switch is the driver connection's own autocommit flag, which SQLAlchemy's asyncpg adapter
reads before each statement. A connection goes back to the pool with it off (`keep_transactions`),
whatever ended the block.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

_DRIVER_CONNECTION = "driver_connection"


async def _driver_connection(session: AsyncSession) -> Any:
    # A session's transaction keeps one connection until it ends: asked for once, remembered.
    transaction = session.sync_session.get_transaction()
    remembered = session.info.get(_DRIVER_CONNECTION)
    if (
        remembered is not None
        and transaction is not None
        and transaction.is_active
        and remembered[0] is transaction
    ):
        return remembered[1]
    connection = await session.connection()
    driver_connection = connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    session.info[_DRIVER_CONNECTION] = (session.sync_session.get_transaction(), driver_connection)
    return driver_connection


def _transaction_open(driver_connection: Any) -> bool:
    # The adapter keeps asyncpg's transaction while one is open; anything else is treated as
    # open, so an unknown driver never runs a statement outside the transaction it is in.
    return getattr(driver_connection, "_transaction", True) is not None


async def in_transaction(session: AsyncSession) -> bool:
    """Return whether the session's connection is inside a database transaction now."""
    return _transaction_open(await _driver_connection(session))


@asynccontextmanager
async def outside_transaction(session: AsyncSession) -> AsyncIterator[bool]:
    """Run the block's statements each on its own, committed as it runs; yields whether so.

    Yields False (and changes nothing) when the session is already inside a transaction or
    the driver is not asyncpg: the statements then run in that transaction, as usual.
    """
    driver_connection = await _driver_connection(session)
    if _transaction_open(driver_connection) or not hasattr(driver_connection, "autocommit"):
        yield False
        return
    driver_connection.autocommit = True
    try:
        yield True
    finally:
        driver_connection.autocommit = False


def keep_transactions(engine: AsyncEngine) -> None:
    """Make every connection of `engine` go back to its pool with transactions on."""

    def checkin(driver_connection: Any, _record: Any) -> None:
        if getattr(driver_connection, "autocommit", False):
            driver_connection.autocommit = False

    event.listen(engine.sync_engine.pool, "checkin", checkin)
