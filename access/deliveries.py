"""Delivery problems officers act on: messages that did not arrive, bots blocked.

Three lists: the system's own messages (notices, reminders, announcements) the outbox gave up
on, on either channel, with the reason; WhatsApp messages Twilio failed or did not deliver, or
that a process stopped while sending; and the chats nothing reaches any more.

Each row is tied to a person by what the row itself knows: a WhatsApp message by its phone
(a grant of the current campaign, or an officer), a chat by the grant or officer it is linked
to. Scope follows the person:

- the central admin sees every row, also rows that match nobody;
- a district coordinator sees rows whose person is a grant of their district, or an officer
  of their district (or of a school of their district); rows that match nobody are hidden;
- a school coordinator sees the current graduates of their school, and themselves.

Message bodies are never stored (see `storage.models.messages`); nothing here reads access
codes or passwords.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from access.listing import PAGE_MAX
from access.scope import Scope
from storage.enums import Channel, GrantKind, MessageDirection
from storage.models import AccessGrant, ChannelMessage, LinkedChat, Officer, OutboxMessage, School
from storage.models.outbox import FAILED as OUTBOX_FAILED

# The outbox's vocabulary (bot.whatsapp.bookkeeping.PROBLEM_STATUSES; the web may not import the
# bot): Twilio's two failures, and "unknown" for a send that timed out and may not have left.
PROBLEM_STATUSES: tuple[str, ...] = ("failed", "undelivered", "unknown")
# A reply is recorded "reserved" just before Twilio is called and moves on within seconds (the
# call's timeout is far shorter); one still reserved after this long was being sent by a
# process that stopped (killed, crashed) before it recorded Twilio's answer: whether it left
# is unknown, and nothing will ever move it on.
RESERVED = "reserved"
STALE_RESERVATION = timedelta(minutes=10)
STOPPED = "stopped"  # how such a row is shown: "unknown: the process stopped while sending"


@dataclass(frozen=True)
class FailedMessage:
    """An outbound WhatsApp message that failed, was not delivered, or may not have been sent.

    Attributes:
        at: when its status was last recorded.
        phone: the recipient, E.164.
        purpose: what it was: ``reply``, ``credentials``, ``notification``...
        status: ``failed``, ``undelivered``, ``unknown``, or ``stopped`` (still reserved long
            after its process should have sent it: see `STALE_RESERVATION`).
        error_code: Twilio's error code, when Twilio gave one.
        applicant: the full name on the current campaign's grant of that phone, if any.
        officer: the full name of the officer with that phone, if any.

    """

    at: datetime
    phone: str
    purpose: str
    status: str
    error_code: int | None
    applicant: str | None
    officer: str | None


@dataclass(frozen=True)
class BlockedChat:
    """A chat whose user blocked the bot: nothing sent there arrives.

    Attributes:
        at: when the block was noticed.
        channel: Telegram or WhatsApp.
        phone: the chat's verified phone, else the linked grant's or officer's; may be None.
        applicant: the linked grant's full name, if any.
        officer: the linked officer's full name, if any.

    """

    at: datetime
    channel: Channel
    phone: str | None
    applicant: str | None
    officer: str | None


@dataclass(frozen=True)
class FailedNotice:
    """A message the system sent on its own that the outbox gave up on.

    Attributes:
        at: when it was given up.
        channel: Telegram or WhatsApp.
        kind: what it was: the notice's type (``ApplicantNotice``, ``ReviewPrompt``,
            ``ReminderNotice``, ``AnnouncementNotice``) or ``reply`` (a turn's reply).
        reason: the short code of why (e.g. ``telegram:blocked``, ``twilio:63024``).
        phone: the chat's verified phone, else the linked grant's or officer's; may be None.
        applicant: the linked grant's full name, if any.
        officer: the linked officer's full name, if any.

    """

    at: datetime
    channel: Channel
    kind: str
    reason: str
    phone: str | None
    applicant: str | None
    officer: str | None


async def list_failed_notices(
    session: AsyncSession, *, actor: Officer, campaign_year: int, offset: int = 0, limit: int = 50
) -> tuple[list[FailedNotice], int]:
    """Return one page of the outbox's failed messages `actor` may see, newest first.

    Args:
        session: the caller's session.
        actor: the officer looking.
        campaign_year: grants of earlier campaigns are left out (that applicant is done).
        offset: rows to skip.
        limit: page size (1 to 500).

    Returns:
        The page and the total number of rows in scope.

    """
    grant, officer, school = _people()
    chat = aliased(LinkedChat)
    stmt = (
        select(
            OutboxMessage.finished_at.label("at"),
            OutboxMessage.id.label("id"),
            OutboxMessage.channel.label("channel"),
            OutboxMessage.notice.label("notice"),
            OutboxMessage.error.label("reason"),
            func.coalesce(chat.phone, grant.phone, officer.phone).label("phone"),
            grant.full_name.label("applicant"),
            officer.full_name.label("officer"),
        )
        .select_from(OutboxMessage)
        .outerjoin(
            chat,
            (chat.channel == OutboxMessage.channel) & (chat.chat_id == OutboxMessage.chat_id),
        )
        .outerjoin(grant, grant.id == chat.grant_id)
        .outerjoin(officer, officer.id == chat.officer_id)
        .outerjoin(school, school.id == officer.school_id)
        .where(
            OutboxMessage.status == OUTBOX_FAILED,
            or_(chat.grant_id.is_(None), grant.campaign_year == campaign_year),
        )
    )
    rows, total = await _page(
        session, _scoped(stmt, Scope.of(actor), grant, officer, school), offset, limit
    )
    return [
        FailedNotice(
            at=r.at,
            channel=r.channel,
            kind=str(r.notice.get("type")) if r.notice else "reply",
            reason=r.reason or "",
            phone=r.phone,
            applicant=r.applicant,
            officer=r.officer,
        )
        for r in rows
    ], total


async def list_failed_messages(
    session: AsyncSession,
    *,
    actor: Officer,
    campaign_year: int,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[list[FailedMessage], int]:
    """Return one page of the problem WhatsApp messages `actor` may see, newest first.

    Args:
        session: the caller's session.
        actor: the officer looking.
        campaign_year: grants of this campaign name the applicants.
        offset: rows to skip.
        limit: page size (1 to 500).
        now: the current time (tests); a reservation older than `STALE_RESERVATION` is shown.

    Returns:
        The page and the total number of rows in scope.

    """
    grant, officer, school = _people()
    stmt = (
        select(
            ChannelMessage.updated_at.label("at"),
            ChannelMessage.id.label("id"),
            ChannelMessage.phone.label("phone"),
            ChannelMessage.purpose.label("purpose"),
            case(
                (ChannelMessage.status == RESERVED, literal(STOPPED)), else_=ChannelMessage.status
            ).label("status"),
            ChannelMessage.error_code.label("error_code"),
            grant.full_name.label("applicant"),
            officer.full_name.label("officer"),
        )
        .select_from(ChannelMessage)
        # A phone holds at most one grant per campaign and one officer: no row is doubled.
        .outerjoin(
            grant,
            (grant.phone == ChannelMessage.phone) & (grant.campaign_year == campaign_year),
        )
        .outerjoin(officer, officer.phone == ChannelMessage.phone)
        .outerjoin(school, school.id == officer.school_id)
        .where(
            ChannelMessage.channel == Channel.WHATSAPP,
            ChannelMessage.direction == MessageDirection.OUTBOUND,
            or_(
                ChannelMessage.status.in_(PROBLEM_STATUSES),
                (ChannelMessage.status == RESERVED)
                & (ChannelMessage.updated_at < (now or datetime.now(UTC)) - STALE_RESERVATION),
            ),
        )
    )
    rows, total = await _page(
        session, _scoped(stmt, Scope.of(actor), grant, officer, school), offset, limit
    )
    return [
        FailedMessage(
            at=r.at,
            phone=r.phone,
            purpose=r.purpose,
            status=r.status,
            error_code=r.error_code,
            applicant=r.applicant,
            officer=r.officer,
        )
        for r in rows
    ], total


async def list_blocked_chats(
    session: AsyncSession, *, actor: Officer, campaign_year: int, offset: int = 0, limit: int = 50
) -> tuple[list[BlockedChat], int]:
    """Return one page of the chats that blocked the bot `actor` may see, newest first.

    Chats linked to a grant of an earlier campaign are left out: that applicant is done.

    Args:
        session: the caller's session.
        actor: the officer looking.
        campaign_year: the current campaign.
        offset: rows to skip.
        limit: page size (1 to 500).

    Returns:
        The page and the total number of rows in scope.

    """
    grant, officer, school = _people()
    stmt = (
        select(
            LinkedChat.blocked_at.label("at"),
            LinkedChat.id.label("id"),
            LinkedChat.channel.label("channel"),
            func.coalesce(LinkedChat.phone, grant.phone, officer.phone).label("phone"),
            grant.full_name.label("applicant"),
            officer.full_name.label("officer"),
        )
        .select_from(LinkedChat)
        .outerjoin(grant, grant.id == LinkedChat.grant_id)
        .outerjoin(officer, officer.id == LinkedChat.officer_id)
        .outerjoin(school, school.id == officer.school_id)
        .where(
            LinkedChat.blocked_at.is_not(None),
            or_(LinkedChat.grant_id.is_(None), grant.campaign_year == campaign_year),
        )
    )
    rows, total = await _page(
        session, _scoped(stmt, Scope.of(actor), grant, officer, school), offset, limit
    )
    return [
        BlockedChat(
            at=r.at, channel=r.channel, phone=r.phone, applicant=r.applicant, officer=r.officer
        )
        for r in rows
    ], total


def _people() -> tuple[Any, Any, Any]:
    """Fresh aliases of the grant, the officer and the officer's school a row may match."""
    return aliased(AccessGrant), aliased(Officer), aliased(School)


def _scoped(stmt: Select[Any], scope: Scope, grant: Any, officer: Any, school: Any) -> Select[Any]:
    condition = _person_in_scope(scope, grant, officer, school)
    return stmt if condition is None else stmt.where(condition)


def _person_in_scope(
    scope: Scope, grant: Any, officer: Any, school: Any
) -> ColumnElement[bool] | None:
    """Return the filter on the row's matched person; None when everything is visible.

    The person's columns come from outer joins: a row that matched nobody has NULLs there,
    which no comparison accepts, so it is hidden from everyone but the admin.
    """
    if scope.is_central:
        return None
    if scope.is_district:
        if scope.district_id is None:
            return false()
        return or_(
            grant.district_id == scope.district_id,
            officer.district_id == scope.district_id,
            school.district_id == scope.district_id,
        )
    return or_(
        (grant.school_id == scope.school_id) & (grant.kind == GrantKind.CURRENT),
        officer.id == scope.officer_id,
    )


async def _page(
    session: AsyncSession, stmt: Select[Any], offset: int, limit: int
) -> tuple[Sequence[Any], int]:
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    result = await session.execute(
        stmt.order_by(stmt.selected_columns.at.desc(), stmt.selected_columns.id.desc())
        .offset(max(offset, 0))
        .limit(max(min(limit, PAGE_MAX), 1))
    )
    return result.all(), int(total or 0)
