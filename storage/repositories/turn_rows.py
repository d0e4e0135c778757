"""The rows a turn of a chat works on, read in one statement at the start of the turn.

A text answer reads the chat, its grant and the grant's registration. Read one by one through
the models' default loading, that is three statements and a 13-table join (the grant's school,
district and granting officer, each with its district and oblast), none of which the turn
reads. `load_turn_rows` reads the three rows in one three-table statement, without the chains,
and remembers them on the session, so `get_chat`, `grant_by_id` (the identity map) and
`registration_of_grant` answer from it for the rest of that transaction. Nothing outlives the
session: the next turn reads the rows afresh, so a grant revoked meanwhile is seen at once.

Rows read here do not load their chains on access (`raiseload`): a turn that needs a school's
name queries for it.

The same statement says whether the chat has a handed-over reply the outbox has not finished
(`storage.models.outbox`): the turn's replies then go behind it (`bot.reply_order`). It is
asked of a row that always exists (a one-row FROM, the chat joined to it), so a chat with no
row yet is answered too, at no extra statement.

`open_turn` also deals with the turn's inbound delivery. On PostgreSQL the same statement says
whether the delivery was recorded before, and runs outside a transaction (no BEGIN): the
delivery is recorded at the end of the turn, together with what the turn wrote
(`turn_commit.close_turn`), in one statement when the writes allow. SQLite records it first,
in the turn's transaction, then reads: two statements.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    bindparam,
    exists,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Load

from storage.autocommit import outside_transaction
from storage.enums import Channel
from storage.models import AccessGrant, ChannelMessage, LinkedChat, OutboxMessage, Registration
from storage.repositories.deliveries import inbound_key, record_inbound
from storage.repositories.turn_commit import record_with_writes

_ROWS = "turn_rows"
_TURN_MODELS = (LinkedChat, AccessGrant, Registration)


@dataclass(frozen=True)
class OpenedTurn:
    """A turn whose delivery was new: its rows are remembered on the session."""

    behind_outbox: bool  # the chat has a handed-over reply the outbox has not finished


@functools.cache
def without_chains() -> tuple[Load, ...]:
    """Loader options for a turn's rows: no school, district or officer chains, none on access."""
    return tuple(Load(m).raiseload("*", sql_only=True) for m in _TURN_MODELS)


def _rows_of(one_row: FromClause, *more: ColumnElement) -> Select:
    channel, chat_id = bindparam("channel"), bindparam("chat")
    # `reply IS NOT NULL` as written in the partial index, so both databases use it.
    behind_outbox = exists().where(
        OutboxMessage.channel == channel,
        OutboxMessage.chat_id == chat_id,
        OutboxMessage.reply.is_not(None),
    )
    return (
        select(behind_outbox.label("behind_outbox"), LinkedChat, AccessGrant, Registration, *more)
        .select_from(one_row)
        .outerjoin(LinkedChat, and_(LinkedChat.channel == channel, LinkedChat.chat_id == chat_id))
        .outerjoin(AccessGrant, AccessGrant.id == LinkedChat.grant_id)
        .outerjoin(Registration, Registration.grant_id == AccessGrant.id)
        .options(*without_chains())
    )


@functools.cache
def _statement() -> Select:
    # Built once, with bound parameters: building it per turn (coercions, options, the cache
    # key) cost as much CPU as running it. Built on first use, once the mappers are configured.
    return _rows_of(_one_row())


def _one_row() -> FromClause:
    return select(literal_column("1").label("one")).subquery("turn")


@functools.cache
def _probing_statement() -> Select:
    # PostgreSQL: the rows, and whether the delivery was recorded before (the unique index).
    recorded_before = exists().where(ChannelMessage.idempotency_key == bindparam("key"))
    return _rows_of(_one_row(), recorded_before.label("recorded_before"))


async def open_turn(
    session: AsyncSession,
    channel: Channel,
    chat_id: str,
    *,
    delivery_id: str | None,
    phone: str = "",
) -> OpenedTurn | None:
    """Read the turn's rows (`load_turn_rows`) and see to its delivery; None: seen before.

    A delivery recorded before is not applied again; `delivery_id` None records nothing (the
    turn is applied whatever came before).
    """
    if delivery_id is None:
        return OpenedTurn(await load_turn_rows(session, channel, chat_id))
    if session.bind.dialect.name != "postgresql":
        if not await record_inbound(session, channel, delivery_id, phone=phone):
            return None
        return OpenedTurn(await load_turn_rows(session, channel, chat_id))
    params = {"channel": channel, "chat": chat_id, "key": inbound_key(delivery_id)}
    async with outside_transaction(session):
        # Nothing is pending yet: the session need not look for something to flush first.
        row = (
            await session.execute(
                _probing_statement(), params, execution_options={"autoflush": False}
            )
        ).one()
    if row.recorded_before:
        return None
    record_with_writes(session, channel, delivery_id, phone)
    return OpenedTurn(_remember(session, channel, chat_id, row[:4]))


async def load_turn_rows(session: AsyncSession, channel: Channel, chat_id: str) -> bool:
    """Read the chat `chat_id`, its grant and registration; remember them on `session`.

    Returns whether the chat has a handed-over reply the outbox has not finished yet.
    """
    statement = _statement()
    row = (await session.execute(statement, {"channel": channel, "chat": chat_id})).one()
    return _remember(session, channel, chat_id, row)


def _remember(session: AsyncSession, channel: Channel, chat_id: str, row: tuple) -> bool:
    behind_outbox, chat, grant, registration = row
    remembered: dict = session.info.setdefault(_ROWS, {})
    # A chat with no row yet is remembered as such: the turn creates it without asking again.
    remembered[("chat", channel, chat_id)] = chat
    if chat is None:
        return bool(behind_outbox)
    # Held here because the identity map holds rows weakly: `grant_by_id` finds it there.
    remembered[("grant", chat.grant_id)] = grant
    if registration is not None:
        remembered[("registration", registration.grant_id)] = registration
    return bool(behind_outbox)


def remembered_chat(
    session: AsyncSession, channel: Channel, chat_id: str
) -> tuple[bool, LinkedChat | None]:
    """Return whether `load_turn_rows` read the chat in this session, and its row (None: none)."""
    remembered = session.info.get(_ROWS, {})
    key = ("chat", channel, chat_id)
    return key in remembered, remembered.get(key)


def remember_new_chat(session: AsyncSession, chat: LinkedChat) -> None:
    """Remember the row a turn created for a chat `load_turn_rows` found without one."""
    remembered = session.info.get(_ROWS)
    if remembered is not None:
        remembered[("chat", chat.channel, chat.chat_id)] = chat


def remembered_registration(session: AsyncSession, grant_id: int) -> Registration | None:
    """Return the grant's registration read by `load_turn_rows` in this session, if read."""
    return session.info.get(_ROWS, {}).get(("registration", grant_id))
