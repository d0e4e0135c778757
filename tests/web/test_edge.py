"""The edge of the web: control characters refused politely, unexpected errors logged safely."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

import admin_web.views.review as review_views
from tests.web.conftest import WebWorld, csrf_token, login

REFUSED_KY = "Текстте көзгө көрүнбөгөн кызматтык белгилер бар"
PRIVATE = "+996555123456 21234567890123"


async def _admin(make_client, web_world: WebWorld) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = await make_client()
    assert (await login(client, web_world.admin)).status == 302
    return client, await csrf_token(client, "/password")


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "query",
    ["q=%2B996555123456%00", "q=%07", "status=submitted%1B", "q=%C2%85", "%00=1"],
)
async def test_a_query_with_a_control_character_is_refused_politely(
    make_client, web_world: WebWorld, caplog: pytest.LogCaptureFixture, query: str
) -> None:  # type: ignore[no-untyped-def]
    # On PostgreSQL the NUL reached the search and failed there: 500, parameters in the log.
    client, _ = await _admin(make_client, web_world)
    with caplog.at_level(logging.INFO):
        response = await client.get(f"/review?{query}")
    assert response.status == 400
    assert REFUSED_KY in await response.text()
    assert _errors(caplog) == []


async def test_tab_and_line_breaks_are_ordinary_input(make_client, web_world: WebWorld) -> None:  # type: ignore[no-untyped-def]
    client, _ = await _admin(make_client, web_world)
    assert (await client.get("/review?q=%D0%90%09%D0%91")).status == 200


async def test_a_form_with_a_control_character_is_refused_in_russian_too(
    make_client, web_world: WebWorld
) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    assert (await login(client, web_world.coordinator_a)).status == 302
    token = await csrf_token(client, "/mzhb")
    await client.post("/language", data={"lang": "ru", "next": "/mzhb", "csrf_token": token})
    form = {
        "phone": "+996555123457",
        "full_name": "Асанов\x00 Бакыт Асанович",
        "school": "10101",
        "csrf_token": token,
    }
    response = await client.post("/mzhb", data=form)
    assert response.status == 400
    assert "невидимые служебные символы" in await response.text()


async def test_a_login_with_a_nul_is_refused_before_any_check(
    client: TestClient, web_world: WebWorld
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={"phone": web_world.admin.phone + "\x00", "password": "x", "csrf_token": token},
    )
    assert response.status == 400
    assert REFUSED_KY in await response.text()


async def test_an_unexpected_error_is_logged_as_type_and_frames_only(
    make_client,
    web_world: WebWorld,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    client, _ = await _admin(make_client, web_world)

    async def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        # What a database error's message looks like: it quotes the statement's parameters.
        raise RuntimeError(f"[parameters: ('{PRIVATE}',)]")

    monkeypatch.setattr(review_views, "review_queue", failing)
    with caplog.at_level(logging.INFO):
        response = await client.get("/review?q=555")
    body = await response.text()
    assert response.status == 500
    assert "Бир нерсе туура эмес болуп калды" in body and "Traceback" not in body
    [record] = _errors(caplog)
    logged = record.getMessage()
    assert "RuntimeError" in logged and "/review" in logged and "in queue" in logged
    assert PRIVATE not in caplog.text and "555123456" not in caplog.text
    assert record.exc_info is None  # the logging handler must not print the message either


async def test_machines_paths_log_unexpected_errors_the_same_way(
    client: TestClient, runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    async def failing_ping() -> bool:
        raise RuntimeError(f"connection to {PRIVATE} refused")

    monkeypatch.setattr(runtime.database, "ping", failing_ping)
    with caplog.at_level(logging.INFO):
        response = await client.get("/healthz")
    assert response.status == 500
    assert "RuntimeError" in caplog.text and PRIVATE not in caplog.text
