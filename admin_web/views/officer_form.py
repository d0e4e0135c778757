"""The officer fills the registration form for an applicant, on one page per applicant.

The same steps, validators and photo checks as the bot (`office.filling`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_object_session

from access.listing import phone_matches
from access.scoped import Scoped
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.keys import LANG, WEB_TEXTS
from admin_web.paging import Page, PageRequest
from admin_web.params import path_id
from admin_web.render import redirect, rejection_text, render
from admin_web.routing import ALL_ROLES, WebRoute, get, post
from core.validation import Rejected
from flows.fee import entry_fee
from flows.form import Kind, current_form
from flows.form.fields import Field
from flows.form.kinds import HANDLERS, Words, display, editable_text
from flows.notifications import take_notices
from flows.payment import PAYABLE
from flows.photos import BLOCKING, CheckResult, stored_warnings
from flows.photos import render as render_photo_check
from flows.screens import EDITABLE_STATUSES
from office.filling import FormInput, fill, open_registration
from office.receipts import add_receipt
from storage.models import AccessGrant, Document, Officer, Registration
from storage.models.geography import search_key

LIST_LIMIT = 50
MAX_PHOTO_BYTES = 15 * 1024 * 1024


async def _grant(session: AsyncSession, actor: Officer, request: web.Request) -> AccessGrant:
    """Return the live grant of this campaign named in the path; any other answers 404."""
    grant = await Scoped(session, actor).grant(path_id(request, "grant_id"))
    year = request.app[WEB_CONTEXT].campaign.year
    if grant.campaign_year != year or grant.revoked_at is not None:
        raise web.HTTPNotFound()
    return grant


async def choose(request: web.Request) -> web.StreamResponse:
    """List the applicants in scope, a page at a time, to pick whose form to fill."""
    paging = PageRequest.from_request(request, size=LIST_LIMIT)
    year = request.app[WEB_CONTEXT].campaign.year
    async with acting_officer(request) as (session, actor):
        stmt = (
            Scoped(session, actor)
            .grants()
            .add_columns(Registration.status)
            .outerjoin(Registration, Registration.grant_id == AccessGrant.id)
            .where(AccessGrant.campaign_year == year, AccessGrant.revoked_at.is_(None))
        )
        if paging.query:
            by_name = AccessGrant.full_name_search.contains(
                search_key(paging.query), autoescape=True
            )
            by_phone = phone_matches(AccessGrant.phone, paging.query)
            stmt = stmt.where(by_name if by_phone is None else by_name | by_phone)
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = (
            await session.execute(
                stmt.order_by(AccessGrant.full_name, AccessGrant.id)
                .offset(paging.offset)
                .limit(paging.size)
            )
        ).all()
    return render(request, "fill_list.html", {"page": Page(list(rows), int(total or 0), paging)})


def _error_text(request: web.Request, error: Rejected) -> str:
    """Render a validator's or a photo check's refusal in the page's language."""
    texts = request.app[WEB_TEXTS]
    if texts.has(request[LANG], error.message_id):
        return rejection_text(request, error)
    return render_photo_check(CheckResult(error.message_id, BLOCKING, error.params), request[LANG])


def _fields(request: web.Request, registration: Registration, errors: dict[str, Rejected]):  # type: ignore[no-untyped-def]
    """Describe every field for the template: label, options, current value, error."""
    context = request.app[WEB_CONTEXT]
    lang = request[LANG]
    texts = context.bot_texts
    answers = registration.answers or {}
    words = Words(texts, lang, context.campaign)
    out = []
    for item in current_form():
        error = errors.get(item.name)
        out.append(
            {
                "name": item.name,
                "step": item.step,
                "kind": item.kind.value,
                "label": texts.gettext(lang, item.summary_label),
                "options": words.options(item),
                "fixed": words.fixed(item),
                "value": answers.get(item.name),
                "text": editable_text(item, answers),
                "shown": display(item, answers, texts, lang, context.campaign),
                "placeholder": item.placeholder,
                "numeric": item.numeric,
                "per_choice": _per_choice_options(words, item),
                "error": _error_text(request, error) if error else None,
                "warnings": [],
            }
        )
    return out


def _per_choice_options(words: Words, item: Field) -> list[tuple[str, str]]:
    """Return every option a `per_choice` field may take documents for.

    All of them, not only those chosen: the officer may tick a category and send its pages in
    the same save.
    """
    if item.per_choice is None:
        return []
    return words.options(current_form()[item.per_choice.choices])


async def _page(request: web.Request, grant: AccessGrant, registration: Registration, **extra: Any):  # type: ignore[no-untyped-def]
    errors = extra.pop("errors", {})
    context = request.app[WEB_CONTEXT]
    lang = request[LANG]
    fields = _fields(request, registration, errors)
    session = async_object_session(registration)
    if session is not None and registration.id is not None:
        # What the photo checks warned about, shown before the officer submits.
        documents = await session.scalars(
            select(Document).where(
                Document.registration_id == registration.id, Document.replaced_at.is_(None)
            )
        )
        warned = {d.id: stored_warnings(d.check_results, lang) for d in documents}
        for field in fields:
            if field["kind"] == Kind.FILE.value and isinstance(field["value"], int):
                field["warnings"] = warned.get(field["value"], [])
    page = {
        "grant": grant,
        "registration": registration,
        "fields": fields,
        "editable": registration.status in EDITABLE_STATUSES,
        "form_error": rejection_text(request, errors["_form"]) if "_form" in errors else None,
        "saved": request.query.get("saved"),
        "payable": registration.status in PAYABLE,
        "payment_types": [(p.code, p.name(lang)) for p in context.campaign.payment_types],
        "fee": entry_fee(registration.answers or {}, context.campaign),
        "payment_error": None,
        "payment_form": {},
        "other_amount": False,
    }
    page.update(extra)
    return render(request, "officer_form.html", page)


async def form(request: web.Request) -> web.StreamResponse:
    async with acting_officer(request) as (session, actor):
        grant = await _grant(session, actor, request)
        registration = await open_registration(session, grant, language=request[LANG])
        return await _page(request, grant, registration)


async def _read(request: web.Request) -> FormInput:
    posted = await request.post()
    values: dict[str, Any] = {}
    files: dict[str, list[bytes]] = {}
    for item in current_form():
        handler = HANDLERS[item.kind]
        if handler.multiple:
            values[item.name] = [str(v) for v in posted.getall(item.name, [])]
        elif not handler.uploaded:
            values[item.name] = str(posted.get(item.name, ""))[:300]
    for name in posted:
        for value in posted.getall(name):
            if isinstance(value, web.FileField):
                data = value.file.read(MAX_PHOTO_BYTES + 1)
                if data and len(data) <= MAX_PHOTO_BYTES:
                    files.setdefault(name, []).append(data)
    return FormInput(values=values, files=files)


async def save(request: web.Request) -> web.StreamResponse:
    """Validate and save the page; submit it when the officer pressed "Submit"."""
    data = await _read(request)
    submit = (await request.post()).get("action") == "submit"
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        grant = await _grant(session, actor, request)
        registration = await open_registration(session, grant, language=request[LANG])
        if registration.status not in EDITABLE_STATUSES:
            return await _page(request, grant, registration)
        outcome = await fill(
            session,
            officer=actor,
            registration=registration,
            data=data,
            campaign=context.campaign,
            filestore=context.filestore,
            now=datetime.now(UTC),
            submit=submit,
        )
        notices = take_notices(session)
        if outcome.errors:
            return await _page(request, grant, registration, errors=outcome.errors)
        registration_id = registration.id
    await context.publisher.publish(notices)
    if outcome.submitted:
        return redirect(f"/review/{registration_id}?done=submitted")
    return redirect(f"/fill/{grant.id}?saved=1")


async def add_payment(request: web.Request) -> web.StreamResponse:
    """Add the applicant's payment receipt, with the chat's rules (`office.receipts`)."""
    posted = await request.post()
    kept = {k: str(posted.get(k, ""))[:60] for k in ("payment_type", "amount", "receipt")}
    confirmed = posted.get("other_amount") == "yes"
    context = request.app[WEB_CONTEXT]
    today = datetime.now(ZoneInfo(context.campaign.timezone)).date()
    async with acting_officer(request) as (session, actor):
        grant = await _grant(session, actor, request)
        registration = await open_registration(session, grant, language=request[LANG])
        result = await add_receipt(
            session,
            officer=actor,
            registration=registration,
            campaign=context.campaign,
            payment_type=kept["payment_type"],
            amount=kept["amount"],
            receipt=kept["receipt"],
            other_amount_confirmed=confirmed,
            today=today,
        )
        if isinstance(result, Rejected):
            lang = request[LANG]
            if result.message_id == "fill.payment.other_amount":
                money = context.campaign.money
                params = {k: money(v, lang) for k, v in result.params.items()}
                result = Rejected(result.message_id, params)
            return await _page(
                request,
                grant,
                registration,
                payment_error=rejection_text(request, result),
                payment_form=kept,
                other_amount=result.message_id == "fill.payment.other_amount",
            )
        registration_id = registration.id
    return redirect(f"/review/{registration_id}?done=payment")


ROUTES: list[WebRoute] = [
    get("/fill", choose, name="review.fill_list", roles=ALL_ROLES),
    get("/fill/{grant_id:\\d+}", form, name="review.fill", roles=ALL_ROLES),
    post("/fill/{grant_id:\\d+}", save, name="review.fill", roles=ALL_ROLES),
    post(
        "/fill/{grant_id:\\d+}/payment",
        add_payment,
        name="review.fill_payment",
        roles=ALL_ROLES,
    ),
]
