"""Role × route × scope: every declared route, requested by every kind of visitor.

The expectations are written per route; a declared route without an expectation fails the
test, so a new page cannot be added without saying who may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from admin_web.routing import ROUTE_TABLE, check_declarations, get
from tests.review.test_routes import ROUTES as REVIEW_ROUTES
from tests.web.conftest import ACTORS, WebWorld, login, only, signed_in_clients

GET_PAGE = {"anon": 302}  # anonymous GETs go to the login page
POST_REFUSED = {"anon": 403}  # anonymous POSTs are refused outright


@dataclass(frozen=True)
class Case:
    method: str
    name: str
    expected: dict[str, int]
    parts: Callable[[WebWorld], dict[str, str]] | None = None


def _officer(attr: str) -> Callable[[WebWorld], dict[str, str]]:
    return lambda w: {"officer_id": str(getattr(w, attr).id)}


def _grant(attr: str) -> Callable[[WebWorld], dict[str, str]]:
    return lambda w: {"grant_id": str(getattr(w, attr).id)}


LOGGED_IN = {"central": 200, "district_a": 200, "district_b": 200, "school_a": 200}
DISTRICTS = {"district_a": 200, "district_b": 200}

CASES = [
    Case("GET", "auth.login", only({"anon": 200}, anon=200, others=302)),
    Case("POST", "auth.login", only({}, anon=200, others=200)),
    Case("GET", "auth.password", only(LOGGED_IN, anon=302)),
    Case("POST", "auth.password", only(LOGGED_IN, anon=403)),
    Case("POST", "auth.language", only({}, anon=302, others=302)),
    Case("GET", "home", only(LOGGED_IN, anon=302)),
    Case("GET", "officers.districts", only({"central": 200}, anon=302)),
    Case("POST", "officers.districts", only({"central": 200}, anon=403)),
    Case(
        "POST",
        "officers.districts.reset",
        only({"central": 200}, anon=403),
        _officer("spare_coordinator"),
    ),
    Case(
        "POST",
        "officers.districts.active",
        only({"central": 200}, anon=403),
        _officer("spare_coordinator"),
    ),
    Case("GET", "officers.districts.export", only({"central": 200}, anon=302)),
    Case("GET", "officers.schools", only(DISTRICTS, anon=302)),
    Case("POST", "officers.schools", only(DISTRICTS, anon=403)),
    Case(
        "POST",
        "officers.schools.reset",
        only({"district_a": 200, "district_b": 404}, anon=403),
        _officer("teacher_a2"),
    ),
    Case(
        "POST",
        "officers.schools.active",
        only({"district_a": 200, "district_b": 404}, anon=403),
        _officer("teacher_a2"),
    ),
    Case("GET", "officers.schools.export", only(DISTRICTS, anon=302)),
    Case("GET", "schools.codifier", only({"central": 200}, anon=302)),
    Case("POST", "schools.codifier", only({"central": 200}, anon=403)),
    Case("GET", "grants.mzhb", only(DISTRICTS, anon=302)),
    Case("POST", "grants.mzhb", only(DISTRICTS, anon=403)),
    Case("POST", "grants.mzhb.upload", only(DISTRICTS, anon=403)),
    Case("GET", "grants.mzhb.export", only(DISTRICTS, anon=302)),
    Case("GET", "grants.graduates", only({"school_a": 200}, anon=302)),
    Case("POST", "grants.graduates", only({"school_a": 200}, anon=403)),
    Case("POST", "grants.graduates.upload", only({"school_a": 200}, anon=403)),
    Case("GET", "grants.graduates.export", only({"school_a": 200}, anon=302)),
    Case(
        "GET",
        "grants.new_code",
        only({"district_a": 200, "district_b": 404, "school_a": 404}, anon=302),
        _grant("mzhb_a"),
    ),
    Case(
        "POST",
        "grants.new_code",
        only({"district_a": 200, "district_b": 404, "school_a": 404}, anon=403),
        _grant("mzhb_a"),
    ),
    Case(
        "POST",
        "grants.new_code",
        only({"district_a": 200, "district_b": 404, "school_a": 200}, anon=403),
        _grant("graduate_a"),
    ),
    Case("GET", "audit.list", only({"central": 200, **DISTRICTS}, anon=302)),
    # An entry that is not an uploaded list has no rows to show; others' entries are absent.
    Case(
        "GET",
        "audit.list_rows",
        only({}, anon=302, others=404),
        lambda w: {"entry_id": "1"},
    ),
    Case("GET", "deliveries.list", only(LOGGED_IN, anon=302)),
    Case("GET", "announcements", only(LOGGED_IN, anon=302)),
    Case("POST", "announcements.preview", only(LOGGED_IN, anon=403)),  # the form, with an error
    Case("POST", "announcements.send", only(LOGGED_IN, anon=403)),
    # Last: it ends the sessions.
    Case("POST", "auth.logout", only({}, anon=403, others=302)),
]


def test_every_declared_route_has_an_expectation(server: TestServer) -> None:
    declared = {(r.method, r.name) for r in server.app[ROUTE_TABLE].values()}
    # The review's pages have their own matrix (tests/review/test_routes.py).
    covered = {(c.method, c.name) for c in CASES} | REVIEW_ROUTES
    assert declared == covered


def test_an_undeclared_route_stops_the_start() -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="secret")

    app = web.Application()
    app.router.add_get("/healthz", page)  # machines' routes need no declaration
    app.router.add_get("/forgotten", page)
    with pytest.raises(RuntimeError, match="GET /forgotten"):
        check_declarations(app)


def test_a_route_must_allow_someone() -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response()

    with pytest.raises(ValueError, match="at least one role"):
        get("/nobody", page, name="nobody", roles=[])


async def test_role_route_scope_matrix(
    make_client, server: TestServer, web_world: WebWorld
) -> None:  # type: ignore[no-untyped-def]
    officers = {
        "central": web_world.admin,
        "district_a": web_world.coordinator_a,
        "district_b": web_world.coordinator_b,
        "school_a": web_world.teacher_a,
    }
    clients, tokens = await signed_in_clients(make_client, officers)
    router = server.app.router
    failures = []
    for case in CASES:
        parts = case.parts(web_world) if case.parts else {}
        path = str(router[case.name].url_for(**parts))
        for actor in ACTORS:
            client = clients[actor]
            if case.method == "GET":
                response = await client.get(path, allow_redirects=False)
            else:
                data = {"csrf_token": tokens[actor], "next": "/"}
                response = await client.post(path, data=data, allow_redirects=False)
            await response.read()
            if response.status != case.expected[actor]:
                failures.append(
                    f"{case.method} {path} as {actor}: {response.status}, "
                    f"expected {case.expected[actor]}"
                )
    assert not failures, "\n".join(failures)


async def test_district_b_never_sees_district_a_grants(
    client: TestClient, web_world: WebWorld
) -> None:
    await login(client, web_world.coordinator_b)
    page = await (await client.get("/mzhb")).text()
    search = await (await client.get("/mzhb", params={"q": "Жумабеков"})).text()
    schools = await (await client.get("/schools")).text()
    for body in (page, search):
        assert web_world.mzhb_a.full_name not in body
        assert web_world.graduate_a.full_name not in body
    assert web_world.teacher_a.full_name not in schools
