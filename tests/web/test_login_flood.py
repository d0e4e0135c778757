"""Logins sent at once: counted before the password is checked, and checked off the loop.

Regression tests for two findings of an attack run: 13 logins for one phone sent at once
were all checked (the limit is 5) and the right password among them logged in; 60 at once
with unknown phones from one address were all checked (the limit is 20); and while argon2 ran
on the event loop, `/healthz` took up to 15.7 s during 60 concurrent logins.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

import access.passwords
import storage.credentials
from admin_web.keys import LOGIN_THROTTLE
from admin_web.throttle import ADDRESS_LIMIT, PHONE_LIMIT
from tests.factories import PASSWORD
from tests.web.conftest import WebWorld, csrf_token

THROTTLED = "кайра аракет кылыңыз"
FLOOD = 60


class CountedChecks:
    """Counts argon2 verifications; each is slowed so that the logins overlap for sure."""

    def __init__(self, delay: float, loop: asyncio.AbstractEventLoop) -> None:
        self.calls = 0
        self.running = asyncio.Event()  # set once the limit's worth of checks have started
        self._loop = loop
        self._lock = threading.Lock()
        self._delay = delay
        self._real = storage.credentials.verify_password

    def __call__(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.calls += 1
            if self.calls == PHONE_LIMIT:
                self._loop.call_soon_threadsafe(self.running.set)
        time.sleep(self._delay)  # in a worker thread; it would freeze the loop on it
        return self._real(password_hash, password)


@pytest.fixture
async def checks(monkeypatch: pytest.MonkeyPatch) -> CountedChecks:
    counted = CountedChecks(delay=0.2, loop=asyncio.get_running_loop())
    monkeypatch.setattr(storage.credentials, "verify_password", counted)
    return counted


async def _post_login(client: TestClient, token: str, phone: str, password: str):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/login",
        data={"phone": phone, "password": password, "csrf_token": token},
        allow_redirects=False,
    )
    return response.status, response.headers.get("Location"), await response.text()


async def test_thirteen_logins_at_once_for_one_phone_check_only_five(
    client: TestClient, web_world: WebWorld, checks: CountedChecks
) -> None:
    token = await csrf_token(client)
    phone = web_world.admin.phone
    wrong = [
        asyncio.create_task(_post_login(client, token, phone, f"wrong-password-{n}"))
        for n in range(12)
    ]
    await checks.running.wait()  # the first checks are running: all 12 were counted
    right = await _post_login(client, token, phone, PASSWORD)
    results = await asyncio.gather(*wrong)

    assert checks.calls == PHONE_LIMIT
    status, location, body = right
    assert (status, location) == (200, None) and THROTTLED in body  # not logged in
    assert sum(THROTTLED in body for _, _, body in results) == 12 - PHONE_LIMIT


async def test_sixty_logins_at_once_from_one_address_check_only_twenty(
    client: TestClient, web_world: WebWorld, checks: CountedChecks
) -> None:
    token = await csrf_token(client)
    results = await asyncio.gather(
        *(_post_login(client, token, f"+996700{n:06d}", "nope-1") for n in range(60))
    )
    assert checks.calls == ADDRESS_LIMIT
    assert sum(THROTTLED in body for _, _, body in results) == 60 - ADDRESS_LIMIT
    status, _, body = await _post_login(client, token, web_world.admin.phone, PASSWORD)
    assert status == 200 and THROTTLED in body


async def test_a_successful_login_is_not_held_against_the_address(
    client: TestClient, web_world: WebWorld
) -> None:
    token = await csrf_token(client)
    for _ in range(ADDRESS_LIMIT + 3):  # an office behind one address, logging in all day
        status, location, _ = await _post_login(client, token, web_world.admin.phone, PASSWORD)
        assert (status, location) == (302, "/")
        client.session.cookie_jar.clear()
        token = await csrf_token(client)


async def test_healthz_keeps_answering_during_a_login_flood(
    make_client, server: TestServer, web_world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Real argon2 this time; the limits are lifted so that every login reaches it.
    queued = 0
    all_queued = asyncio.Event()
    real_verify = access.passwords.verify_password_in_worker

    async def verify(password_hash: str, password: str) -> bool:
        nonlocal queued
        queued += 1
        if queued == FLOOD:
            all_queued.set()
        return await real_verify(password_hash, password)

    monkeypatch.setattr(access.passwords, "verify_password_in_worker", verify)
    throttle = server.app[LOGIN_THROTTLE]
    throttle._phone_limit = throttle._address_limit = 10_000  # noqa: SLF001
    prober, flooder = await make_client(), await make_client()
    token = await csrf_token(flooder)

    async def probe(seconds: float) -> list[float]:
        timings = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            assert (await prober.get("/healthz")).status == 200
            timings.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)
        return timings

    idle = await probe(0.5)
    flood = asyncio.gather(
        *(_post_login(flooder, token, web_world.admin.phone, f"wrong-{n}") for n in range(FLOOD))
    )
    # Every login has looked its officer up and waits for argon2 (a cold pool opening 30
    # database connections at once is not what is measured here).
    await asyncio.wait_for(all_queued.wait(), timeout=60)
    during = await probe(2.0)
    await flood

    p95 = statistics.quantiles(during, n=20, method="inclusive")[-1]
    print(
        f"/healthz idle median {statistics.median(idle) * 1000:.1f} ms; during 60 logins "
        f"p95 {p95 * 1000:.1f} ms, max {max(during) * 1000:.1f} ms, {len(during)} probes"
    )
    assert p95 < 0.5, f"p95 {p95:.3f} s during the flood"
    assert len(during) >= 20
