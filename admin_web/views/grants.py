"""Access grants: "МЖБга кирүү" for a district, current graduates for a school.

One page per desk: the form for one applicant, the upload of a list, the list itself with
search and paging, a new access code for one applicant, and the Excel export.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from access.codifier import pick_school, search_schools
from access.grants import (
    IssuedGrant,
    create_grant,
    create_grants_bulk,
    list_grants,
    parse_grant_list,
    regenerate_access_code,
)
from access.scope import Scope
from access.scoped import Scoped
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.keys import SESSION
from admin_web.paging import Page, PageRequest
from admin_web.params import path_id
from admin_web.render import rejection_text, render, text
from admin_web.routing import WebRoute, get, post
from admin_web.stash import UploadStash
from admin_web.uploads import read_upload
from core.validation import Rejected
from storage.enums import GrantKind, MzhbCheck, Role
from storage.models import Officer, School

SCHOOL_PICKER_LIMIT = 3000


@dataclass(frozen=True)
class GrantDesk:
    """One of the two grant pages."""

    route: str
    kind: GrantKind
    role: Role

    @property
    def needs_checks(self) -> bool:
        return self.kind is GrantKind.MZHB


MZHB = GrantDesk("grants.mzhb", GrantKind.MZHB, Role.DISTRICT)
GRADUATES = GrantDesk("grants.graduates", GrantKind.CURRENT, Role.SCHOOL)


def telegram_link(request: web.Request, code: str) -> str | None:
    username = request.app[WEB_CONTEXT].settings.telegram_bot_username
    return f"https://t.me/{username}?start={code}" if username else None


async def grants_page(
    request: web.Request,
    desk: GrantDesk,
    session: AsyncSession,
    actor: Officer,
    **extra: Any,
) -> web.Response:
    """Render a desk's page: forms, the outcome of the last action, and one page of the list."""
    paging = PageRequest.from_request(request)
    campaign = request.app[WEB_CONTEXT].campaign
    rows, total = await list_grants(
        session,
        actor=actor,
        kind=desk.kind,
        campaign_year=campaign.year,
        query=paging.query or None,
        offset=paging.offset,
        limit=paging.size,
    )
    context: dict[str, Any] = {
        "desk": desk,
        "page": Page(rows, total, paging),
        "checks": list(MzhbCheck),
        "form": {},
        "ticked": [],
        "error": None,
        "bulk_error": None,
        "issued": None,
        "bulk": None,
        "campaign": campaign,
        "schools": [],
    }
    if desk.needs_checks:
        context["schools"] = await search_schools(
            session,
            scope=Scope.of(actor),
            query="",
            limit=SCHOOL_PICKER_LIMIT,
            include_unlisted=True,
        )
    context.update(extra)
    return render(request, "grants.html", context)


async def issued_view(
    request: web.Request, session: AsyncSession, issued: IssuedGrant
) -> dict[str, str | None]:
    """Copy what the page shows of a new grant while its transaction is still open."""
    school = await session.get(School, issued.grant.school_id)
    return {
        "full_name": issued.grant.full_name,
        "phone": issued.grant.phone,
        "school_code": school.code if school else "",
        "access_code": issued.access_code,
        "telegram_link": telegram_link(request, issued.access_code),
    }


def list_view(desk: GrantDesk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        async with acting_officer(request) as (session, actor):
            return await grants_page(request, desk, session, actor)

    return view


def _ticked(form: Any) -> list[str]:
    allowed = {c.value for c in MzhbCheck}
    return [value for value in form.getall("checks", []) if value in allowed]


def create_view(desk: GrantDesk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        kept = {key: str(form.get(key, ""))[:300] for key in ("phone", "full_name", "school")}
        ticked = _ticked(form)
        context = request.app[WEB_CONTEXT]
        async with acting_officer(request) as (session, actor):
            picked = await pick_school(session, scope=Scope.of(actor), text=kept["school"])
            result = (
                picked
                if isinstance(picked, Rejected)
                else await create_grant(
                    session,
                    actor=actor,
                    kind=desk.kind,
                    phone=kept["phone"],
                    full_name=kept["full_name"],
                    school_code=picked or None,
                    checks=ticked,
                    campaign=context.campaign,
                    secret_box=context.secret_box,
                )
            )
            if isinstance(result, Rejected):
                return await grants_page(
                    request,
                    desk,
                    session,
                    actor,
                    form=kept,
                    ticked=ticked,
                    error=rejection_text(request, result),
                )
            issued = await issued_view(request, session, result.value)
        async with acting_officer(request) as (session, actor):
            return await grants_page(request, desk, session, actor, issued=issued)

    return view


def upload_view(desk: GrantDesk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        ticked = _ticked(form)
        stash = UploadStash(request.app[WEB_CONTEXT].state)
        officer_id = request[SESSION].officer.id
        if "token" in form:  # the officer chose to grant only the good rows
            upload = await stash.take(officer_id, str(form.get("token", "")))
            only_valid = True
        else:
            upload = await read_upload(request)
            only_valid = False
        if upload is None:
            async with acting_officer(request) as (session, actor):
                return await grants_page(
                    request, desk, session, actor, bulk_error=text(request, "upload.none")
                )
        report = await asyncio.to_thread(
            parse_grant_list, upload.data, upload.filename, kind=desk.kind
        )
        context = request.app[WEB_CONTEXT]
        async with acting_officer(request) as (session, actor):
            result = await create_grants_bulk(
                session,
                actor=actor,
                kind=desk.kind,
                report=report,
                campaign=context.campaign,
                secret_box=context.secret_box,
                only_valid=only_valid,
                checks=ticked,
            )
            if isinstance(result, Rejected):
                bulk = None
                if result.message_id == "access.bulk.has_errors":
                    errors = result.params["errors"]
                    bad_lines = {e.line for e in errors}
                    bulk = {
                        "errors": [(e.line, rejection_text(request, e)) for e in errors],
                        "good": sum(1 for row in report.rows if row.line not in bad_lines),
                        "token": await stash.keep(officer_id, upload),
                    }
                return await grants_page(
                    request,
                    desk,
                    session,
                    actor,
                    ticked=ticked,
                    bulk=bulk,
                    bulk_error=rejection_text(request, result),
                )
        granted = len(result.value.issued)
        async with acting_officer(request) as (session, actor):
            return await grants_page(
                request,
                desk,
                session,
                actor,
                bulk={"granted": granted, "skipped": len(result.value.skipped)},
            )

    return view


async def new_code(request: web.Request) -> web.StreamResponse:
    """Issue a new one-time access code for one applicant (the old one stops working).

    Only once confirmed: a GET, or a POST without ``confirm``, shows what will happen first.
    """
    grant_id = path_id(request, "grant_id")
    context = request.app[WEB_CONTEXT]
    confirmed = request.method == "POST" and (await request.post()).get("confirm") == "yes"
    async with acting_officer(request) as (session, actor):
        # Another district's or school's grant raises OutOfScope: 404, as if it did not exist.
        if not confirmed:
            grant = await Scoped(session, actor).grant(grant_id)
            desk = MZHB if actor.role is Role.DISTRICT else GRADUATES
            return render(
                request,
                "confirm_code.html",
                {"grant": grant, "school": grant.school, "desk": desk},
            )
        result = await regenerate_access_code(
            session, actor=actor, grant_id=grant_id, secret_box=context.secret_box
        )
        issued = await issued_view(request, session, result.value)
    desk = MZHB if actor.role is Role.DISTRICT else GRADUATES
    async with acting_officer(request) as (session, actor):
        return await grants_page(request, desk, session, actor, issued=issued, new_code=True)


_DISTRICT = {Role.DISTRICT}
_SCHOOL = {Role.SCHOOL}

ROUTES: list[WebRoute] = [
    get("/mzhb", list_view(MZHB), name=MZHB.route, roles=_DISTRICT),
    post("/mzhb", create_view(MZHB), name=MZHB.route, roles=_DISTRICT),
    post("/mzhb/upload", upload_view(MZHB), name="grants.mzhb.upload", roles=_DISTRICT),
    get("/graduates", list_view(GRADUATES), name=GRADUATES.route, roles=_SCHOOL),
    post("/graduates", create_view(GRADUATES), name=GRADUATES.route, roles=_SCHOOL),
    post(
        "/graduates/upload",
        upload_view(GRADUATES),
        name="grants.graduates.upload",
        roles=_SCHOOL,
    ),
    get(
        "/grants/{grant_id:\\d+}/code",
        new_code,
        name="grants.new_code",
        roles={Role.DISTRICT, Role.SCHOOL},
    ),
    post(
        "/grants/{grant_id:\\d+}/code",
        new_code,
        name="grants.new_code",
        roles={Role.DISTRICT, Role.SCHOOL},
    ),
]
