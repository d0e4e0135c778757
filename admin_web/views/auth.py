"""Logging in and out, replacing one's own password, and switching the language."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from access.audit import log_officer_action
from access.officers import change_own_password, find_login, password_matches
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.i18n import LANG_COOKIE, normalize_language
from admin_web.keys import LANG, LOGIN_THROTTLE, SESSION
from admin_web.redirects import local_path
from admin_web.render import redirect, rejection_text, render, text
from admin_web.routing import ALL_ROLES, WebRoute, get, post
from admin_web.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    close_session,
    load_session,
    open_session,
    set_cookie,
    set_session_cookie,
)
from admin_web.throttle import client_address
from core.people import validate_phone
from core.validation import Accepted, Rejected
from storage.models import Officer

log = logging.getLogger(__name__)
LANG_COOKIE_AGE = 365 * 24 * 3600


async def login_page(request: web.Request) -> web.StreamResponse:
    if SESSION in request:
        raise web.HTTPFound("/")
    return render(request, "login.html", {"phone": "", "error": None, "next": _next(request)})


def _next(request: web.Request) -> str:
    return local_path(request.query.get("next"))


async def login(request: web.Request) -> web.StreamResponse:
    context = request.app[WEB_CONTEXT]
    form = await request.post()
    phone_text = str(form.get("phone", ""))[:64]
    password = str(form.get("password", ""))[:256]
    next_path = local_path(str(form.get("next", "")))
    checked = validate_phone(phone_text)
    phone_key = checked.value if isinstance(checked, Accepted) else phone_text.strip()
    address = client_address(request, trusted_proxy_hops=context.settings.web_trusted_proxy_hops)
    throttle = request.app[LOGIN_THROTTLE]

    def refuse(message: str) -> web.Response:
        page = {"phone": phone_text, "error": message, "next": next_path}
        return render(request, "login.html", page, status=200)

    # Counted before the password is checked: see admin_web.throttle.
    retry_at = await throttle.attempt(phone=phone_key, address=address)
    if retry_at is not None:
        return refuse(text(request, "login.throttled", time=_clock(retry_at, context)))
    # No transaction is held while argon2 works (a flood would hold every connection).
    async with context.database.session() as session:
        candidate = await find_login(session, phone_text=phone_text)
    officer = None
    if await password_matches(candidate, password):
        async with context.database.session() as session:
            officer = await session.get(Officer, candidate.id) if candidate else None
            if officer is not None and officer.is_active:
                officer.language = _login_language(request, officer)
                await log_officer_action(
                    session, actor=officer, officer=officer, action="officer.login"
                )
            else:
                officer = None
    if officer is None:
        log.info("failed web login")  # no phone: counting is enough
        return refuse(text(request, "login.failed"))
    await throttle.succeeded(phone=phone_key, address=address)
    # A fresh token at every login: a token planted before login is worth nothing after it.
    old = await load_session(context.database, request.cookies.get(SESSION_COOKIE))
    if old is not None:
        await close_session(context.database, old.token_hash)
    token = await open_session(context.database, officer.id)
    target = "/password" if officer.must_change_password else next_path
    response = redirect(target)
    set_session_cookie(response, context.settings, token)
    set_cookie(response, context.settings, LANG_COOKIE, officer.language, max_age=LANG_COOKIE_AGE)
    return response


def _login_language(request: web.Request, officer: Officer) -> str:
    """Pick the language at login: the login page's choice, else the officer's row."""
    chosen = normalize_language(request.cookies.get(LANG_COOKIE))
    return chosen or normalize_language(officer.language) or request[LANG]


def _clock(epoch: float, context) -> str:  # type: ignore[no-untyped-def]
    zone = ZoneInfo(context.campaign.timezone)
    return datetime.fromtimestamp(epoch + 59, tz=zone).strftime("%H:%M")


async def logout(request: web.Request) -> web.StreamResponse:
    context = request.app[WEB_CONTEXT]
    active = request[SESSION]
    async with acting_officer(request) as (session, officer):
        await log_officer_action(session, actor=officer, officer=officer, action="officer.logout")
    await close_session(context.database, active.token_hash)
    response = redirect("/login")
    clear_session_cookie(response, context.settings)
    return response


async def password_page(request: web.Request) -> web.StreamResponse:
    return render(request, "password.html", {"error": None})


async def change_password(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    async with acting_officer(request) as (session, officer):
        result = await change_own_password(
            session,
            officer=officer,
            current=str(form.get("current", "")),
            new=str(form.get("new", "")),
            repeat=str(form.get("repeat", "")),
        )
    if isinstance(result, Rejected):
        return render(request, "password.html", {"error": rejection_text(request, result)})
    raise web.HTTPFound("/?changed=1")


async def switch_language(request: web.Request) -> web.StreamResponse:
    """Switch between Kyrgyz and Russian: kept in a cookie and on the officer's row."""
    context = request.app[WEB_CONTEXT]
    form = await request.post()
    lang = normalize_language(str(form.get("lang", ""))) or request[LANG]
    if SESSION in request:
        async with acting_officer(request) as (_session, officer):
            officer.language = lang
    response = redirect(local_path(str(form.get("next", ""))))
    set_cookie(response, context.settings, LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE)
    return response


ROUTES: list[WebRoute] = [
    get("/login", login_page, name="auth.login", roles=None),
    post("/login", login, name="auth.login", roles=None),
    post("/logout", logout, name="auth.logout", roles=ALL_ROLES, allow_before_password_change=True),
    get(
        "/password",
        password_page,
        name="auth.password",
        roles=ALL_ROLES,
        allow_before_password_change=True,
    ),
    post(
        "/password",
        change_password,
        name="auth.password",
        roles=ALL_ROLES,
        allow_before_password_change=True,
    ),
    post("/language", switch_language, name="auth.language", roles=None),
]
