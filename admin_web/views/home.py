"""The home page: the main buttons of each role, as in the instruction."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import SESSION
from admin_web.render import render
from admin_web.routing import ALL_ROLES, WebRoute, get


async def home(request: web.Request) -> web.StreamResponse:
    officer = request[SESSION].officer
    return render(
        request, "home.html", {"role": officer.role, "changed": "changed" in request.query}
    )


ROUTES: list[WebRoute] = [get("/", home, name="home", roles=ALL_ROLES)]
