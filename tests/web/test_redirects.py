"""After login and the language switch, `next` leads only to a page of this site."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from admin_web.redirects import local_path
from tests.factories import PASSWORD
from tests.web.conftest import WebWorld, csrf_token

HOSTILE = [
    "/\t/evil.example/",  # browsers drop the tab: //evil.example/
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/%09/evil.example/",
    "/%2F/evil.example/",
    "/%5Cevil.example/",
    "/review%0d%0aSet-Cookie:%20x=1",
    "https://evil.example/",
    "evil.example",
    " /review",
    "/" + "a" * 3000,
]
LOCAL = ["/", "/review?status=submitted&page=2", "/review/12", "/fill?q=%D0%90", "/a//b"]


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_but_a_local_path_goes_home(value: str) -> None:
    assert local_path(value) == "/"


@pytest.mark.parametrize("value", LOCAL)
def test_a_local_path_is_kept(value: str) -> None:
    assert local_path(value) == value


@pytest.mark.parametrize("value", ["/\t/evil.example/", "/\r\n/evil.example/", "/%5C/evil"])
async def test_login_does_not_send_the_officer_to_another_site(
    client: TestClient, web_world: WebWorld, value: str
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "phone": web_world.admin.phone,
            "password": PASSWORD,
            "next": value,
            "csrf_token": token,
        },
        allow_redirects=False,
    )
    assert response.status == 302
    assert response.headers["Location"] == "/"


async def test_login_keeps_a_local_next(client: TestClient, web_world: WebWorld) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "phone": web_world.admin.phone,
            "password": PASSWORD,
            "next": "/review?status=submitted",
            "csrf_token": token,
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/review?status=submitted"


async def test_the_login_page_does_not_carry_a_hostile_next(client: TestClient) -> None:
    response = await client.get("/login", params={"next": "/\t/evil.example/"})
    assert '<input type="hidden" name="next" value="/">' in await response.text()


@pytest.mark.parametrize("value", ["/\t/evil.example/", "/\n/evil.example/", "/review\r\nX: 1"])
async def test_the_language_switch_does_not_send_anyone_to_another_site(
    client: TestClient, value: str
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/language",
        data={"lang": "ru", "next": value, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 302
    assert response.headers["Location"] == "/"
