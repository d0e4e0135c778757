"""`ortbot remind --dry-run`: per rule and channel, how many would go at a given moment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from config.settings import PROJECT_ROOT, get_settings
from tests.conftest import TEST_SECRET_KEY

from .conftest import ACCOUNT_SID, AUTH_TOKEN, TEMPLATE_KY, TOKEN


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


async def test_remind_sends_once_on_both_channels(
    env, campus, capsys, tmp_path, fake_telegram, fake_twilio
):
    # The 2026 rules with the window open today and no quiet hours, whatever the hour.
    source = (PROJECT_ROOT / "campaigns" / "2026.toml").read_text(encoding="utf-8")
    source = source.replace("registration_closes = 2026-04-02", "registration_closes = 2099-12-31")
    source = source.replace("quiet_until = 09:00:00", "quiet_until = 21:00:00")
    campaign_file = tmp_path / "open.toml"
    campaign_file.write_text(source, encoding="utf-8")
    env.setenv("CAMPAIGN", str(campaign_file))
    with_channels(env)
    env.setenv("TELEGRAM_API_URL", fake_telegram.base_url)
    env.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    env.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    env.setenv("TWILIO_API_URL", fake_twilio.base_url)
    env.setenv("TWILIO_TEMPLATE_NOTIFICATION_SID", TEMPLATE_KY)  # outside the 24-hour window
    get_settings.cache_clear()
    assert await ortbot("remind") == 0
    assert capsys.readouterr().out.endswith("sent: 6\n")
    assert len(fake_telegram.calls_of("sendMessage")) == 3  # B, C, E
    assert len(fake_twilio.messages) == 3  # A, D, F
    assert await ortbot("remind") == 0
    assert capsys.readouterr().out.endswith("sent: 0\n")
    assert len(fake_telegram.calls_of("sendMessage")) == 3
