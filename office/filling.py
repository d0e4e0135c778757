"""An officer fills the form for an applicant (the instruction's first way), in the web.

The same fields, validators and photo checks as the conversation (`flows.form`,
`flows.photos`): every field the page sends is validated in form order, so later validators
see what earlier ones set (the PIN fills gender and birth date). Accepted answers are written
at once, like the conversation's draft; rejected ones come back with their message ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from core.validation import Accepted, Rejected
from flows import submission
from flows.form import FORM, FormContext, Kind, next_missing
from flows.form.definition import benefit_categories_missing_documents
from flows.form.fields import Field
from flows.photos import analyse_upload
from storage.enums import Channel, DocumentKind
from storage.filestore import FileStore
from storage.models import AccessGrant, Officer, Registration
from storage.repositories.documents import add_document, replace_benefit_documents
from storage.repositories.registrations import get_or_create_registration, update_answers

MAX_BENEFIT_FILES = 5


@dataclass(frozen=True)
class FormInput:
    """What the page sent: typed or chosen values by field name, files by field name.

    Benefit documents come under ``benefit:<category code>``.
    """

    values: dict[str, Any]
    files: dict[str, list[bytes]] = field(default_factory=dict)


@dataclass
class FillOutcome:
    registration: Registration
    errors: dict[str, Rejected] = field(default_factory=dict)
    submitted: bool = False


async def open_registration(
    session: AsyncSession, grant: AccessGrant, *, language: str
) -> Registration:
    """Return the applicant's registration, creating the draft when they never wrote."""
    return await get_or_create_registration(session, grant, language=language, channel=Channel.WEB)


async def fill(
    session: AsyncSession,
    *,
    officer: Officer,
    registration: Registration,
    data: FormInput,
    campaign: Campaign,
    filestore: FileStore,
    now: datetime,
    submit: bool,
) -> FillOutcome:
    """Validate and save what was sent; submit when asked and nothing is missing."""
    outcome = FillOutcome(registration)
    today = campaign.today(now)
    for item in FORM:
        answers = dict(registration.answers or {})
        if not item.applies(answers):
            continue
        context = FormContext(answers=answers, today=today)
        result = await _take(session, item, data, registration, context, campaign, filestore, now)
        if isinstance(result, Rejected):
            outcome.errors[item.name] = result
        elif result is not None:
            await _accept(session, registration, item, result, now)
    registration.channel = Channel.WEB
    if submit and not outcome.errors:
        answers = registration.answers or {}
        if answers.get("is_student") is True:
            outcome.errors["is_student"] = Rejected("fill.error.student")
        elif next_missing(answers) is not None:
            outcome.errors["_form"] = Rejected("fill.error.incomplete")
        else:
            await submission.submit(session, registration, now=now, officer=officer)
            outcome.submitted = True
    return outcome


async def _take(
    session: AsyncSession,
    item: Field,
    data: FormInput,
    registration: Registration,
    context: FormContext,
    campaign: Campaign,
    filestore: FileStore,
    now: datetime,
) -> Accepted[Any] | Rejected | None:
    """Return the field's new value, a rejection, or None when the page left it unchanged."""
    raw = data.values.get(item.name)
    if item.kind is Kind.TEXT:
        text = str(raw or "").strip()
        if not text:
            return Accepted(None) if item.skippable and item.name not in context.answers else None
        assert item.validate is not None  # noqa: S101 - every TEXT field has its parser
        return item.validate(text, context)
    if item.kind is Kind.CHOICE:
        if not raw:
            return None
        ids = {oid for oid, _ in item.options(campaign, "ky")} if item.options else set()
        if raw not in ids:
            return Rejected("error.expected_choice")
        return item.validate(raw, context) if item.validate else Accepted(raw)
    if item.kind is Kind.MULTI:
        if raw is None:
            return None
        ids = [oid for oid, _ in item.options(campaign, "ky")] if item.options else []
        chosen = [oid for oid in ids if oid in set(raw)]
        if len(chosen) < item.min_choices:
            return Rejected("error.choose_at_least_one")
        return Accepted(chosen)
    if item.kind is Kind.FILE:
        uploads = data.files.get(item.name) or []
        if not uploads:
            return None
        return await _store(session, registration, item.document, uploads[0], None, filestore, now)
    return await _benefit_files(session, registration, data, context, filestore, now)


async def _store(
    session: AsyncSession,
    registration: Registration,
    kind: DocumentKind | None,
    upload: bytes,
    benefit: str | None,
    filestore: FileStore,
    now: datetime,
) -> Accepted[int] | Rejected:
    assert kind is not None  # noqa: S101 - FILE fields name their document kind
    analysis = await analyse_upload(upload, kind=kind.value)
    if not analysis.accepted or analysis.image is None:
        refusal = analysis.blocking[0]
        return Rejected(refusal.code, dict(refusal.params))
    image = analysis.image
    key = await filestore.put(image.jpeg_bytes)
    document = await add_document(
        session,
        registration_id=registration.id,
        kind=kind,
        benefit_code=benefit,
        sha256=key,
        mime=image.mime,
        size=len(image.jpeg_bytes),
        width=image.width,
        height=image.height,
        now=now,
        check_results=analysis.check_results(),
        replaces_previous=benefit is None,
    )
    return Accepted(document.id)


async def _benefit_files(
    session: AsyncSession,
    registration: Registration,
    data: FormInput,
    context: FormContext,
    filestore: FileStore,
    now: datetime,
) -> Rejected | None:
    docs = dict(context.answers.get("benefit_docs") or {})
    for code in context.answers.get("benefit_categories") or []:
        for upload in (data.files.get(f"benefit:{code}") or [])[:MAX_BENEFIT_FILES]:
            stored = await _store(
                session, registration, DocumentKind.BENEFIT, upload, code, filestore, now
            )
            if isinstance(stored, Rejected):
                return stored
            docs[code] = [*docs.get(code, []), stored.value]
    done = [c for c in context.answers.get("benefit_categories") or [] if docs.get(c)]
    update_answers(registration, {"benefit_docs": docs, "benefit_done": done})
    if benefit_categories_missing_documents(registration.answers or {}):
        return Rejected("error.benefit_needs_document")
    return None


async def _accept(
    session: AsyncSession,
    registration: Registration,
    item: Field,
    result: Accepted[Any],
    now: datetime,
) -> None:
    """Write one answer as the conversation does (dependent answers dropped when it changes)."""
    answers = dict(registration.answers or {})
    value = result.value
    if item.name in answers and answers[item.name] == value and not result.also:
        return
    changed = item.name in answers and answers[item.name] != value
    remove: tuple[str, ...] = item.resets if changed else ()
    changes: dict[str, Any] = {item.name: value, **result.also}
    if item.name == "has_benefits" and value is False:
        remove += ("benefit_categories", "benefit_docs", "benefit_done")
        dropped = list(answers.get("benefit_categories") or [])
        await replace_benefit_documents(session, registration.id, dropped, now)
    if item.name == "benefit_categories":
        dropped = [c for c in answers.get("benefit_categories") or [] if c not in value]
        docs = {k: v for k, v in (answers.get("benefit_docs") or {}).items() if k in value}
        changes.update(benefit_docs=docs, benefit_done=[c for c in docs if docs[c]])
        await replace_benefit_documents(session, registration.id, dropped, now)
    update_answers(registration, changes, remove=remove)
