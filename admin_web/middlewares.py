"""Middlewares of the officers' web, outermost first.

`/healthz`, `/webhooks/*` and `/static/*` pass through untouched: machines call the first two,
and the third is public CSS.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from access.exceptions import OutOfScope
from admin_web import csrf
from admin_web.context import WEB_CONTEXT
from admin_web.i18n import cookie_language, normalize_language
from admin_web.keys import CSRF_TOKEN, LANG, SESSION
from admin_web.render import render_error
from admin_web.routing import declared_route, is_exempt
from admin_web.sessions import SESSION_COOKIE, load_session, set_cookie

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Headers every page carries; officer pages are never cached (they show passwords)."""
    if is_exempt(request.path):
        return await handler(request)
    try:
        response = await handler(request)
    except OutOfScope:
        # A row that does not exist or is another scope's: the same 404 either way.
        response = render_error(request, 404)
    except web.HTTPException as exc:
        if exc.status in (400, 403, 404, 405) and LANG in request:
            response = render_error(request, exc.status)
        else:
            raise
    if response.prepared:  # a streamed download set its own headers before sending
        return response
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def session_loader(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the officer's session, the page language and the CSRF token to the request."""
    if is_exempt(request.path):
        return await handler(request)
    context = request.app[WEB_CONTEXT]
    active = await load_session(context.database, request.cookies.get(SESSION_COOKIE))
    new_pre_secret = None
    if active is not None:
        request[SESSION] = active
        request[LANG] = normalize_language(active.officer.language) or cookie_language(request)
        request[CSRF_TOKEN] = active.csrf_token
    else:
        request[LANG] = cookie_language(request)
        pre_secret = request.cookies.get(csrf.PRE_SESSION_COOKIE)
        if not pre_secret or len(pre_secret) > 128:
            pre_secret = new_pre_secret = csrf.new_pre_session_secret()
        request[CSRF_TOKEN] = csrf.pre_session_token(context.secret_box, pre_secret)
    response = await handler(request)
    if new_pre_secret is not None and not response.prepared:
        set_cookie(response, context.settings, csrf.PRE_SESSION_COOKIE, new_pre_secret)
    return response


@web.middleware
async def csrf_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse any POST whose form does not carry this browser's CSRF token."""
    if request.method == "POST" and not is_exempt(request.path):
        if not csrf.tokens_match(request.get(CSRF_TOKEN), await csrf.sent_token(request)):
            log.info("refused a POST without a valid CSRF token: %s", request.path)
            return render_error(request, 403, message_id="error.csrf")
    return await handler(request)


@web.middleware
async def authorization(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Enforce each route's declared roles; send a pending password change first."""
    if is_exempt(request.path):
        return await handler(request)
    declared = declared_route(request)
    if declared is None:
        # Unknown path (404) or a method the path lacks (405): aiohttp's own answer.
        return await handler(request)
    if declared.is_public:
        return await handler(request)
    active = request.get(SESSION)
    if active is None:
        if request.method == "GET":
            target = request.app.router["auth.login"].url_for()
            if request.path != "/":
                target = target.with_query(next=request.path_qs)
            raise web.HTTPFound(target)
        raise web.HTTPForbidden()
    if active.officer.role not in (declared.roles or ()):
        raise web.HTTPForbidden()
    if active.officer.must_change_password and not declared.allow_before_password_change:
        raise web.HTTPFound(request.app.router["auth.password"].url_for())
    return await handler(request)
