"""Fixtures of the metrics tests: the channels' own test harnesses, reused."""

from __future__ import annotations

from telegram.conftest import fake_api, start_app  # noqa: F401 - fixtures, registered here
from whatsapp.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    bot_texts,
    registration_flow,
    start_whatsapp,
    twilio,
    wa_settings,
)
