"""The HTTP session of the bot: the official Bot API, or the server named by TELEGRAM_API_URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response, TelegramMethod
from aiohttp import FormData
from aiohttp.payload import BytesPayload

if TYPE_CHECKING:
    from aiogram import Bot

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


class JsonBodySession(AiohttpSession):
    """aiogram's session, sending a method's parameters as one JSON body unless it uploads a file.

    aiogram sends every method as an urlencoded form, and the standard library percent-encodes
    each byte outside ASCII in Python, one call per byte: a Kyrgyz or Russian question cost
    about 0.1 ms of CPU, 5% of a turn. The Bot API takes ``application/json`` for every method
    that uploads nothing; uploads keep aiogram's multipart form.
    """

    def build_form_data(  # type: ignore[override] - a JSON payload where aiogram has a form
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> FormData | BytesPayload:
        files: dict[str, Any] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            # aiogram's form leaves out what prepares to None or "" (unset parameters).
            if prepared is not None and prepared != "":
                body[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        return BytesPayload(self.json_dumps(body).encode(), content_type="application/json")


def build_session(api_url: str | None = None) -> AiohttpSession:
    """Return an aiogram session for the official Bot API or for `api_url`.

    `TelegramAPIServer.from_base` maps methods to ``<api_url>/bot<token>/<method>`` and file
    downloads to ``<api_url>/file/bot<token>/<path>``, the layout of both the official API and
    a self-hosted ``telegram-bot-api`` (and of the fake one in the tests).
    """
    if api_url:
        return JsonBodySession(api=TelegramAPIServer.from_base(api_url), timeout=REQUEST_TIMEOUT)
    return JsonBodySession(timeout=REQUEST_TIMEOUT)
