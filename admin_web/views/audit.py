"""The audit log, newest first: the admin reads all of it, a district its own entries."""

from __future__ import annotations

from aiohttp import web

from access.audit import list_audit
from admin_web.actor import acting_officer
from admin_web.paging import Page, PageRequest
from admin_web.render import render
from admin_web.routing import WebRoute, get
from storage.enums import Role


async def audit_list(request: web.Request) -> web.StreamResponse:
    paging = PageRequest.from_request(request)
    async with acting_officer(request) as (session, actor):
        rows, total = await list_audit(
            session, actor=actor, offset=paging.offset, limit=paging.size
        )
        return render(request, "audit.html", {"page": Page(rows, total, paging)})


ROUTES: list[WebRoute] = [
    get("/audit", audit_list, name="audit.list", roles={Role.CENTRAL, Role.DISTRICT}),
]
