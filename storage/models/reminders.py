"""Reminders sent to applicants: one row per grant and rule, so that none is sent twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import Channel


class ReminderSent(Base):
    """A reminder of `rule` queued for the grant's applicant.

    Written in the transaction that queues the notice: the unique key makes a second
    scheduler (another replica) fail rather than send again. `progress_before` is the
    applicant's progress score when reminded; `progressed_at` is set when it rose within
    the following 48 hours (the dashboard's "moved forward").
    """

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("grant_id", "rule"),
        Index("ix_reminders_sent_rule_sent_at", "rule", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("access_grants.id", ondelete="CASCADE"))
    campaign_year: Mapped[int]
    # "not_started", "incomplete", "returned", "no_receipt", "closing_<days>"
    rule: Mapped[str] = mapped_column(String(32))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    sent_at: Mapped[datetime] = mapped_column(server_default=func.now())
    progress_before: Mapped[int] = mapped_column(default=0)
    progressed_at: Mapped[datetime | None]
