"""`ortbot remind --dry-run`: per rule and channel, how many would go at a given moment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from config.settings import PROJECT_ROOT, get_settings
from tests.conftest import TEST_SECRET_KEY

from .conftest import TOKEN


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("CAMPAIGN", str(PROJECT_ROOT / "campaigns" / "2026.toml"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def with_channels(env: pytest.MonkeyPatch) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    env.setenv("TWILIO_ACCOUNT_SID", "AC" + "c3" * 16)
    env.setenv("TWILIO_AUTH_TOKEN", "not-used-by-a-dry-run")
    env.setenv("TWILIO_WHATSAPP_FROM", "whatsapp:+996700000001")
    get_settings.cache_clear()


async def ortbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_dry_run_counts_per_rule_and_channel(env, campus, capsys):
    with_channels(env)
    assert await ortbot("remind", "--dry-run", "--at", "2026-02-24T10:00") == 0
    assert capsys.readouterr().out.splitlines() == [
        "not_started telegram: 1",
        "not_started whatsapp: 1",
        "incomplete telegram: 1",
        "incomplete whatsapp: 1",
        "returned telegram: 1",
        "no_receipt whatsapp: 1",
        "would be sent: 6",
    ]
    assert await ortbot("remind", "--dry-run", "--at", "2026-02-24T10:00") == 0
    assert capsys.readouterr().out.endswith("would be sent: 6\n")  # nothing was recorded
    assert await ortbot("remind", "--dry-run", "--at", "2026-02-23T23:30") == 0
    assert capsys.readouterr().out.startswith("No reminders now: quiet hours (21:00-09:00")


async def test_without_whatsapp_the_stranger_cannot_be_reached(env, campus, capsys):
    env.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    get_settings.cache_clear()
    assert await ortbot("remind", "--dry-run", "--at", "2026-02-24T10:00") == 0
    out = capsys.readouterr().out
    assert "whatsapp" not in out and out.endswith("would be sent: 4\n")  # D falls back to Telegram


async def test_remind_refuses_without_channels_and_bad_moments(env, campus, capsys):
    assert await ortbot("remind", "--dry-run") == 1
    assert "no messaging channel is configured" in capsys.readouterr().err
    with_channels(env)
    assert await ortbot("remind", "--dry-run", "--at", "tomorrow") == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert await ortbot("remind") == 0  # today the 2026 window is long closed
    assert "the registration window is closed" in capsys.readouterr().out
