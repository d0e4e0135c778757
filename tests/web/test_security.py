"""Sessions, cookies, CSRF, throttling and the first-login password change, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from sqlalchemy import func, select

from admin_web.keys import LOGIN_THROTTLE
from admin_web.sessions import SESSION_COOKIE, hash_token
from admin_web.throttle import client_address
from storage.database import Database
from storage.models import Officer, WebSession
from tests.factories import PASSWORD
from tests.web.conftest import WebWorld, csrf_token, login


def session_cookie(client: TestClient) -> str | None:
    for cookie in client.session.cookie_jar:
        if cookie.key == SESSION_COOKIE:
            return cookie.value
    return None


async def test_login_page_is_kyrgyz_by_default_and_carries_security_headers(
    client: TestClient,
) -> None:
    response = await client.get("/login")
    body = await response.text()
    assert response.status == 200
    assert "Өздүк кабинетке кирүү" in body
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


async def test_healthz_is_left_alone(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert "Content-Security-Policy" not in response.headers
    assert SESSION_COOKIE not in response.cookies


async def test_anonymous_is_sent_to_login(client: TestClient, web_world: WebWorld) -> None:
    response = await client.get("/mzhb", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"].startswith("/login?next=/mzhb")


async def test_login_without_csrf_token_is_refused(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"phone": web_world.admin.phone, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status == 403
    assert "Форманын мөөнөтү өтүп кетти" in await response.text()
    assert session_cookie(client) is None


async def test_login_with_a_token_from_another_browser_is_refused(
    make_client, web_world: WebWorld
) -> None:
    attacker = await make_client()
    victim = await make_client()
    stolen = await csrf_token(attacker)
    await victim.get("/login")
    response = await victim.post(
        "/login",
        data={"phone": web_world.admin.phone, "password": PASSWORD, "csrf_token": stolen},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_post_after_login_needs_the_session_token(
    client: TestClient, web_world: WebWorld
) -> None:
    assert (await login(client, web_world.coordinator_a)).status == 302
    response = await client.post(
        "/mzhb",
        data={"phone": "0555 111 222", "full_name": "Асанов Бакыт", "school": "10101"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_session_cookie_flags_and_fixation(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "planted-by-attacker"})
    response = await login(client, web_world.admin)
    assert response.status == 302
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http in tests; Secure when PUBLIC_BASE_URL is https
    token = cookie.value
    assert token != "planted-by-attacker"
    async with database.session() as s:
        hashes = set(await s.scalars(select(WebSession.token_hash)))
    assert hashes == {hash_token(token)}  # only the hash is stored, never the token
    # A second login issues yet another token.
    second = await login(client, web_world.admin)
    assert second.cookies[SESSION_COOKIE].value != token


async def test_logout_deletes_the_session(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.admin)
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 302
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(WebSession)) == 0
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_throttling_after_five_failures_for_one_phone(
    client: TestClient, web_world: WebWorld
) -> None:
    for _ in range(5):
        response = await login(client, web_world.admin, password="wrong-password-1")
        assert "Телефон номери же пароль туура эмес" in await response.text()
    refused = await login(client, web_world.admin)  # even the right password now
    body = await refused.text()
    assert refused.status == 200
    assert "Саат" in body and "кайра аракет кылыңыз" in body
    assert session_cookie(client) is None


async def test_throttling_after_twenty_failures_from_one_address(
    client: TestClient, server: TestServer, web_world: WebWorld
) -> None:
    throttle = server.app[LOGIN_THROTTLE]
    for n in range(19):  # nineteen attempts with other phones, from this address
        assert await throttle.attempt(phone=f"+996700{n:06d}", address="127.0.0.1") is None
    token = await csrf_token(client)
    twentieth = await client.post(
        "/login", data={"phone": "+996700999999", "password": "nope-1", "csrf_token": token}
    )
    assert "Телефон номери же пароль туура эмес" in await twentieth.text()
    refused = await login(client, web_world.teacher_a)
    assert "кайра аракет кылыңыз" in await refused.text()
    assert session_cookie(client) is None


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted() -> None:
    request = make_mocked_request(
        "POST", "/login", headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.7"}
    )
    assert client_address(request, trusted_proxy_hops=0) not in {"6.6.6.6", "10.0.0.7"}
    assert client_address(request, trusted_proxy_hops=1) == "10.0.0.7"
    assert client_address(request, trusted_proxy_hops=2) == "6.6.6.6"


async def test_must_change_password_comes_first(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    async with database.session() as s:
        officer = await s.get(Officer, web_world.coordinator_a.id)
        officer.must_change_password = True
    response = await login(client, web_world.coordinator_a)
    assert response.headers["Location"] == "/password"
    blocked = await client.get("/mzhb", allow_redirects=False)
    assert blocked.status == 302 and blocked.headers["Location"] == "/password"
    token = await csrf_token(client, "/password")
    weak = await client.post(
        "/password",
        data={"current": PASSWORD, "new": "short", "repeat": "short", "csrf_token": token},
    )
    assert "/password" in str(weak.url)
    changed = await client.post(
        "/password",
        data={
            "current": PASSWORD,
            "new": "Jany-sыr-2026",
            "repeat": "Jany-sыr-2026",
            "csrf_token": token,
        },
        allow_redirects=False,
    )
    assert changed.status == 302
    assert (await client.get("/mzhb")).status == 200


async def test_language_switch_works_before_login_and_is_kept_on_the_row(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    token = await csrf_token(client)
    switched = await client.post(
        "/language", data={"lang": "ru", "next": "/login", "csrf_token": token}
    )
    assert "Вход в личный кабинет" in await switched.text()
    await login(client, web_world.coordinator_a)
    home = await client.get("/")
    assert "Доступ для МЖБ" in await home.text()
    async with database.session() as s:
        assert (await s.get(Officer, web_world.coordinator_a.id)).language == "ru"


async def test_open_redirect_after_login_is_refused(
    client: TestClient, web_world: WebWorld
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "phone": web_world.admin.phone,
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": token,
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/"


async def test_a_session_ends_after_twelve_hours(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.admin)
    assert (await client.get("/", allow_redirects=False)).status == 200
    async with database.session() as s:
        row = await s.scalar(select(WebSession))
        assert row.expires_at - row.created_at == timedelta(hours=12)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert (await client.get("/", allow_redirects=False)).status == 302
