"""The HTTP session of the bot: the official Bot API, or the server named by TELEGRAM_API_URL."""

from __future__ import annotations

from aiogram import methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response

# Long enough for a 20 MB download on a slow link; API calls finish far sooner.
REQUEST_TIMEOUT = 60.0


# aiogram reads every answer as `Response[method.__returning__]`. pydantic caches such classes
# weakly, so under load they are collected and built again (schema and validator: about 9 ms
# each, 15% of the CPU of a turn in bench/load.py). Held here, each is built once.
_USED_METHODS = (
    methods.SendMessage,
    methods.SendPhoto,
    methods.EditMessageText,
    methods.EditMessageReplyMarkup,
    methods.AnswerCallbackQuery,
    methods.GetFile,
    methods.GetMe,
    methods.GetUpdates,
    methods.SetWebhook,
    methods.DeleteWebhook,
    methods.SetMyCommands,
)
_RESPONSE_MODELS = [Response[m.__returning__] for m in _USED_METHODS]  # type: ignore[name-defined]


def build_session(api_url: str | None = None) -> AiohttpSession:
    """Return an aiogram session for the official Bot API or for `api_url`.

    `TelegramAPIServer.from_base` maps methods to ``<api_url>/bot<token>/<method>`` and file
    downloads to ``<api_url>/file/bot<token>/<path>``, the layout of both the official API and
    a self-hosted ``telegram-bot-api`` (and of the fake one in the tests).
    """
    if api_url:
        return AiohttpSession(api=TelegramAPIServer.from_base(api_url), timeout=REQUEST_TIMEOUT)
    return AiohttpSession(timeout=REQUEST_TIMEOUT)
