"""Dashboard figures per scope: counts by status and school, submissions per day, drop-off.

The drop-off funnel counts drafts by the step where they stopped (the step of their first
missing answer, as the conversation would ask next), after the applicants who never started.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.scope import Scope
from config.campaign import Campaign
from flows.form import next_missing
from office.queue import scoped_registrations
from storage.enums import RegistrationStatus
from storage.models import AccessGrant, Officer, Registration, School

FUNNEL_STEPS = ("not_started", "0", "1", "2", "3", "4", "5", "complete")


@dataclass
class SchoolRow:
    code: str
    name: str
    counts: dict[RegistrationStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Dashboard:
    granted: int
    by_status: dict[RegistrationStatus, int]
    by_school: list[SchoolRow]
    per_day: list[tuple[date, int]]
    funnel: list[tuple[str, int]]


async def dashboard(session: AsyncSession, *, actor: Officer, campaign: Campaign) -> Dashboard:
    """Return the figures of `actor`'s scope for `campaign`."""
    scoped = scoped_registrations(actor, campaign.year)
    grants = Scope.of(actor).filter_grants(
        select(func.count())
        .select_from(AccessGrant)
        .where(AccessGrant.campaign_year == campaign.year, AccessGrant.revoked_at.is_(None))
    )
    granted = int(await session.scalar(grants) or 0)
    status_rows = await session.execute(
        scoped.with_only_columns(Registration.status, func.count()).group_by(Registration.status)
    )
    by_status = {status: 0 for status in RegistrationStatus}
    by_status.update({status: int(n) for status, n in status_rows.all()})
    school_rows = await session.execute(
        scoped.join(School, School.id == AccessGrant.school_id)
        .with_only_columns(School.code, School.name, Registration.status, func.count())
        .group_by(School.code, School.name, Registration.status)
        .order_by(School.code)
    )
    schools: dict[str, SchoolRow] = {}
    for code, name, status, n in school_rows.all():
        schools.setdefault(code, SchoolRow(code, name)).counts[status] = int(n)
    zone = ZoneInfo(campaign.timezone)
    moments = await session.scalars(
        scoped.with_only_columns(Registration.submitted_at).where(
            Registration.submitted_at.is_not(None)
        )
    )
    days = Counter(_local_day(m, zone) for m in moments)
    drafts = await session.scalars(
        scoped.with_only_columns(Registration.answers).where(
            Registration.status == RegistrationStatus.DRAFT
        )
    )
    stopped = Counter(_stopped_at(answers or {}) for answers in drafts)
    started = sum(by_status.values())
    stopped["not_started"] = max(granted - started, 0)
    return Dashboard(
        granted=granted,
        by_status=by_status,
        by_school=sorted(schools.values(), key=lambda row: row.code),
        per_day=sorted(days.items()),
        funnel=[(step, stopped.get(step, 0)) for step in FUNNEL_STEPS],
    )


def _local_day(moment, zone: ZoneInfo) -> date:  # type: ignore[no-untyped-def]
    if moment.tzinfo is None:  # SQLite returns stored UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def _stopped_at(answers: dict) -> str:  # type: ignore[type-arg]
    field_ = next_missing(answers)
    return "complete" if field_ is None else str(field_.step)
