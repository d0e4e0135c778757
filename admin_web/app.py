"""Mounts the officers' web on the process's aiohttp application."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from admin_web.context import WEB_CONTEXT, WebContext
from admin_web.edge import refuse_control_characters, unexpected_errors
from admin_web.i18n import WebTexts
from admin_web.keys import LOGIN_THROTTLE, WEB_TEXTS
from admin_web.middlewares import authorization, csrf_guard, security_headers, session_loader
from admin_web.render import setup_templates
from admin_web.routing import check_on_startup, install_routes
from admin_web.throttle import LoginThrottle
from admin_web.views import all_routes

STATIC = Path(__file__).resolve().parent / "static"


def setup_admin_web(app: web.Application, context: WebContext) -> None:
    """Register the web's routes, templates and middlewares on `app`.

    Middlewares leave `/healthz`, `/webhooks/*` and `/static/*` alone (the first two are
    called by machines), except the outermost: an unexpected error anywhere answers 500 and
    is logged without its message (`admin_web.edge`). Every page is declared with the roles
    allowed to open it (`admin_web.routing`); the application refuses to start with an
    undeclared route.
    """
    app[WEB_CONTEXT] = context
    app[WEB_TEXTS] = WebTexts.load(context.bot_texts)
    app[LOGIN_THROTTLE] = LoginThrottle(context.state, context.secret_box)
    setup_templates(app)
    app.middlewares.extend(
        [
            unexpected_errors,
            security_headers,
            session_loader,
            csrf_guard,
            refuse_control_characters,
            authorization,
        ]
    )
    app.router.add_static("/static", STATIC, name="static", append_version=True)
    install_routes(app, all_routes())
    app.on_startup.append(check_on_startup)
