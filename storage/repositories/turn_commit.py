"""A turn's writes and the record of its delivery, committed together, in one statement if they fit.

On PostgreSQL a turn reads its rows outside a transaction (`turn_rows.open_turn`) and records
its delivery last, with what it wrote: `close_turn`. When all the turn changed are columns of
rows it read (a typed answer, a press: the registration's draft), the record and the changes
are one statement, committed on its own: no BEGIN, no COMMIT, no unit of work:

    WITH recorded AS (INSERT INTO channel_messages ... ON CONFLICT DO NOTHING RETURNING id),
         changed_0 AS (UPDATE registrations SET ... WHERE id = :pk AND version = :seen
                       AND EXISTS (SELECT FROM recorded) RETURNING id)
    SELECT (SELECT count(*) FROM recorded), 1 / ((SELECT count(*) FROM changed_0) + 1
                                                 - (SELECT count(*) FROM recorded))

- A delivery recorded before (a second replica applied it meanwhile) inserts nothing, and
  then nothing is changed: the turn is reported as a redelivery.
- A row whose version moved since the turn read it (an officer saved the form meanwhile), or
  that is gone, is not changed, and the division by zero then fails the whole statement, the
  record with it: `StaleDataError`, as the unit of work raises, and the channel leaves the
  delivery to come again.

Anything else (new rows, deletions, a relationship changed, or a transaction the turn opened
by reading more) is recorded inside the turn's transaction, then flushed and committed as
usual. SQLite records the delivery first, in the transaction (`turn_rows.open_turn`).

Since the record comes last, two replicas running the same delivery at once (the chat's lock
expired under the first) both run the conversation; the database keeps exactly one effect,
the second finds the delivery recorded and shows the current question. A chat's first message
run so creates the chat's row once: the second insert waits for the first's and takes it
(`chats.get_or_create_chat`). What the loser did outside the database stays: a photo it stored
is left unreferenced.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    Select,
    bindparam,
    exists,
    func,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ColumnProperty, Mapper
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ClauseElement

from storage.autocommit import in_transaction, outside_transaction
from storage.repositories.deliveries import inbound_insert, inbound_params, record_inbound

_DELIVERY = "turn_delivery"
_DIVISION_BY_ZERO = "22012"


@dataclass(frozen=True)
class _Delivery:
    channel: Any
    delivery_id: str
    phone: str


@dataclass(frozen=True)
class _RowUpdate:
    """The columns a turn changed on one row it read."""

    row: Any
    mapper: Mapper
    keys: tuple[str, ...]  # attribute keys of the changed columns, sorted
    values: dict[str, Any]


def record_with_writes(session: AsyncSession, channel: Any, delivery_id: str, phone: str) -> None:
    """Leave the delivery to be recorded by `close_turn`, with the turn's writes."""
    session.info[_DELIVERY] = _Delivery(channel, delivery_id, phone)


async def close_turn(session: AsyncSession) -> bool:
    """Record the turn's delivery with its writes; False: recorded before, apply nothing.

    Call last in the turn's session, before it commits. Raises StaleDataError when a row the
    turn changed was changed by someone else since it was read.
    """
    delivery: _Delivery | None = session.info.pop(_DELIVERY, None)
    if delivery is None:
        return True  # recorded when the turn opened, or nothing to record
    updates = None if await in_transaction(session) else _row_updates(session)
    if updates is None:
        return await record_inbound(
            session, delivery.channel, delivery.delivery_id, phone=delivery.phone
        )
    params = inbound_params(delivery.channel, delivery.delivery_id, delivery.phone)
    changes = [u for u in updates if u.keys]  # a row only touched is not written
    for n, change in enumerate(changes):
        params.update(_update_params(n, change))
    statement = _one_statement(tuple((u.mapper, u.keys) for u in changes))
    async with outside_transaction(session):
        try:
            # On the connection, not the session: the session would flush the rows first.
            connection = await session.connection()
            recorded = (await connection.execute(statement, params)).scalar_one()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _DIVISION_BY_ZERO:
                raise StaleDataError("a row the turn changed was changed meanwhile") from None
            raise
    for change in updates:
        # Written: the session must not write it again when it commits.
        session.expunge(change.row)
    return bool(recorded)


def _row_updates(session: AsyncSession) -> list[_RowUpdate] | None:
    """Return the column changes of the rows the turn read; None when it did more than that."""
    if session.new or session.deleted:
        return None
    updates = []
    for row in session.dirty:
        state = inspect(row)
        mapper = state.mapper
        if len(mapper.primary_key) != 1 or mapper.version_id_generator is False:
            return None
        if mapper.version_id_col is not None and _version_key(mapper) not in state.dict:
            return None  # expired: the version the turn read is not known here
        values: dict[str, Any] = {}
        for key, before in state.committed_state.items():
            prop = mapper.attrs.get(key)
            if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
                return None  # a relationship or a composite: the unit of work knows how
            column = prop.columns[0]
            if not isinstance(column, Column) or column.table is not mapper.local_table:
                return None  # an expression or another table's column
            if column is mapper.version_id_col or column.primary_key:
                return None  # the row's identity itself changed
            if key not in state.dict:
                return None  # expired: its value is not known here
            now = state.dict[key]
            if isinstance(now, ClauseElement) or hasattr(now, "__clause_element__"):
                return None  # a SQL expression: the unit of work renders it inline
            if before is not NO_VALUE and column.type.compare_values(before, now):
                continue  # set to what it was: the unit of work would not write it either
            values[key] = now
        updates.append(_RowUpdate(row, mapper, tuple(sorted(values)), values))
    return updates


def _update_params(n: int, change: _RowUpdate) -> dict[str, Any]:
    mapper, state = change.mapper, inspect(change.row)
    params = {f"pk_{n}": mapper.primary_key_from_instance(change.row)[0]}
    params.update({f"set_{n}_{key}": change.values[key] for key in change.keys})
    if mapper.version_id_col is not None:
        seen = state.dict[_version_key(mapper)]
        params[f"seen_{n}"] = seen
        params[f"next_{n}"] = mapper.version_id_generator(seen)
    return params


def _version_key(mapper: Mapper) -> str:
    return mapper.get_property_by_column(mapper.version_id_col).key


@functools.lru_cache(maxsize=256)
def _one_statement(shape: tuple[tuple[Mapper, tuple[str, ...]], ...]) -> Select:
    """Build the record-and-change statement for rows of `shape` (built once per shape)."""
    recorded = inbound_insert("postgresql").cte("recorded")
    recorded_count = select(func.count()).select_from(recorded).scalar_subquery()
    columns = [recorded_count.label("recorded")]
    for n, (mapper, keys) in enumerate(shape):
        table = mapper.local_table
        pk = mapper.primary_key[0]
        values = {
            mapper.attrs[key].columns[0]: bindparam(
                f"set_{n}_{key}", type_=mapper.attrs[key].columns[0].type
            )
            for key in keys
        }
        where = [pk == bindparam(f"pk_{n}"), exists(select(recorded.c.id))]
        if mapper.version_id_col is not None:
            version = mapper.version_id_col
            values[version] = bindparam(f"next_{n}", type_=version.type)
            where.append(version == bindparam(f"seen_{n}", type_=version.type))
        changed = update(table).where(*where).values(values).returning(pk).cte(f"changed_{n}")
        changed_count = select(func.count()).select_from(changed).scalar_subquery()
        # Recorded but not changed: the row moved on (another version) or is gone. As the
        # unit of work raises for an UPDATE that matched nothing, the statement fails, record
        # and all.
        one = literal_column("1", Integer)
        columns.append((one // (changed_count + one - recorded_count)).label(f"changed_{n}"))
    return select(*columns)
