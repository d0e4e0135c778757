"""Storing an uploaded photo as the answer to a document field, for the chat and the web.

A FILE field's answer is the stored document's id; a field with `per_choice` collects
documents per chosen option (the benefit categories), each option closed explicitly
(`close_choice`): in the chat when the applicant says they are done with it, on the web by
the officer's upload of that option's pages.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.validation import Accepted, Rejected
from flows.form.apply import apply
from flows.form.fields import Field
from flows.photos import UploadAnalysis, analyse_upload
from storage.filestore import FileStore
from storage.models import Registration
from storage.repositories.documents import add_document, replace_benefit_documents
from storage.repositories.registrations import update_answers


async def store_upload(
    session: AsyncSession,
    registration: Registration,
    field: Field,
    upload: bytes | UploadAnalysis,
    *,
    benefit: str | None,
    filestore: FileStore,
    now: datetime,
) -> Accepted[int] | Rejected:
    """Check (unless already analysed), store and record one photo; return the document's id.

    `benefit` is the chosen option the photo belongs to, for a `per_choice` field. A photo the
    checks block is refused with the first blocking finding and nothing is stored.
    """
    assert field.document is not None  # noqa: S101 - document fields name their kind
    if isinstance(upload, bytes):
        # Decoding and the checks run in worker threads: the event loop serves other chats.
        upload = await analyse_upload(upload, kind=field.document.value)
    image = upload.image
    if not upload.accepted or image is None:
        refusal = upload.blocking[0]
        return Rejected(refusal.code, dict(refusal.params))
    key = await filestore.put(image.jpeg_bytes)
    document = await add_document(
        session,
        registration_id=registration.id,
        kind=field.document,
        benefit_code=benefit,
        sha256=key,
        mime=image.mime,
        size=image.size,
        width=image.width,
        height=image.height,
        now=now,
        check_results=upload.check_results(),
        replaces_previous=benefit is None,
    )
    per_choice = field.per_choice
    if per_choice is None:
        await apply(session, registration, field, Accepted(document.id), now)
    else:
        assert benefit is not None  # noqa: S101 - per-option documents name their option
        documents = per_choice.documents_of(registration.answers or {})
        documents[benefit] = [*documents.get(benefit, []), document.id]
        update_answers(registration, {per_choice.documents: documents})
    return Accepted(document.id)


def close_choice(registration: Registration, field: Field, option: str) -> Rejected | None:
    """Close one chosen option of a `per_choice` field; refused while it has no document."""
    per_choice = field.per_choice
    assert per_choice is not None  # noqa: S101
    answers = registration.answers or {}
    if not per_choice.documents_of(answers).get(option):
        return Rejected("error.benefit_needs_document")
    closed = list(answers.get(per_choice.closed) or [])
    if option not in closed:
        update_answers(registration, {per_choice.closed: [*closed, option]})
    return None


async def reopen(
    session: AsyncSession, registration: Registration, field: Field, now: datetime
) -> None:
    """Set aside every document of a `per_choice` field: each chosen option is asked anew."""
    per_choice = field.per_choice
    assert per_choice is not None  # noqa: S101
    chosen = list((registration.answers or {}).get(per_choice.choices) or [])
    await replace_benefit_documents(session, registration.id, chosen, now)
    update_answers(registration, {per_choice.documents: {}, per_choice.closed: []})
