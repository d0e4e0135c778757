"""One async engine and session factory per process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from config.settings import Settings
from storage.autocommit import keep_transactions

# The pool of one process: as many connections as the turns it runs at once (the Telegram
# webhook admits 48 updates at a time) plus room for the officers' pages and background work.
POOL_SIZE = 50
POOL_OVERFLOW = 10
POOL_RECYCLE_SECONDS = 1800


def is_disconnect(exc: BaseException) -> bool:
    """Return whether `exc` (or what caused it) is a database connection that was lost."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__
    return False


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = POOL_SIZE,
        max_overflow: int = POOL_OVERFLOW,
        recycle_seconds: int = POOL_RECYCLE_SECONDS,
        pre_ping: bool = False,
    ) -> Database:
        """Return a Database for `url` (SQLite: a file; PostgreSQL: a pool of `pool_size`).

        PostgreSQL connections are not pinged before use (a ping is BEGIN, a statement and
        ROLLBACK: three round trips before every transaction). A connection that died (the
        server restarted, an idle connection was cut) fails its first statement instead; the
        pool then drops every connection opened before, and the turn runner runs the turn
        again on a fresh one (`is_disconnect`). `recycle_seconds` replaces connections before
        a firewall or the server's idle timeout cuts them.
        """
        parsed = make_url(url)
        # Parameters are PINs, passports and phones: never in a log line or an error's text.
        kwargs: dict = {"echo": echo, "hide_parameters": True}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_recycle=recycle_seconds,
                pool_pre_ping=pre_ping,
            )
        engine = create_async_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            # aiosqlite logs every statement with its parameters (PINs, passports) at DEBUG.
            logging.getLogger("aiosqlite").setLevel(logging.INFO)
        else:
            keep_transactions(engine)
        return cls(engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Return the Database of DATABASE_URL with the pool of DB_POOL_SIZE/DB_POOL_OVERFLOW."""
        return cls.from_url(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_overflow,
            recycle_seconds=settings.db_pool_recycle_seconds,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Yield a session inside a transaction: committed on exit, rolled back on error."""
        session = self.sessionmaker()
        ended = False
        try:
            async with session.begin():
                yield session
            ended = True
        finally:
            if ended:
                # Committed: the connection is back in the pool, closing only forgets the
                # rows; nothing can be left half-done, so it needs no task of its own.
                await session.close()
            else:
                # An error, a cancellation, a failed commit: the session's own exit closes it
                # in a task shielded from cancellation, so its connection goes back to the
                # pool whatever happens meanwhile.
                await session.__aexit__(None, None, None)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health check reports any failure as "down"
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
