"""Rendering pages: the Jinja2 environment and what every template can use."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin_web.context import WEB_CONTEXT
from admin_web.i18n import Message
from admin_web.keys import CSRF_TOKEN, LANG, SESSION, WEB_TEXTS
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from core.people import format_phone
from flows.photos import stored_warnings
from storage.enums import Role

LOCAL_ZONE = ZoneInfo("Asia/Bishkek")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["phone"] = format_phone
    env.filters["local_time"] = _local_time
    app[aiohttp_jinja2.static_root_key] = "/static"


def _page_context(request: web.Request) -> dict[str, Any]:
    # Built here rather than by aiohttp_jinja2's context processors: those store their
    # state under a plain string key, which aiohttp warns about (and warnings are errors).
    lang = request.get(LANG, DEFAULT_LANGUAGE)
    texts = request.app[WEB_TEXTS]
    active = request.get(SESSION)
    return {
        "_": partial(texts.text, lang),
        "has_text": partial(texts.has, lang),
        "lang": lang,
        "languages": LANGUAGES,
        "officer": active.officer if active else None,
        "csrf_token": request.get(CSRF_TOKEN, ""),
        "Role": Role,
        "current_path": request.path_qs,
        "money": partial(_money, request, lang),
        "photo_warnings": partial(_photo_warnings, lang),
    }


def _photo_warnings(lang: str, check_results: list[dict[str, Any]] | None) -> list[str]:
    return stored_warnings(check_results or [], lang)


def _money(request: web.Request, lang: str, amount: int | None) -> str:
    """Write a sum as the bot does ("1 410 сом"); empty when there is none."""
    if amount is None:
        return ""
    return request.app[WEB_CONTEXT].campaign.money(int(amount), lang)


def _local_time(moment: datetime | None) -> str:
    """Show a stored timestamp as officers read it: Bishkek time, to the minute."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands timestamps back without their (UTC) zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE).strftime("%d.%m.%Y %H:%M")


def text(request: web.Request, message_id: str, **params: Any) -> str:
    """Translate `message_id` into the language of this request."""
    return request.app[WEB_TEXTS].text(request.get(LANG, DEFAULT_LANGUAGE), message_id, **params)


def rejection_text(request: web.Request, rejected: Message) -> str:
    return request.app[WEB_TEXTS].rejection(request.get(LANG, DEFAULT_LANGUAGE), rejected)


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    page = _page_context(request)
    page.update(context or {})
    return aiohttp_jinja2.render_template(template, request, page, status=status)


def redirect(location: str) -> web.Response:
    """Return a 302 that can carry cookies (raising `web.HTTPFound` is for plain jumps)."""
    return web.Response(status=302, headers={"Location": location})


def render_error(
    request: web.Request, status: int, *, message_id: str | None = None
) -> web.Response:
    """Render 403/404/405 in the officer's language, without revealing anything."""
    message_id = message_id or f"error.http.{status}"
    return render(
        request, "error.html", {"status": status, "message_id": message_id}, status=status
    )
