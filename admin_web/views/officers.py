"""Coordinator accounts: the admin's district coordinators, a district's school coordinators.

Both pages work alike ("Колдонуучуну түзүү", the list, "Паролду өзгөртүү", Excel export); a
new or reset password is shown once on the page answering the POST (never cached) unless the
notifier delivered it to the owner's phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from access.codifier import find_school, list_districts, pick_school, search_schools
from access.officers import (
    IssuedPassword,
    create_officer,
    list_officers,
    reset_password,
    set_active,
)
from access.scope import Scope
from access.scoped import Scoped
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.paging import Page, PageRequest
from admin_web.params import form_id, path_id
from admin_web.render import rejection_text, render, text
from admin_web.routing import WebRoute, get, post
from admin_web.sessions import close_officer_sessions
from core.validation import Rejected
from storage.enums import Role
from storage.models import Officer

SCHOOL_PICKER_LIMIT = 3000


@dataclass(frozen=True)
class _Desk:
    """One of the two account pages: who manages whom."""

    route: str  # the list's route name
    managed: Role
    template: str


COORDINATORS = _Desk("officers.districts", Role.DISTRICT, "coordinators.html")
SCHOOL_USERS = _Desk("officers.schools", Role.SCHOOL, "school_users.html")


async def _page(
    request: web.Request,
    desk: _Desk,
    session: AsyncSession,
    actor: Officer,
    *,
    status: int = 200,
    **extra: Any,
) -> web.Response:
    paging = PageRequest.from_request(request)
    rows, total = await list_officers(
        session,
        actor=actor,
        role=desk.managed,
        query=paging.query or None,
        offset=paging.offset,
        limit=paging.size,
    )
    context: dict[str, Any] = {
        "page": Page(rows, total, paging),
        "form": {},
        "error": None,
        "issued": None,
        "delivered": False,
        "notice": None,
        "list_route": desk.route,
        "active_route": desk.route + ".active",
    }
    if desk.managed is Role.DISTRICT:
        context["districts"] = await list_districts(session)
    else:
        context["schools"] = await search_schools(
            session, scope=Scope.of(actor), query="", limit=SCHOOL_PICKER_LIMIT
        )
    context.update(extra)
    return render(request, desk.template, context, status=status)


def _list_view(desk: _Desk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        async with acting_officer(request) as (session, actor):
            return await _page(request, desk, session, actor)

    return view


async def _deliver(request: web.Request, issued: IssuedPassword) -> bool:
    """Send the credentials through the notifier; False means: show the password once."""
    context = request.app[WEB_CONTEXT]
    base = context.settings.public_base_url or f"http://{request.host}"
    return await context.notifier.send_credentials(
        phone=issued.officer.phone,
        full_name=issued.officer.full_name,
        language=issued.officer.language,
        login_url=f"{base.rstrip('/')}/login",
        password=issued.password,
    )


async def _school_id(session: AsyncSession, actor: Officer, text: str) -> int | None | Rejected:
    """Return the picked school's id, or why the typed text picks none or several.

    The datalist sends "code — name"; people type a code or a name (it must match one school).
    Whether the school is the officer's own is the business layer's check (it names the code).
    """
    code = await pick_school(session, scope=Scope.of(actor), text=text)
    if isinstance(code, Rejected):
        return code
    school = await find_school(session, code) if code else None
    return school.id if school is not None else None


def _create_view(desk: _Desk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        kept = {
            key: str(form.get(key, ""))[:300]
            for key in ("phone", "full_name", "district", "school")
        }
        context = request.app[WEB_CONTEXT]
        async with acting_officer(request) as (session, actor):
            where: dict[str, int | None] = {}
            if desk.managed is Role.DISTRICT:
                where["district_id"] = form_id(kept["district"])
            else:
                picked = await _school_id(session, actor, kept["school"])
                if isinstance(picked, Rejected):
                    error = rejection_text(request, picked)
                    return await _page(request, desk, session, actor, form=kept, error=error)
                where["school_id"] = picked
            result = await create_officer(
                session,
                actor=actor,
                role=desk.managed,
                phone=kept["phone"],
                full_name=kept["full_name"],
                secret_box=context.secret_box,
                **where,
            )
            if isinstance(result, Rejected):
                error = rejection_text(request, result)
                return await _page(request, desk, session, actor, form=kept, error=error)
        issued = result.value
        delivered = await _deliver(request, issued)
        async with acting_officer(request) as (session, actor):
            return await _page(request, desk, session, actor, issued=issued, delivered=delivered)

    return view


def _reset_view(desk: _Desk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        officer_id = path_id(request, "officer_id")
        context = request.app[WEB_CONTEXT]
        async with acting_officer(request) as (session, actor):
            # Another district's account raises OutOfScope: 404, as if it did not exist.
            await Scoped(session, actor).officer(officer_id, role=desk.managed)
            result = await reset_password(
                session, actor=actor, officer_id=officer_id, secret_box=context.secret_box
            )
            if isinstance(result, Rejected):
                error = rejection_text(request, result)
                return await _page(request, desk, session, actor, error=error)
        issued = result.value
        # Whoever held the lost password may be logged in with it: end those sessions.
        await close_officer_sessions(context.database, issued.officer.id)
        delivered = await _deliver(request, issued)
        async with acting_officer(request) as (session, actor):
            return await _page(
                request, desk, session, actor, issued=issued, delivered=delivered, reset=True
            )

    return view


def _active_view(desk: _Desk):  # type: ignore[no-untyped-def]
    """Deactivate (``active=no``) or reactivate (``active=yes``) an account one level below."""

    async def view(request: web.Request) -> web.StreamResponse:
        officer_id = path_id(request, "officer_id")
        active = (await request.post()).get("active") == "yes"
        context = request.app[WEB_CONTEXT]
        async with acting_officer(request) as (session, actor):
            # Another district's account raises OutOfScope: 404, as if it did not exist.
            await Scoped(session, actor).officer(officer_id, role=desk.managed)
            result = await set_active(session, actor=actor, officer_id=officer_id, active=active)
            if isinstance(result, Rejected):
                error = rejection_text(request, result)
                return await _page(request, desk, session, actor, error=error)
            name = result.value.full_name
        if not active:
            # A deactivated officer is logged out everywhere at once, not at the next request.
            await close_officer_sessions(context.database, officer_id)
        notice = text(
            request, "officers.activated" if active else "officers.deactivated", name=name
        )
        async with acting_officer(request) as (session, actor):
            return await _page(request, desk, session, actor, notice=notice)

    return view


_CENTRAL = {Role.CENTRAL}
_DISTRICT = {Role.DISTRICT}

ROUTES: list[WebRoute] = [
    get("/coordinators", _list_view(COORDINATORS), name=COORDINATORS.route, roles=_CENTRAL),
    post("/coordinators", _create_view(COORDINATORS), name=COORDINATORS.route, roles=_CENTRAL),
    post(
        "/coordinators/{officer_id:\\d+}/password",
        _reset_view(COORDINATORS),
        name="officers.districts.reset",
        roles=_CENTRAL,
    ),
    post(
        "/coordinators/{officer_id:\\d+}/active",
        _active_view(COORDINATORS),
        name="officers.districts.active",
        roles=_CENTRAL,
    ),
    get("/schools", _list_view(SCHOOL_USERS), name=SCHOOL_USERS.route, roles=_DISTRICT),
    post("/schools", _create_view(SCHOOL_USERS), name=SCHOOL_USERS.route, roles=_DISTRICT),
    post(
        "/schools/{officer_id:\\d+}/password",
        _reset_view(SCHOOL_USERS),
        name="officers.schools.reset",
        roles=_DISTRICT,
    ),
    post(
        "/schools/{officer_id:\\d+}/active",
        _active_view(SCHOOL_USERS),
        name="officers.schools.active",
        roles=_DISTRICT,
    ),
]
