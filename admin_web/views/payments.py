"""Payments: receipts waiting for a check, confirm or reject one, import a bank statement."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select

from access.scoped import Scoped
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.params import path_id
from admin_web.render import redirect, rejection_text, render, text
from admin_web.routing import ALL_ROLES, WebRoute, get, post
from admin_web.uploads import read_upload
from core.validation import Rejected
from flows.notifications import take_notices
from office import decisions
from office.queue import duplicate_receipts, scoped_registrations
from office.statement import StatementResult, import_statement, parse_statement
from storage.enums import PaymentStatus, Role
from storage.models import AccessGrant, Payment, Registration

LIST_LIMIT = 500


async def _waiting(request: web.Request, **extra: Any) -> web.Response:
    """Render the receipts being verified in scope (oldest first) and the import form."""
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        scoped = scoped_registrations(actor, context.campaign.year).with_only_columns(
            Registration.id
        )
        rows = (
            await session.execute(
                select(Payment, AccessGrant.full_name)
                .join(Registration, Registration.id == Payment.registration_id)
                .join(AccessGrant, AccessGrant.id == Registration.grant_id)
                .where(
                    Payment.status == PaymentStatus.BEING_VERIFIED,
                    Payment.registration_id.in_(scoped),
                )
                .order_by(Payment.created_at, Payment.id)
                .limit(LIST_LIMIT)
            )
        ).all()
        duplicates = set(await duplicate_receipts(session, {p.receipt_number for p, _ in rows}))
    page = {
        "rows": rows,
        "duplicates": duplicates,
        "result": None,
        "names": {},
        "bad": [],
        "error": None,
    }
    page.update(extra)
    return render(request, "payments.html", page)


async def waiting(request: web.Request) -> web.StreamResponse:
    return await _waiting(request)


async def _names(session, result: StatementResult) -> dict[int, str]:  # type: ignore[no-untyped-def]
    ids = {p.registration_id for _, p in [*result.confirmed, *result.mismatched, *result.decided]}
    if not ids:
        return {}
    rows = await session.execute(
        select(Registration.id, AccessGrant.full_name)
        .join(AccessGrant, AccessGrant.id == Registration.grant_id)
        .where(Registration.id.in_(ids))
    )
    return {registration_id: name for registration_id, name in rows.all()}


async def statement(request: web.Request) -> web.StreamResponse:
    """Import a bank statement: confirm matching receipts at once, list the rest."""
    upload = await read_upload(request)
    if upload is None:
        return await _waiting(request, error=text(request, "upload.none"))
    parsed = await asyncio.to_thread(parse_statement, upload.data, upload.filename)
    if isinstance(parsed, Rejected):
        return await _waiting(request, error=rejection_text(request, parsed))
    rows, bad_rows = parsed
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        result = await import_statement(
            session,
            actor=actor,
            rows=rows,
            campaign=context.campaign,
            now=datetime.now(UTC),
            filename=upload.filename[:200],
        )
        result.bad_rows = bad_rows
        names = await _names(session, result)
        notices = take_notices(session)
    await context.publisher.publish(notices)
    bad = [(e.line, rejection_text(request, e)) for e in bad_rows]
    return await _waiting(request, result=result, names=names, bad=bad)


async def _decided(result: Any, registration_id: int) -> web.Response:
    if isinstance(result, Rejected):
        return redirect(f"/review/{registration_id}?error={result.message_id}")
    return redirect(f"/review/{registration_id}?done=payment")


async def confirm(request: web.Request) -> web.StreamResponse:
    payment_id = path_id(request, "payment_id")
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        payment = await Scoped(session, actor).payment(payment_id)
        result = await decisions.confirm_payment(
            session,
            actor=actor,
            payment_id=payment.id,
            campaign=context.campaign,
            now=datetime.now(UTC),
        )
        notices = take_notices(session)
    await context.publisher.publish(notices)
    return await _decided(result, payment.registration_id)


async def reject(request: web.Request) -> web.StreamResponse:
    payment_id = path_id(request, "payment_id")
    form = await request.post()
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        payment = await Scoped(session, actor).payment(payment_id)
        result = await decisions.reject_payment(
            session,
            actor=actor,
            payment_id=payment.id,
            reason=str(form.get("reason", "")),
            now=datetime.now(UTC),
        )
        notices = take_notices(session)
    await context.publisher.publish(notices)
    return await _decided(result, payment.registration_id)


_CHECKERS = {Role.CENTRAL, Role.DISTRICT}
_ID = "{payment_id:\\d+}"

ROUTES: list[WebRoute] = [
    get("/payments", waiting, name="payments.list", roles=_CHECKERS),
    post("/payments/statement", statement, name="payments.statement", roles=_CHECKERS),
    post(f"/payments/{_ID}/confirm", confirm, name="payments.confirm", roles=ALL_ROLES),
    post(f"/payments/{_ID}/reject", reject, name="payments.reject", roles=ALL_ROLES),
]
