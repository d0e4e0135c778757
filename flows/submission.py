"""An applicant's complete draft sent for review, and the history every entry keeps.

Submission is the applicant's own step (an officer filling the form in the web takes it on the
applicant's behalf); what officers decide afterwards lives above this package, in `office`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.notifications import ReviewPrompt, queue_notice
from flows.rejection import forget_fixes
from storage.enums import RegistrationStatus
from storage.models import Officer, Registration, RegistrationEvent

__all__ = ["record", "submit"]


def record(
    session: AsyncSession,
    registration: Registration,
    kind: str,
    *,
    actor: Officer | None = None,
    **details: Any,
) -> None:
    """Add one step to the entry's history."""
    session.add(
        RegistrationEvent(
            registration_id=registration.id,
            kind=kind,
            actor_id=actor.id if actor else None,
            details=details,
        )
    )


async def submit(
    session: AsyncSession, registration: Registration, *, now: datetime, officer: Officer | None
) -> None:
    """Send a complete draft (or a fixed rejected entry) for review.

    A resubmission goes back to the officer who rejected it. `officer` is set when an officer
    filled the form in the web.
    """
    again = registration.status is RegistrationStatus.REJECTED
    rejected_by = registration.decided_by_id if again else None
    registration.status = RegistrationStatus.SUBMITTED
    registration.submitted_at = now
    registration.rejection_reasons = []
    registration.rejection_comment = None
    forget_fixes(registration)
    if officer is not None:
        registration.filled_by_officer_id = officer.id
    record(session, registration, "resubmitted" if again else "submitted", actor=officer)
    queue_notice(session, ReviewPrompt(registration.id, officer_id=rejected_by))
