"""The home page: the main buttons of each role, as in the instruction, and the work waiting.

The central admin also sees the campaign the app runs: its window and fees, and a warning while
its file is a draft whose dates and fees the Center has not confirmed. Coordinators see what
waits for them: entries to review, receipts to verify, delivery problems.
"""

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
    context = request.app[WEB_CONTEXT]
    campaign = context.campaign if officer.role is Role.CENTRAL else None
    work = None
    if officer.role in (Role.DISTRICT, Role.SCHOOL):
        async with acting_officer(request) as (session, actor):
            work = await waiting_work(session, actor=actor, year=context.campaign.year)
    return render(
        request,
        "home.html",
        {
            "role": officer.role,
            "changed": "changed" in request.query,
            "campaign": campaign,
            "work": work,
        },
    )


ROUTES: list[WebRoute] = [get("/", home, name="home", roles=ALL_ROLES)]
