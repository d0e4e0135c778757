"""Alembic environment: async, with every model imported.

On PostgreSQL the upgrade holds a transaction-level advisory lock, so replicas that start
together (each running `ortbot migrate` or `serve`) apply the migrations one after the other:
the first applies them, the others wait, then find the schema at head and do nothing.
Without it two upgrades of an empty database race on CREATE TABLE/TYPE and one fails.
"""

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import storage.models  # noqa: F401 - registers every table on the metadata
from storage.base import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from config.settings import get_settings

        url = get_settings().database_url
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


# Any fixed 64-bit number shared by every replica: "ortbot-migrate" taken as an integer.
MIGRATION_LOCK_KEY = 0x6F7274626F746D67


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "postgresql":
        # Taken on the migration's own connection and transaction, before Alembic reads the
        # current revision; released by the commit (or rollback) that ends the upgrade.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_async_engine(_url())
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
