"""Fixtures of the robustness tests: the Telegram harness of the channel's own tests, reused."""

from __future__ import annotations

from telegram.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    fake_api,
    start_app,
    start_channel,
    telegram_settings,
)
