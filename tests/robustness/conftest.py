"""Fixtures of the robustness tests: the channels' own test harnesses, reused."""

from __future__ import annotations

from telegram.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    fake_api,
    start_app,
    start_channel,
    telegram_settings,
)
from whatsapp.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    bot_texts,
    registration_flow,
    start_whatsapp,
    twilio,
    wa_settings,
)
