"""Mounts the officers' web on the process's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from admin_web.context import WEB_CONTEXT, WebContext


def setup_admin_web(app: web.Application, context: WebContext) -> None:
    """Register the web's routes, templates and middlewares on `app`.

    Middlewares must leave `/healthz` and `/webhooks/*` alone: those are called by machines.
    """
    app[WEB_CONTEXT] = context
