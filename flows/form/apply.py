"""Writing one accepted answer to the draft: the chat, the officers' web form and the review.

The draft is the state: an answer is written at once. A changed answer drops the answers that
depend on it (`Field.resets`), brings the changes its `on_change` rule declares, and the
values its validator filled on the way (`Accepted.also`, e.g. the PIN's gender and birth date).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.validation import Accepted
from flows.form.fields import Field
from storage.models import Registration
from storage.repositories.documents import replace_benefit_documents
from storage.repositories.registrations import update_answers


async def apply(
    session: AsyncSession,
    registration: Registration,
    field: Field,
    accepted: Accepted[Any],
    now: datetime,
) -> None:
    """Write `accepted` as the answer to `field`, with everything it changes."""
    answers = dict(registration.answers or {})
    value = accepted.value
    if field.name in answers and answers[field.name] == value and not accepted.also:
        return  # the same answer again changes nothing
    changed = field.name in answers and answers[field.name] != value
    remove: tuple[str, ...] = field.resets if changed else ()
    changes: dict[str, Any] = {field.name: value, **accepted.also}
    if field.on_change is not None:
        cascade = field.on_change(answers, value)
        changes.update(cascade.changes)
        remove += cascade.remove
        await replace_benefit_documents(session, registration.id, list(cascade.set_aside), now)
    update_answers(registration, changes, remove=remove)
