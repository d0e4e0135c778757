"""The declared route table of the officers' web (Django-admin-like: declare, then check).

Every page says which roles may open it. `install_routes` registers the declarations on the
aiohttp router and remembers them; the authorization middleware reads the declaration of the
matched route, and a start-up check refuses any route of the web that was added without one
(so no page can exist that nobody thought to protect).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from storage.enums import Role

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths the web never touches: called by machines (each checks its own secret), or public files.
EXEMPT_PREFIXES: tuple[str, ...] = ("/healthz", "/webhooks/", "/static/")
EXEMPT_PATHS = frozenset({"/healthz", "/static", "/metrics"})

ALL_ROLES: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class WebRoute:
    """One page or action of the web.

    Attributes:
        method: HTTP method (GET or POST).
        path: aiohttp path pattern, e.g. ``/officers/{officer_id}/reset``.
        handler: the view.
        name: a stable name used by templates to build URLs.
        roles: who may open it; ``None`` means anyone, even without logging in.
        allow_before_password_change: reachable while the officer must still replace
            the initial password (the change page itself, logout, the language switch).

    """

    method: str
    path: str
    handler: Handler
    name: str
    roles: frozenset[Role] | None
    allow_before_password_change: bool = False

    @property
    def is_public(self) -> bool:
        return self.roles is None


def get(
    path: str,
    handler: Handler,
    *,
    name: str,
    roles: Iterable[Role] | None,
    allow_before_password_change: bool = False,
) -> WebRoute:
    return WebRoute("GET", path, handler, name, _roles(roles), allow_before_password_change)


def post(
    path: str,
    handler: Handler,
    *,
    name: str,
    roles: Iterable[Role] | None,
    allow_before_password_change: bool = False,
) -> WebRoute:
    return WebRoute("POST", path, handler, name, _roles(roles), allow_before_password_change)


def _roles(roles: Iterable[Role] | None) -> frozenset[Role] | None:
    if roles is None:
        return None
    declared = frozenset(roles)
    if not declared:
        raise ValueError("a route must allow at least one role, or be public (roles=None)")
    return declared


ROUTE_TABLE = web.AppKey("admin_web_routes", dict)


def install_routes(app: web.Application, routes: Iterable[WebRoute]) -> None:
    """Add `routes` to the router and to the table the middlewares consult."""
    table: dict[web.AbstractRoute, WebRoute] = app.setdefault(ROUTE_TABLE, {})  # type: ignore[arg-type]
    for declared in routes:
        # One named resource per path; GET and POST of the same path share it.
        resource = app.router.get(declared.name) if declared.name in app.router else None
        if resource is None:
            resource = app.router.add_resource(declared.path, name=declared.name)
        route = resource.add_route(declared.method, declared.handler)
        table[route] = declared


def declared_route(request: web.Request) -> WebRoute | None:
    """Return the declaration of the route `request` matched, or None when it has none."""
    table = request.app.get(ROUTE_TABLE, {})
    return table.get(request.match_info.route)


def is_exempt(path: str) -> bool:
    return path.rstrip("/") in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


def check_declarations(app: web.Application) -> None:
    """Refuse to start when a route of the web was added without a declaration.

    Raises:
        RuntimeError: naming the undeclared routes.

    """
    table = app.get(ROUTE_TABLE, {})
    undeclared = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
        if is_exempt(path) or route.method == "HEAD":
            continue
        if route not in table:
            undeclared.append(f"{route.method} {path}")
    if undeclared:
        raise RuntimeError(
            "officers' web routes without a role declaration: " + ", ".join(sorted(undeclared))
        )


async def check_on_startup(app: web.Application) -> None:
    check_declarations(app)
