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

`open_turn` also records the turn's inbound delivery first (`record_inbound`). On PostgreSQL the
insert is a data-modifying CTE of the same statement, so recording and reading are one round
trip; a delivery recorded before returns no row at all. SQLite has no such CTE: two statements.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, and_, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Load

from storage.enums import Channel
from storage.models import AccessGrant, LinkedChat, Registration
from storage.repositories.deliveries import inbound_insert, inbound_params, record_inbound

_ROWS = "turn_rows"
_TURN_MODELS = (LinkedChat, AccessGrant, Registration)


@functools.cache
def _statement() -> Select:
    # Built once, with bound parameters: building it per turn (coercions, options, the cache
    # key) cost as much CPU as running it. Built on first use, once the mappers are configured.
    return (
        select(LinkedChat, AccessGrant, Registration)
        .outerjoin(AccessGrant, AccessGrant.id == LinkedChat.grant_id)
        .outerjoin(Registration, Registration.grant_id == AccessGrant.id)
        .where(LinkedChat.channel == bindparam("channel"), LinkedChat.chat_id == bindparam("chat"))
        .options(*(Load(m).raiseload("*", sql_only=True) for m in _TURN_MODELS))
    )


@functools.cache
def _recording_statement() -> Select:
    # PostgreSQL only: the delivery's insert as a CTE, the rows outer-joined to what it returned.
    recorded = inbound_insert("postgresql").cte("recorded")
    return (
        select(recorded.c.id, LinkedChat, AccessGrant, Registration)
        .select_from(recorded)
        .outerjoin(
            LinkedChat,
            and_(
                LinkedChat.channel == bindparam("channel"),
                LinkedChat.chat_id == bindparam("chat"),
            ),
        )
        .outerjoin(AccessGrant, AccessGrant.id == LinkedChat.grant_id)
        .outerjoin(Registration, Registration.grant_id == AccessGrant.id)
        .where(true())
        .options(*(Load(m).raiseload("*", sql_only=True) for m in _TURN_MODELS))
    )


async def open_turn(
    session: AsyncSession,
    channel: Channel,
    chat_id: str,
    *,
    delivery_id: str | None,
    phone: str = "",
) -> bool:
    """Record the turn's delivery and read its rows (`load_turn_rows`); False: seen before.

    A delivery recorded before is not applied again; None records nothing (applied always).
    """
    if delivery_id is None:
        await load_turn_rows(session, channel, chat_id)
        return True
    if session.bind.dialect.name != "postgresql":
        if not await record_inbound(session, channel, delivery_id, phone=phone):
            return False
        await load_turn_rows(session, channel, chat_id)
        return True
    params = {**inbound_params(channel, delivery_id, phone), "chat": chat_id}
    row = (await session.execute(_recording_statement(), params)).first()
    if row is None:
        return False  # the insert did nothing: recorded before
    _remember(session, channel, chat_id, row[1:])
    return True


async def load_turn_rows(session: AsyncSession, channel: Channel, chat_id: str) -> None:
    """Read the chat `chat_id`, its grant and registration; remember them on `session`."""
    statement = _statement()
    row = (await session.execute(statement, {"channel": channel, "chat": chat_id})).first()
    if row is not None:
        _remember(session, channel, chat_id, row)


def _remember(session: AsyncSession, channel: Channel, chat_id: str, row: tuple) -> None:
    chat, grant, registration = row
    if chat is None:
        return  # a new chat: created by the turn, through the usual queries
    remembered: dict = session.info.setdefault(_ROWS, {})
    remembered[("chat", channel, chat_id)] = chat
    # Held here because the identity map holds rows weakly: `grant_by_id` finds it there.
    remembered[("grant", chat.grant_id)] = grant
    if registration is not None:
        remembered[("registration", registration.grant_id)] = registration


def remembered_chat(session: AsyncSession, channel: Channel, chat_id: str) -> LinkedChat | None:
    """Return the chat read by `load_turn_rows` in this session, or None when not read."""
    return session.info.get(_ROWS, {}).get(("chat", channel, chat_id))


def remembered_registration(session: AsyncSession, grant_id: int) -> Registration | None:
    """Return the grant's registration read by `load_turn_rows` in this session, if read."""
    return session.info.get(_ROWS, {}).get(("registration", grant_id))
