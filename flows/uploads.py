"""Photos of documents taken as answers.

Stored once checked, warnings shown with the next question, several pages for one benefit.
"""

from __future__ import annotations

import dataclasses

from flows.form.definition import benefit_categories_missing_documents
from flows.form.fields import Field, Kind
from flows.photos import UploadAnalysis, analyse_upload
from flows.questions import (
    BENEFIT_NONE,
    Outcome,
    accept,
    accept_value,
    ask,
    reask,
)
from flows.replies import Option, Reply
from flows.turn import Turn
from storage.repositories.documents import add_document
from storage.repositories.registrations import update_answers


async def _store(turn: Turn, field: Field, analysis: UploadAnalysis, benefit: str | None) -> int:
    assert turn.registration is not None and field.document is not None
    image = analysis.image
    assert image is not None  # only accepted uploads are stored
    key = await turn.services.filestore.put(image.jpeg_bytes)
    document = await add_document(
        turn.session,
        registration_id=turn.registration.id,
        kind=field.document,
        benefit_code=benefit,
        sha256=key,
        mime=image.mime,
        size=image.size,
        width=image.width,
        height=image.height,
        now=turn.now,
        check_results=analysis.check_results(),
        replaces_previous=benefit is None,
    )
    return document.id


async def take_file(turn: Turn, field: Field, editing: bool) -> Outcome:
    assert field.document is not None and turn.event.file is not None
    # Decoding and the checks run in worker threads: the event loop serves other chats.
    analysis = await analyse_upload(turn.event.file.data, kind=field.document.value)
    if not analysis.accepted:
        refusal = analysis.blocking[0]
        return await reask(turn, field, refusal.code, refusal.params, editing=editing)
    warnings = [turn.t(w.code, **w.params) for w in analysis.warnings]
    if field.kind is Kind.FILE:
        outcome = await accept(turn, field, await _store(turn, field, analysis, None))
        outcome.warnings = warnings
        return outcome
    category = benefit_categories_missing_documents(turn.answers)[0]
    document_id = await _store(turn, field, analysis, category)
    docs = dict(turn.answers.get("benefit_docs") or {})
    docs[category] = [*docs.get(category, []), document_id]
    update_answers(turn.registration, {"benefit_docs": docs})
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


async def benefit_choice(turn: Turn, field: Field, choice: str) -> Outcome:
    answers = turn.answers
    if choice == BENEFIT_NONE:
        return await accept_value(turn, "has_benefits", False)
    category = benefit_categories_missing_documents(answers)[0]
    if not (answers.get("benefit_docs") or {}).get(category):
        return await reask(turn, field, "error.benefit_needs_document")
    done = [*(answers.get("benefit_done") or []), category]
    update_answers(turn.registration, {"benefit_done": done})
    if benefit_categories_missing_documents(turn.answers):
        return Outcome(await ask(turn, field))
    return Outcome([], accepted=True)
