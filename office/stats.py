"""Dashboard figures per scope: counts by status and school, submissions per day, drop-off.

The drop-off funnel counts drafts by the step where they stopped (the step of their first
missing answer, as the conversation would ask next), after the applicants who never started.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
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


# Statuses an entry passes through, counted cumulatively: an approved entry was submitted.
_SUBMITTED = frozenset(
    {
        RegistrationStatus.SUBMITTED,
        RegistrationStatus.APPROVED,
        RegistrationStatus.REJECTED,
        RegistrationStatus.REGISTERED,
    }
)
_APPROVED = frozenset({RegistrationStatus.APPROVED, RegistrationStatus.REGISTERED})
SCHOOL_COLUMNS = ("code", "name", "granted", "started", "submitted", "approved", "registered")


@dataclass
class SchoolRow:
    """How far one school's applicants got: every count includes those who went further."""

    code: str
    name: str
    granted: int = 0
    started: int = 0
    submitted: int = 0
    approved: int = 0
    registered: int = 0

    def add(self, status: RegistrationStatus, n: int) -> None:
        self.started += n
        self.submitted += n if status in _SUBMITTED else 0
        self.approved += n if status in _APPROVED else 0
        self.registered += n if status is RegistrationStatus.REGISTERED else 0

    @property
    def submitted_share(self) -> float:
        """Submitted entries per grant, 0 to 1 (what shows a school lagging)."""
        return self.submitted / self.granted if self.granted else 0.0


def sort_schools(rows: list[SchoolRow], column: str, *, descending: bool) -> list[SchoolRow]:
    """Return `rows` ordered by one of `SCHOOL_COLUMNS` (by code when unknown), ties by code."""
    if column not in SCHOOL_COLUMNS:
        column = "code"
    ordered = sorted(rows, key=lambda row: row.code)
    return sorted(ordered, key=lambda row: getattr(row, column), reverse=descending)


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
    schools = await _by_school(session, actor=actor, year=campaign.year)
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
        by_school=schools,
        per_day=sorted(days.items()),
        funnel=[(step, stopped.get(step, 0)) for step in FUNNEL_STEPS],
    )


async def _by_school(session: AsyncSession, *, actor: Officer, year: int) -> list[SchoolRow]:
    """Every school of the scope, those nobody started at included, in three grouped queries."""
    scope = Scope.of(actor)
    rows: dict[int, SchoolRow] = {}
    listed = await session.execute(
        scope.filter_schools(select(School.id, School.code, School.name))
    )
    for school_id, code, name in listed.all():
        rows[school_id] = SchoolRow(code, name)
    granted = await session.execute(
        scope.filter_grants(
            select(School.id, School.code, School.name, func.count())
            .select_from(AccessGrant)
            .join(School, School.id == AccessGrant.school_id)
            .where(AccessGrant.campaign_year == year, AccessGrant.revoked_at.is_(None))
            .group_by(School.id, School.code, School.name)
        )
    )
    # A grant may sit at a school outside the district's own list (9999, "not in the codifier").
    for school_id, code, name, n in granted.all():
        rows.setdefault(school_id, SchoolRow(code, name)).granted = int(n)
    started = await session.execute(
        scoped_registrations(actor, year)
        .join(School, School.id == AccessGrant.school_id)
        .with_only_columns(School.id, School.code, School.name, Registration.status, func.count())
        .group_by(School.id, School.code, School.name, Registration.status)
    )
    for school_id, code, name, status, n in started.all():
        rows.setdefault(school_id, SchoolRow(code, name)).add(status, int(n))
    return sorted(rows.values(), key=lambda row: row.code)


def _local_day(moment, zone: ZoneInfo) -> date:  # type: ignore[no-untyped-def]
    if moment.tzinfo is None:  # SQLite returns stored UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def _stopped_at(answers: dict) -> str:  # type: ignore[type-arg]
    field_ = next_missing(answers)
    return "complete" if field_ is None else str(field_.step)
