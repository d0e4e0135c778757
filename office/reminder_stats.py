"""How the reminders worked, per rule: how many were reminded, how many moved forward in 48 h.

"Moved forward" is recorded by the scheduler (`office.reminders.note_progress`): the
applicant's progress (status, receipt, answers) rose within 48 hours of the reminder.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.scope import Scope
from config.campaign import Campaign
from office.reminders import rule_names
from storage.models import AccessGrant, Officer, ReminderSent


@dataclass(frozen=True)
class ReminderRow:
    """One rule's figures in the officer's scope."""

    rule: str
    reminded: int
    moved: int

    @property
    def share(self) -> int:
        """Percent of the reminded who moved forward (0 when nobody was reminded)."""
        return round(100 * self.moved / self.reminded) if self.reminded else 0


async def reminder_figures(
    session: AsyncSession, *, actor: Officer, campaign: Campaign
) -> list[ReminderRow]:
    """Return a row per rule of the campaign (and any rule used before), in display order."""
    stmt = Scope.of(actor).filter_grants(
        select(
            ReminderSent.rule,
            func.count(),
            func.count(ReminderSent.progressed_at),
        )
        .join(AccessGrant, AccessGrant.id == ReminderSent.grant_id)
        .where(ReminderSent.campaign_year == campaign.year)
        .group_by(ReminderSent.rule)
    )
    counts = {rule: (int(n), int(moved)) for rule, n, moved in (await session.execute(stmt)).all()}
    order = rule_names(campaign)
    order += sorted(rule for rule in counts if rule not in order)
    return [ReminderRow(rule, *counts.get(rule, (0, 0))) for rule in order]
