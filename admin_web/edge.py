"""The edge of the web: input no person types is turned away, unexpected errors logged safely.

- A query string or a posted form holding a control character (NUL, BEL, ESC, C1...) answers
  400 with a polite page: no view, no database ever sees it (PostgreSQL refuses NUL in text,
  and its error would quote the statement's parameters).
- An error no view expected answers 500 and is logged as its type and frames only, never its
  message: a database error's message quotes the statement's parameters, phones and PINs
  included. This holds for every path of the server, webhooks and the health check too.
"""

from __future__ import annotations

import logging
import traceback

from aiohttp import web
from aiohttp.typedefs import Handler

from admin_web.keys import LANG
from admin_web.render import render_error
from admin_web.routing import is_exempt
from core.validation import has_control_characters

log = logging.getLogger(__name__)


@web.middleware
async def unexpected_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 500 for an unexpected error, logging its type and frames (not its message)."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error(
            "%s %s failed: %s\n%s",
            request.method,
            _route(request),
            type(error).__name__,
            frames.rstrip("\n"),
        )
        if LANG in request and not is_exempt(request.path):
            try:
                return render_error(request, 500)
            except Exception:  # noqa: BLE001 - the error page itself failed: plain text then
                log.error("the error page failed too")
        return web.Response(status=500, text="Internal Server Error")


def _route(request: web.Request) -> str:
    """Return the matched route's pattern (``/review/{registration_id}``), not the path."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"


@web.middleware
async def refuse_control_characters(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a query string or form with a control character: 400 in the officer's language."""
    if is_exempt(request.path):
        return await handler(request)
    if _has_controls(request.query.items()) or (
        request.method == "POST" and _has_controls(_form_texts(await request.post()))
    ):
        log.info("refused a request with control characters: %s", _route(request))
        return render_error(request, 400, message_id="error.control_characters")
    return await handler(request)


def _form_texts(form: object) -> list[tuple[str, str]]:
    texts = []
    for name, value in form.items():  # type: ignore[attr-defined]
        if isinstance(value, web.FileField):
            texts.append((name, value.filename or ""))
        else:
            texts.append((name, str(value)))
    return texts


def _has_controls(pairs: object) -> bool:
    return any(
        has_control_characters(name) or has_control_characters(value)
        for name, value in pairs  # type: ignore[attr-defined]
    )
