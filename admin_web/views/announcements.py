"""Announcements: write (ky and ru), choose whom by status, preview the counts, send.

Sending is a second POST of the previewed form: the counts shown are recomputed at that
moment, recorded with the announcement, and the page then shows what became of each message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.render import redirect, render, text
from admin_web.routing import ALL_ROLES, WebRoute, get, post
from flows.notifications import take_notices
from office.announcement_figures import sent_announcements
from office.announcements import (
    AUDIENCES,
    TEXT_LIMIT,
    per_channel,
    recipients,
    send_announcement,
)
from office.reminders import configured_channels


async def _form(request: web.Request) -> tuple[dict[str, Any], str | None]:
    """Read the form; return it and the first problem (None when it can be sent)."""
    data = await request.post()
    form = {
        "statuses": [s for s in data.getall("status", []) if s in AUDIENCES],
        "text_ky": str(data.get("text_ky", "")).strip(),
        "text_ru": str(data.get("text_ru", "")).strip(),
    }
    if not form["statuses"]:
        return form, text(request, "announcements.error.statuses")
    if not form["text_ky"] or not form["text_ru"]:
        return form, text(request, "announcements.error.texts")
    if max(len(form["text_ky"]), len(form["text_ru"])) > TEXT_LIMIT:
        return form, text(request, "announcements.error.long", limit=TEXT_LIMIT)
    return form, None


async def _page(request: web.Request, **extra: Any) -> web.Response:
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        history = await sent_announcements(session, actor=actor, campaign=context.campaign)
    page: dict[str, Any] = {
        "audiences": AUDIENCES,
        "form": {"statuses": [], "text_ky": "", "text_ru": ""},
        "preview": None,
        "error": None,
        "history": history,
        "done": request.query.get("done") == "1",
    }
    page.update(extra)
    return render(request, "announcements.html", page)


async def page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


async def preview(request: web.Request) -> web.StreamResponse:
    form, error = await _form(request)
    if error:
        return await _page(request, form=form, error=error)
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        found, unreachable = await recipients(
            session,
            actor=actor,
            campaign=context.campaign,
            statuses=set(form["statuses"]),
            channels=configured_channels(request.app[WEB_CONTEXT].settings),
        )
    counts = {c.value: n for c, n in per_channel(found).items()}
    return await _page(
        request, form=form, preview={**counts, "unreachable": unreachable, "total": len(found)}
    )


async def send(request: web.Request) -> web.StreamResponse:
    form, error = await _form(request)
    if error:
        return await _page(request, form=form, error=error)
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        await send_announcement(
            session,
            actor=actor,
            campaign=context.campaign,
            statuses=set(form["statuses"]),
            text_ky=form["text_ky"],
            text_ru=form["text_ru"],
            channels=configured_channels(request.app[WEB_CONTEXT].settings),
            now=datetime.now(UTC),
        )
        notices = take_notices(session)
    await context.publisher.publish(notices)
    return redirect("/announcements?done=1")


ROUTES: list[WebRoute] = [
    get("/announcements", page, name="announcements", roles=ALL_ROLES),
    post("/announcements/preview", preview, name="announcements.preview", roles=ALL_ROLES),
    post("/announcements/send", send, name="announcements.send", roles=ALL_ROLES),
]
