"""Hostile ids and page numbers in the address or a form: 404 (400 for a form), never 500.

Every id and page number is parsed by `admin_web.params` to 1..2**31-1 in ASCII digits; a
25-digit number used to reach the database (SQLite: OverflowError; PostgreSQL: out of int4
range) and answer 500 with a traceback in the log, and ``²`` passed `str.isdigit()` but not
`int()`.
"""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from tests.web.conftest import WebWorld, csrf_token, login

HUGE = "9999999999999999999999999"
JUST_OUT = str(2**31)  # one past the largest INTEGER key
ARABIC_ONE = "\u0661"  # "١": `\d` and `isdigit()` accept it, `int()` reads it as 1

GETS = [
    ("central", f"/review/{HUGE}"),
    ("central", f"/review/{JUST_OUT}"),
    ("central", f"/review/{ARABIC_ONE}"),
    ("central", f"/review/4/documents/{HUGE}"),
    ("central", f"/review/{HUGE}/documents/1"),
    ("central", f"/fill/{HUGE}"),
    ("central", f"/fill/{ARABIC_ONE}"),
    ("central", f"/review?page={HUGE}"),
    ("central", "/review?page=²"),
    ("central", "/review?page=-1"),
    ("central", f"/review?school={HUGE}"),
    ("central", "/review?school=²"),
    ("central", f"/coordinators?page={HUGE}"),
    ("central", f"/fill?page={HUGE}"),
    ("central", f"/deliveries?messages={HUGE}"),
    ("central", "/deliveries?chats=%C2%B2"),
    ("district", f"/mzhb?page={HUGE}"),
]

NEW_COORDINATOR = [("phone", "+996555123456"), ("full_name", "Асанов Бакыт Асанович")]
POSTS = [
    ("central", f"/payments/{HUGE}/confirm", [], 404),
    ("central", f"/payments/{HUGE}/reject", [("reason", "x")], 404),
    ("central", f"/review/{HUGE}/approve", [], 404),
    ("central", f"/review/{HUGE}/reject", [("reasons", "other"), ("comment", "x")], 404),
    ("district", f"/grants/{HUGE}/code", [], 404),
    ("district", f"/grants/{ARABIC_ONE}/code", [], 404),
    ("central", f"/coordinators/{HUGE}/password", [], 404),
    ("district", f"/schools/{HUGE}/password", [], 404),
    ("central", "/review/approve", [("ids", HUGE)], 400),
    ("central", "/review/approve", [("ids", "²")], 400),
    ("central", "/review/approve", [("ids", "1"), ("ids", "x")], 400),
    ("central", "/coordinators", [*NEW_COORDINATOR, ("district", HUGE)], 400),
    ("central", "/coordinators", [*NEW_COORDINATOR, ("district", "²")], 400),
]


async def _signed_in(make_client, web_world: WebWorld, who: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    officer = {"central": web_world.admin, "district": web_world.coordinator_a}[who]
    client = await make_client()
    assert (await login(client, officer)).status == 302
    return client, await csrf_token(client, "/password")


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


@pytest.mark.parametrize(("who", "path"), GETS)
async def test_a_hostile_number_in_the_address_is_not_found(
    make_client, web_world: WebWorld, caplog: pytest.LogCaptureFixture, who: str, path: str
) -> None:  # type: ignore[no-untyped-def]
    client, _ = await _signed_in(make_client, web_world, who)
    with caplog.at_level(logging.INFO):
        response = await client.get(path, allow_redirects=False)
    assert response.status == 404
    assert "Мындай бет табылган жок." in await response.text()
    _no_errors_logged(caplog)


@pytest.mark.parametrize(("who", "path", "data", "status"), POSTS)
async def test_a_hostile_id_in_an_action_or_a_form_is_refused(
    make_client,
    web_world: WebWorld,
    caplog: pytest.LogCaptureFixture,
    who: str,
    path: str,
    data: list[tuple[str, str]],
    status: int,
) -> None:  # type: ignore[no-untyped-def]
    client, token = await _signed_in(make_client, web_world, who)
    with caplog.at_level(logging.INFO):
        response = await client.post(
            path, data=[*data, ("csrf_token", token)], allow_redirects=False
        )
    assert response.status == status
    _no_errors_logged(caplog)


async def test_an_ordinary_page_number_still_works(make_client, web_world: WebWorld) -> None:  # type: ignore[no-untyped-def]
    client, _ = await _signed_in(make_client, web_world, "central")
    for path in ("/review?page=", "/review?page=1", "/review?page=7&school=", "/coordinators"):
        assert (await client.get(path)).status == 200, path
