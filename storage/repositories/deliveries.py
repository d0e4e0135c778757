"""Inbound deliveries: each provider message is applied once, even across crashes and replicas."""

from __future__ import annotations

from sqlalchemy import Insert, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conflict_insert import conflict_insert
from storage.enums import Channel, MessageDirection
from storage.models.messages import ChannelMessage


async def record_inbound(
    session: AsyncSession, channel: Channel, delivery_id: str, *, phone: str = ""
) -> bool:
    """Record `delivery_id` in the session's transaction; False when it was recorded before.

    Committed together with the turn's effect, so a message is applied at most once even when
    the process dies between storing the answer and telling the provider it is done. One
    statement: an insert that does nothing on a known key (PostgreSQL and SQLite both say
    ON CONFLICT).

    Args:
        session: the turn's session; the row commits or rolls back with the turn.
        channel: where the message came from.
        delivery_id: the provider's id (Telegram "tg:<bot>:<update>", a Twilio MessageSid).
        phone: the sender's number in E.164 when the channel proves it (WhatsApp), else "".

    """
    statement = inbound_insert(session.bind.dialect.name)
    recorded = await session.execute(statement, inbound_params(channel, delivery_id, phone))
    return recorded.scalar() is not None


def inbound_key(delivery_id: str) -> str:
    """Return the idempotency key an inbound delivery is recorded under."""
    return f"in:{delivery_id}"


def inbound_params(channel: Channel, delivery_id: str, phone: str) -> dict[str, object]:
    """Return the bound parameters of `inbound_insert` for one delivery."""
    return {
        "in_channel": channel,
        "in_key": inbound_key(delivery_id),
        "in_phone": phone,
        "in_sid": delivery_id if channel is Channel.WHATSAPP else None,
    }


# Built once per dialect, with bound parameters: constructing the statement anew each turn
# (values coerced, the cache key computed) cost more CPU than executing it. A Core insert on
# the table, not the mapped class: nothing here needs the ORM's bulk-insert path. The binds are
# named after no column: a parameter named like a column of a table a statement that embeds
# this one updates would become a SET of that column.
_INSERTS: dict[str, Insert] = {}


def inbound_insert(dialect: str) -> Insert:
    """Return the insert of one inbound delivery for `dialect`, returning its id when new."""
    if dialect in _INSERTS:
        return _INSERTS[dialect]
    insert = conflict_insert(dialect)
    table = ChannelMessage.__table__
    statement = (
        insert(table)
        .values(
            channel=bindparam("in_channel"),
            direction=MessageDirection.INBOUND,
            idempotency_key=bindparam("in_key"),
            phone=bindparam("in_phone"),
            purpose="inbound",
            provider_sid=bindparam("in_sid"),
            status="received",
            attempts=0,
        )
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )
    return _INSERTS.setdefault(dialect, statement)
