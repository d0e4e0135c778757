"""The INSERT construct of the database in use, for inserts that say ON CONFLICT.

PostgreSQL and SQLite both take `INSERT ... ON CONFLICT DO NOTHING`, but SQLAlchemy builds it
with each dialect's own `insert`; the generic one has no `on_conflict_do_nothing`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def conflict_insert(dialect: str) -> Callable:
    """Return `insert` of the dialect named `dialect` ("postgresql"; anything else: SQLite)."""
    return postgresql_insert if dialect == "postgresql" else sqlite_insert
