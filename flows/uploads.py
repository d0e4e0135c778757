"""Photos of documents taken as answers.

Stored once checked, warnings shown with the next question, several pages for each chosen
benefit category (`flows.form.upload`, the same storing as the officers' web form).
"""

from __future__ import annotations

import dataclasses

from core.validation import Accepted, Rejected
from flows.form import current_form
from flows.form.fields import Field
from flows.form.upload import close_choice, store_upload
from flows.photos import analyse_upload
from flows.questions import BENEFIT_NONE, Outcome, accept, ask, reask
from flows.replies import Option, Reply
from flows.turn import Turn


async def take_file(turn: Turn, field: Field, editing: bool) -> Outcome:
    assert field.document is not None and turn.event.file is not None
    assert turn.registration is not None
    # Decoding and the checks run in worker threads: the event loop serves other chats.
    analysis = await analyse_upload(turn.event.file.data, kind=field.document.value)
    if not analysis.accepted:
        refusal = analysis.blocking[0]
        return await reask(turn, field, refusal.code, refusal.params, editing=editing)
    warnings = [turn.t(w.code, **w.params) for w in analysis.warnings]
    per_choice = field.per_choice
    benefit = per_choice.open(turn.answers)[0] if per_choice is not None else None
    stored = await store_upload(
        turn.session,
        turn.registration,
        field,
        analysis,
        benefit=benefit,
        filestore=turn.services.filestore,
        now=turn.now,
    )
    assert isinstance(stored, Accepted)  # the analysis accepted it
    if per_choice is None:
        return Outcome([], accepted=True, warnings=warnings)
    replies = await ask(turn, field)
    notes = [turn.t("note.benefit_received"), *warnings, replies[0].text]
    return Outcome([dataclasses.replace(replies[0], text="\n\n".join(notes)), *replies[1:]])


def with_photo_warnings(turn: Turn, field: Field, warnings: list[str], replies: list[Reply]):
    """Show a kept photo's warnings before the next question, offering to send it again."""
    if not warnings or not replies:
        return replies
    again = Option(f"edit:{field.name}", turn.t("option.photo_again"))
    first = dataclasses.replace(replies[0], text="\n\n".join([*warnings, replies[0].text]))
    replies = [first, *replies[1:]]
    last = replies[-1]
    replies[-1] = dataclasses.replace(last, options=(*last.options, again))
    return replies


async def per_choice_option(turn: Turn, field: Field, choice: str) -> Outcome:
    """Take "done with this category" or "no benefits after all" while documents are asked."""
    per_choice = field.per_choice
    assert per_choice is not None and turn.registration is not None
    if choice == BENEFIT_NONE:
        declined = current_form()[per_choice.declined_by]
        return await accept(turn, declined, Accepted(False))
    refused = close_choice(turn.registration, field, per_choice.open(turn.answers)[0])
    if isinstance(refused, Rejected):
        return await reask(turn, field, refused.message_id)
    if per_choice.open(turn.answers):
        return Outcome(await ask(turn, field))
    return Outcome([], accepted=True)
