"""An officer fills the form for an applicant (the instruction's first way), in the web.

The same fields, parsing, photo checks and writing as the conversation (`flows.form.kinds`,
`flows.form.apply`, `flows.form.upload`): every field the page sends is taken in form order,
so later validators see what earlier ones set (the PIN fills gender and birth date).
Accepted answers are written at once, like the conversation's draft; rejected ones come back
with their message ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from core.validation import Accepted, Rejected
from flows import submission
from flows.form import FormContext, current_form
from flows.form.apply import apply
from flows.form.fields import Field
from flows.form.kinds import HANDLERS, parse
from flows.form.upload import close_choice, store_upload
from storage.enums import Channel
from storage.filestore import FileStore
from storage.models import AccessGrant, Officer, Registration
from storage.repositories.registrations import get_or_create_registration

MAX_PER_CHOICE_FILES = 5


@dataclass(frozen=True)
class FormInput:
    """What the page sent: typed or chosen values by field name, files by field name.

    Documents per chosen option (benefit categories) come under ``<field name>:<option id>``.
    """

    values: dict[str, Any]
    files: dict[str, list[bytes]] = field(default_factory=dict)


@dataclass
class FillOutcome:
    registration: Registration
    errors: dict[str, Rejected] = field(default_factory=dict)
    submitted: bool = False


@dataclass(frozen=True)
class _Page:
    """One save of the page: what was sent and where it goes."""

    session: AsyncSession
    registration: Registration
    data: FormInput
    campaign: Campaign
    filestore: FileStore
    now: datetime


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
    page = _Page(session, registration, data, campaign, filestore, now)
    form = current_form()
    for item in form:
        answers = dict(registration.answers or {})
        if not item.applies(answers):
            continue
        if HANDLERS[item.kind].uploaded:
            error = await _take_files(page, item)
        else:
            error = await _take_value(page, item, FormContext(answers, campaign.today(now)))
        if error is not None:
            outcome.errors[item.name] = error
    registration.channel = Channel.WEB
    if submit and not outcome.errors:
        answers = registration.answers or {}
        refusal = form.refusal(answers)
        if refusal is not None:
            outcome.errors[refusal.name] = Rejected("fill.error.student")
        elif form.next_missing(answers) is not None:
            outcome.errors["_form"] = Rejected("fill.error.incomplete")
        else:
            await submission.submit(session, registration, now=now, officer=officer)
            outcome.submitted = True
    return outcome


async def _take_value(page: _Page, item: Field, context: FormContext) -> Rejected | None:
    """Write the field's posted value; an empty box leaves the answer as it was.

    An empty box of a skippable question not answered yet is the "Skip" of the chat.
    """
    raw = page.data.values.get(item.name)
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        if not (item.skippable and item.name not in context.answers):
            return None
        result: Accepted[Any] | Rejected = Accepted(None)
    else:
        result = parse(item, raw, context, page.campaign)
    if isinstance(result, Rejected):
        return result
    await apply(page.session, page.registration, item, result, page.now)
    return None


async def _take_files(page: _Page, item: Field) -> Rejected | None:
    """Store the photos sent for the field: one for a document, pages per chosen option.

    The officer sends all pages of one option at once, so an option with photos in this
    save is closed with them (`flows.form.upload.close_choice`).
    """
    if item.per_choice is None:
        uploads = page.data.files.get(item.name) or []
        if not uploads:
            return None
        stored = await _store(page, item, uploads[0], None)
        return stored if isinstance(stored, Rejected) else None
    answers = page.registration.answers or {}
    for option in list(answers.get(item.per_choice.choices) or []):
        uploads = (page.data.files.get(f"{item.name}:{option}") or [])[:MAX_PER_CHOICE_FILES]
        for upload in uploads:
            stored = await _store(page, item, upload, option)
            if isinstance(stored, Rejected):
                return stored
        if uploads:
            close_choice(page.registration, item, option)
    if item.per_choice.open(page.registration.answers or {}):
        return Rejected("error.benefit_needs_document")
    return None


async def _store(
    page: _Page, item: Field, upload: bytes, option: str | None
) -> Accepted[int] | Rejected:
    return await store_upload(
        page.session,
        page.registration,
        item,
        upload,
        benefit=option,
        filestore=page.filestore,
        now=page.now,
    )
