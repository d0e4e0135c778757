"""The HTTP session of the bot: the official Bot API, or the server named by TELEGRAM_API_URL."""

from __future__ import annotations

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

# Long enough for a 20 MB download on a slow link; API calls finish far sooner.
REQUEST_TIMEOUT = 60.0


def build_session(api_url: str | None = None) -> AiohttpSession:
    """Return an aiogram session for the official Bot API or for `api_url`.

    `TelegramAPIServer.from_base` maps methods to ``<api_url>/bot<token>/<method>`` and file
    downloads to ``<api_url>/file/bot<token>/<path>``, the layout of both the official API and
    a self-hosted ``telegram-bot-api`` (and of the fake one in the tests).
    """
    if api_url:
        return AiohttpSession(api=TelegramAPIServer.from_base(api_url), timeout=REQUEST_TIMEOUT)
    return AiohttpSession(timeout=REQUEST_TIMEOUT)
