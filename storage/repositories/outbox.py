"""The outbox's rows: stored notices expanded into messages, claimed in order, marked done.

Claiming is one statement (`WITH due AS (SELECT ... FOR UPDATE SKIP LOCKED) UPDATE ... FROM
due RETURNING`): on PostgreSQL replicas share the work without waiting on each other's rows; on
SQLite the statement holds the database's write lock, so two claims never take the same row.
A claim leases the row (`not_before` moves to the end of the lease) and counts an attempt: a
sender that dies while sending leaves the row to be claimed again once the lease is over. The
attempt count is the lease's token: a sender whose lease ran out while it was still sending
records nothing over the sender that claimed the row after it (`settle(..., attempt=...)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.conflict_insert import conflict_insert
from storage.enums import Channel
from storage.models.chats import LinkedChat
from storage.models.outbox import FAILED, PENDING, OutboxMessage, OutboxNotice


def utc(moment: datetime) -> datetime:
    """Return `moment` as an aware UTC time (SQLite gives them back without a zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def claim_notices(session: AsyncSession, *, limit: int) -> list[OutboxNotice]:
    """Lock and return up to `limit` stored notices, oldest first (others' locks skipped)."""
    rows = await session.scalars(
        select(OutboxNotice)
        .order_by(OutboxNotice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def forget_notices(session: AsyncSession, ids: Sequence[int]) -> None:
    """Delete the notices `ids`: their messages are written in the same transaction."""
    if ids:
        await session.execute(delete(OutboxNotice).where(OutboxNotice.id.in_(ids)))


async def add_message(
    session: AsyncSession,
    *,
    channel: Channel,
    chat_id: str,
    key: str,
    notice: dict[str, Any] | None = None,
    reply: dict[str, Any] | None = None,
    not_before: datetime | None = None,
    failed: str | None = None,
) -> bool:
    """Store one message for one chat; False when a message with `key` exists already.

    With `failed` (a reason), the message is stored as given up already: officers see it.
    """
    dialect = session.bind.dialect.name
    insert = conflict_insert(dialect)
    statement = (
        insert(OutboxMessage)
        .values(
            channel=channel,
            chat_id=chat_id,
            key=key,
            notice=notice,
            reply=reply,
            status=PENDING if failed is None else FAILED,
            error=failed,
            finished_at=None if failed is None else datetime.now(UTC),
            attempts=0,
            parts_sent=0,
            not_before=not_before or datetime.now(UTC),
        )
        .on_conflict_do_nothing()
        .returning(OutboxMessage.id)
    )
    return (await session.execute(statement)).scalar() is not None


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[OutboxMessage]:
    """Lease and return the due messages that are the oldest pending one of their chat.

    A chat's later message waits while an earlier one is pending (due later, or leased by a
    sender that is sending it): per chat, messages go out in the order they were stored.
    """
    candidate = aliased(OutboxMessage)
    first_of_chat = _first_of_its_chat(candidate)
    # A materialized CTE: PostgreSQL may run an `IN (SELECT ... LIMIT n)` subquery more than
    # once and so update more than n rows; the CTE is evaluated (and its rows locked) once.
    due = (
        select(candidate.id)
        .where(candidate.status == PENDING, candidate.not_before <= now, first_of_chat)
        .order_by(candidate.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=candidate)
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    claimed = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id == due.c.id, OutboxMessage.status == PENDING)
        .values(not_before=lease_until, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed, key=lambda row: row.id)


def _first_of_its_chat(candidate: Any) -> ColumnElement[bool]:
    """Whether no earlier message of `candidate`'s chat is still pending."""
    # An alias of its own: the subquery must not correlate with an UPDATE's own table.
    earlier = aliased(OutboxMessage)
    return ~exists().where(
        and_(
            earlier.status == PENDING,
            earlier.channel == candidate.channel,
            earlier.chat_id == candidate.chat_id,
            earlier.id < candidate.id,
        )
    )


async def settle(
    session: AsyncSession,
    message_id: int,
    *,
    status: str,
    parts_sent: int,
    not_before: datetime | None = None,
    error: str | None = None,
    at: datetime | None = None,
    attempt: int | None = None,
) -> bool:
    """Record what became of a claimed message: sent, failed, dropped, or due again later.

    With `attempt` (the row's `attempts` as the claim returned it), only while that claim
    still holds: False, and nothing written, when the row was claimed again since (its lease
    ran out) or is finished already.
    """
    values: dict[str, Any] = {"status": status, "parts_sent": parts_sent, "error": error}
    if status == PENDING:
        values["not_before"] = not_before or datetime.now(UTC)
    else:
        values["finished_at"] = at or datetime.now(UTC)
        values["reply"] = None  # a handed-over reply's text is not kept once it is done
    condition = OutboxMessage.id == message_id
    if attempt is not None:
        condition &= (OutboxMessage.attempts == attempt) & (OutboxMessage.status == PENDING)
    result = await session.execute(
        update(OutboxMessage)
        .where(condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def next_due(session: AsyncSession) -> datetime | None:
    """Return when the earliest pending message falls due, or None when nothing is pending."""
    if await session.scalar(select(OutboxNotice.id).limit(1)) is not None:
        return datetime.now(UTC)
    # Only the first pending message of each chat: a later one waits for it, however due.
    candidate = aliased(OutboxMessage)
    moment = await session.scalar(
        select(func.min(candidate.not_before)).where(
            candidate.status == PENDING, _first_of_its_chat(candidate)
        )
    )
    return utc(moment) if moment is not None else None


async def mark_unreachable(
    session: AsyncSession, channel: Channel, chat_id: str, *, at: datetime
) -> None:
    """Mark the chat as one nothing reaches (blocked bot, deleted account, unsubscribed)."""
    await session.execute(
        update(LinkedChat)
        .where(
            LinkedChat.channel == channel,
            LinkedChat.chat_id == chat_id,
            LinkedChat.blocked_at.is_(None),
        )
        .values(blocked_at=at)
    )
