"""The review queue: filters, search, the detail page, approve, reject, bulk approve.

Every entry and every photo is loaded through the officer's scope (`access.scoped.Scoped`);
another scope's entry raises `OutOfScope`, which answers 404 exactly like one that does not
exist. Photos are served only here, never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from access.exceptions import OutOfScope
from access.scoped import Scoped
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.keys import LANG
from admin_web.paging import PageRequest
from admin_web.params import form_ids, parse_id, path_id
from admin_web.render import redirect, render, text
from admin_web.routing import ALL_ROLES, WebRoute, get, post
from core.validation import Rejected
from flows.fee import entry_fee
from flows.notifications import take_notices
from office import decisions
from office.queue import (
    PAYMENT_FILTERS,
    QueueFilter,
    duplicate_receipts,
    history,
    review_queue,
)
from office.summary import answer_rows
from storage.enums import PaymentStatus, RegistrationStatus
from storage.models import Officer, Registration, School
from storage.repositories.documents import current_documents
from storage.repositories.payments import payments_of

BULK_LIMIT = 200
_QUEUE_PARAMS = {"status", "school", "from", "to", "benefits", "payment", "q", "page"}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def queue_filter(query: Any) -> QueueFilter:
    """Read the queue's filters from the query string; unknown values mean "any".

    Raises:
        web.HTTPNotFound: when ``school`` is given but is not an id.

    """
    status_text = query.get("status", RegistrationStatus.SUBMITTED.value)
    statuses = {s.value: s for s in RegistrationStatus}
    school = query.get("school", "")
    school_id = parse_id(school) if school else None
    if school and school_id is None:
        raise web.HTTPNotFound()
    benefits = {"yes": True, "no": False}.get(query.get("benefits", ""))
    payment = query.get("payment", "")
    return QueueFilter(
        status=statuses.get(status_text),
        school_id=school_id,
        date_from=_date(query.get("from", "")),
        date_to=_date(query.get("to", "")),
        benefits=benefits,
        payment=payment if payment in PAYMENT_FILTERS else None,
        query=query.get("q", "").strip()[:100],
    )


def queue_query(raw: str) -> str:
    """Return the queue's own parameters of a query string, to come back to the same list."""
    kept = [
        (k, v)
        for k, v in parse_qsl(raw.partition("?")[2] if "?" in raw else raw)
        if k in _QUEUE_PARAMS
    ]
    return urlencode(kept)


_FILTERS = ("school", "from", "to", "benefits", "payment")


def _filters_set(query: Any) -> int:
    """How many filters (other than the search text) differ from the queue's default."""
    status = query.get("status", RegistrationStatus.SUBMITTED.value)
    return sum(bool(query.get(k)) for k in _FILTERS) + (
        status != RegistrationStatus.SUBMITTED.value
    )


def _zone(request: web.Request) -> ZoneInfo:
    return ZoneInfo(request.app[WEB_CONTEXT].campaign.timezone)


async def _schools(session: AsyncSession, actor: Officer) -> list[School]:
    rows = await session.scalars(Scoped(session, actor).schools().order_by(School.code))
    return list(rows.unique())


async def queue(request: web.Request, **extra: Any) -> web.StreamResponse:
    """Show one page of the entries in scope."""
    paging = PageRequest.from_request(request)
    flt = queue_filter(request.query)
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        rows, total = await review_queue(
            session,
            actor=actor,
            year=context.campaign.year,
            flt=flt,
            zone=_zone(request),
            offset=paging.offset,
            limit=paging.size,
        )
        elsewhere = 0
        if not total and flt.query and flt.status is not None:
            # Nothing in this status: say whether the search finds the person in another.
            _, elsewhere = await review_queue(
                session,
                actor=actor,
                year=context.campaign.year,
                flt=replace(flt, status=None),
                zone=_zone(request),
                limit=1,
            )
        schools = await _schools(session, actor)
    params = {k: v for k, v in request.query.items() if k in _QUEUE_PARAMS and k != "page" and v}
    pages = max((total + paging.size - 1) // paging.size, 1)
    return render(
        request,
        "review_queue.html",
        {
            "rows": rows,
            "total": total,
            "page_number": paging.page,
            "pages": pages,
            "params": params,
            "filter": flt,
            "raw": request.query,
            "schools": schools,
            "statuses": list(RegistrationStatus),
            "payment_filters": PAYMENT_FILTERS,
            "approved": request.query.get("approved"),
            "nothing_ticked": "nothing" in request.query,
            "elsewhere": elsewhere,
            "filters_set": _filters_set(request.query),
            "back": queue_query(request.query_string),
            **extra,
        },
    )


async def _detail_context(
    request: web.Request, session: AsyncSession, registration: Registration
) -> dict[str, Any]:
    context = request.app[WEB_CONTEXT]
    lang = request[LANG]
    documents = await current_documents(session, registration.id)
    payments = await payments_of(session, registration.id)
    live = {p.receipt_number for p in payments if p.status is not PaymentStatus.CANCELLED}
    answers = answer_rows(context.bot_texts, lang, context.campaign, registration.answers or {})
    by_id = {d.id: d for d in documents}
    return {
        "registration": registration,
        "grant": registration.grant,
        "school": await session.get(School, registration.grant.school_id),
        "answers": [(row, [by_id[i] for i in row.document_ids if i in by_id]) for row in answers],
        "payments": payments,
        "duplicates": set(await duplicate_receipts(session, live)),
        "events": await history(session, registration.id),
        "reasons": decisions.REASONS,
        "fee": entry_fee(registration.answers or {}, context.campaign),
        "paid": await decisions.paid_amount(session, registration.id),
        "can_decide": registration.status is RegistrationStatus.SUBMITTED,
        "error": None,
        "chosen": [],
        "comment": "",
        "done": request.query.get("done"),
    }


def _registration_id(request: web.Request) -> int:
    return path_id(request, "registration_id")


async def detail(request: web.Request) -> web.StreamResponse:
    """Show every answer, photo, payment and step of one entry."""
    async with acting_officer(request) as (session, actor):
        registration = await Scoped(session, actor).registration(_registration_id(request))
        page = await _detail_context(request, session, registration)
    error = request.query.get("error", "")
    if error.startswith("review.error."):
        page["error"] = text(request, error)
    page["back"] = queue_query(request.query.get("back", ""))
    return render(request, "review_detail.html", page)


async def document(request: web.Request) -> web.StreamResponse:
    """Serve one photo of an entry the officer may see (404 otherwise), never cached."""
    context = request.app[WEB_CONTEXT]
    registration_id = _registration_id(request)
    document_id = path_id(request, "document_id")
    async with acting_officer(request) as (session, actor):
        scoped = Scoped(session, actor)
        found = await scoped.document(await scoped.registration(registration_id), document_id)
    try:
        data = await context.filestore.get(found.sha256)
    except FileNotFoundError:
        raise web.HTTPNotFound() from None
    return web.Response(
        body=data,
        content_type=found.mime,
        headers={
            "Cache-Control": "no-store, private",
            "Content-Disposition": f'inline; filename="document-{found.id}.jpg"',
        },
    )


async def approve(request: web.Request) -> web.StreamResponse:
    registration_id = _registration_id(request)
    back = queue_query(str((await request.post()).get("back", "")))
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        result = await decisions.approve(
            session,
            actor=actor,
            registration_id=registration_id,
            campaign=context.campaign,
            now=datetime.now(UTC),
        )
        notices = take_notices(session)
    if isinstance(result, Rejected):
        return redirect(f"/review/{registration_id}?error={result.message_id}")
    await context.publisher.publish(notices)
    return redirect(f"/review/{registration_id}?" + urlencode({"done": "approved", "back": back}))


async def reject(request: web.Request) -> web.StreamResponse:
    registration_id = _registration_id(request)
    form = await request.post()
    reasons = [str(r) for r in form.getall("reasons", [])]
    comment = str(form.get("comment", ""))[: decisions.COMMENT_LIMIT]
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        result = await decisions.reject(
            session,
            actor=actor,
            registration_id=registration_id,
            reasons=reasons,
            comment=comment,
            now=datetime.now(UTC),
        )
        notices = take_notices(session)
    if isinstance(result, Rejected):
        async with acting_officer(request) as (session, actor):
            registration = await Scoped(session, actor).registration(registration_id)
            page = await _detail_context(request, session, registration)
        page.update(error=text(request, result.message_id), chosen=reasons, comment=comment)
        page["back"] = queue_query(str(form.get("back", "")))
        return render(request, "review_detail.html", page)
    await context.publisher.publish(notices)
    back = queue_query(str(form.get("back", "")))
    return redirect(f"/review/{registration_id}?" + urlencode({"done": "rejected", "back": back}))


async def bulk_approve(request: web.Request) -> web.StreamResponse:
    """Approve every ticked entry that is still waiting; the others are counted, not touched.

    A ticked entry out of scope (or gone) is skipped like a decided one; a box whose value is
    not an id makes the whole form a bad request (400).
    """
    form = await request.post()
    ids = form_ids(form.getall("ids", [])[:BULK_LIMIT])
    kept = parse_qsl(queue_query(str(form.get("back", ""))))
    if not ids:
        # Nothing ticked: say so on the same list instead of "0 approved".
        return redirect("/review?" + urlencode([*kept, ("nothing", "1")]))
    context = request.app[WEB_CONTEXT]
    approved = 0
    async with acting_officer(request) as (session, actor):
        for registration_id in ids:
            try:
                result = await decisions.approve(
                    session,
                    actor=actor,
                    registration_id=registration_id,
                    campaign=context.campaign,
                    now=datetime.now(UTC),
                )
            except OutOfScope:
                continue
            approved += not isinstance(result, Rejected)
        notices = take_notices(session)
    await context.publisher.publish(notices)
    # Back to the same filters; only the queue's own parameters survive the round trip.
    return redirect("/review?" + urlencode([*kept, ("approved", str(approved))]))


_ID = "{registration_id:\\d+}"

ROUTES: list[WebRoute] = [
    get("/review", queue, name="review.queue", roles=ALL_ROLES),
    post("/review/approve", bulk_approve, name="review.bulk_approve", roles=ALL_ROLES),
    get(f"/review/{_ID}", detail, name="review.detail", roles=ALL_ROLES),
    post(f"/review/{_ID}/approve", approve, name="review.approve", roles=ALL_ROLES),
    post(f"/review/{_ID}/reject", reject, name="review.reject", roles=ALL_ROLES),
    get(
        f"/review/{_ID}/documents/{{document_id:\\d+}}",
        document,
        name="review.document",
        roles=ALL_ROLES,
    ),
]
