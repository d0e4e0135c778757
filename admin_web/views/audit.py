"""The audit log, newest first, as sentences: the admin reads all of it, a district its own.

Filters by officer, action and dates, and a search by name or phone; an uploaded list is one
entry whose rows open on their own page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from access.audit import AuditFilter, audit_choices, audit_entry, list_audit
from access.scoped import Scoped
from admin_web.actor import acting_officer
from admin_web.audit_text import describe
from admin_web.context import WEB_CONTEXT
from admin_web.keys import LANG, WEB_TEXTS
from admin_web.paging import Page, PageRequest
from admin_web.params import parse_id, path_id
from admin_web.render import render
from admin_web.routing import WebRoute, get
from storage.enums import Role
from storage.models import AccessGrant

_FILTER_PARAMS = ("officer", "action", "from", "to", "q")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_filter(query: Any, zone: ZoneInfo) -> AuditFilter:
    """Read the log's filters from the query string; what does not parse means "any"."""
    officer = query.get("officer", "")
    start, end = _day(query.get("from", "")), _day(query.get("to", ""))
    return AuditFilter(
        officer_id=parse_id(officer),
        action=query.get("action", "")[:64],
        date_from=datetime.combine(start, time.min, zone) if start else None,
        date_to=datetime.combine(end + timedelta(days=1), time.min, zone) if end else None,
        query=query.get("q", "").strip()[:100],
    )


@dataclass(frozen=True)
class _FilteredPage(Page):
    """A page whose links keep the filters."""

    filters: tuple[tuple[str, str], ...] = ()

    def query_for(self, page: int) -> dict[str, str]:
        return {**{k: v for k, v in self.filters if v}, "page": str(page)}


def _texts(request: web.Request) -> dict[str, Any]:
    texts, lang = request.app[WEB_TEXTS], request[LANG]
    return {
        "text": lambda message_id, **params: texts.text(lang, message_id, **params),
        "has": lambda message_id: texts.has(lang, message_id),
    }


async def audit_list(request: web.Request) -> web.StreamResponse:
    paging = PageRequest.from_request(request)
    zone = ZoneInfo(request.app[WEB_CONTEXT].campaign.timezone)
    flt = audit_filter(request.query, zone)
    async with acting_officer(request) as (session, actor):
        rows, total = await list_audit(
            session, actor=actor, flt=flt, offset=paging.offset, limit=paging.size
        )
        lines = await describe(session, rows, **_texts(request))
        officers, actions = await audit_choices(session, actor=actor)
    raw = {k: request.query.get(k, "") for k in _FILTER_PARAMS}
    page = _FilteredPage(lines, total, paging, filters=tuple(raw.items()))
    return render(
        request,
        "audit.html",
        {"page": page, "officers": officers, "actions": actions, "raw": raw},
    )


async def list_rows(request: web.Request) -> web.StreamResponse:
    """Show the grants one uploaded list made (those the officer may see)."""
    entry_id = path_id(request, "entry_id")
    async with acting_officer(request) as (session, actor):
        entry = await audit_entry(session, actor=actor, entry_id=entry_id)
        if entry is None or entry.action != "grant.create_list":
            raise web.HTTPNotFound()
        ids = next((c.get("after") or [] for c in entry.changes if c["field"] == "grant_ids"), [])
        grants = (
            await session.scalars(
                Scoped(session, actor)
                .grants()
                .where(AccessGrant.id.in_(ids))
                .order_by(AccessGrant.id)
            )
        ).unique()
        [line] = await describe(session, [entry], **_texts(request))
        return render(request, "audit_list.html", {"line": line, "grants": list(grants)})


ROUTES: list[WebRoute] = [
    get("/audit", audit_list, name="audit.list", roles={Role.CENTRAL, Role.DISTRICT}),
    get(
        "/audit/{entry_id:\\d+}/rows",
        list_rows,
        name="audit.list_rows",
        roles={Role.CENTRAL, Role.DISTRICT, Role.SCHOOL},
    ),
]
