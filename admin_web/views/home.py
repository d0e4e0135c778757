"""The home page: the main buttons of each role, as in the instruction.

The central admin also sees the campaign the app runs: its window and fees, and a warning while
its file is a draft whose dates and fees the Center has not confirmed.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.context import WEB_CONTEXT
from admin_web.keys import SESSION
from admin_web.render import render
from admin_web.routing import ALL_ROLES, WebRoute, get
from storage.enums import Role


async def home(request: web.Request) -> web.StreamResponse:
    officer = request[SESSION].officer
    campaign = request.app[WEB_CONTEXT].campaign if officer.role is Role.CENTRAL else None
    return render(
        request,
        "home.html",
        {"role": officer.role, "changed": "changed" in request.query, "campaign": campaign},
    )


ROUTES: list[WebRoute] = [get("/", home, name="home", roles=ALL_ROLES)]
