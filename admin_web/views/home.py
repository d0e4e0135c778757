"""The home page: the main buttons of each role, as in the instruction, and the work waiting."""

from __future__ import annotations

from aiohttp import web

from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.keys import SESSION
from admin_web.render import render
from admin_web.routing import ALL_ROLES, WebRoute, get
from office.waiting import waiting_work
from storage.enums import Role


async def home(request: web.Request) -> web.StreamResponse:
    officer = request[SESSION].officer
    work = None
    if officer.role in (Role.DISTRICT, Role.SCHOOL):
        year = request.app[WEB_CONTEXT].campaign.year
        async with acting_officer(request) as (session, actor):
            work = await waiting_work(session, actor=actor, year=year)
    return render(
        request,
        "home.html",
        {"role": officer.role, "changed": "changed" in request.query, "work": work},
    )


ROUTES: list[WebRoute] = [get("/", home, name="home", roles=ALL_ROLES)]
