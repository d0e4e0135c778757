"""A fake Telegram Bot API server on loopback, for driving the real aiogram client in tests.

It serves the methods the bot calls, long-polls `getUpdates` from a queue the test fills,
serves file downloads, records every request (method + decoded params) and keeps the state of
every message the bot sent (edits included), so a test can read what the user sees. It can be
told to fail the next call(s) with 429 `retry_after`, 403 "bot was blocked" or a 5xx.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 700000001
JSON_PARAMS = {"reply_markup", "entities", "allowed_updates", "commands", "scope", "media"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    body: str = "form"  # how the parameters came: "json", "form" or "multipart"


@dataclass
class SentMessage:
    message_id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    history: list[str] = field(default_factory=list)  # methods that touched it, in order

    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons currently attached, flattened row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class Failure:
    method: str | None
    status: int
    description: str
    retry_after: int | None = None


class FakeTelegramAPI:
    """The Bot API at `base_url`; pass it as TELEGRAM_API_URL."""

    def __init__(self, *, token: str, username: str = "ort_test_bot") -> None:
        self.token = token
        self.username = username
        self.calls: list[Call] = []
        self.messages: dict[int, SentMessage] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self.webhook: dict[str, Any] | None = None
        self._updates: list[dict[str, Any]] = []
        self._confirmed = 0  # updates below this id were acknowledged through getUpdates' offset
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._failures: list[Failure] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.base_url = ""

    async def start(self) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        async with self._changed:  # release pending long polls at once
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the test does -------------------------------------------------------------

    def new_update_id(self) -> int:
        return next(self._update_ids)

    async def push_update(self, update: dict[str, Any]) -> None:
        """Queue `update` for the next getUpdates."""
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def wait_confirmed(self, update_id: int, *, within: float = 10) -> None:
        """Wait until the bot acknowledged `update_id` by polling past it."""
        await self.wait_until(lambda: self._confirmed > update_id, within=within)

    async def wait_until(self, predicate: Callable[[], bool], *, within: float = 10) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    def add_file(self, data: bytes, *, suffix: str = "jpg") -> tuple[str, str]:
        """Store `data` for getFile/download; return (file_id, file_unique_id)."""
        number = next(self._file_ids)
        file_id = f"FILE{number:06d}"
        self.files[file_id] = (f"documents/file_{number}.{suffix}", data)
        return file_id, f"U{number:06d}"

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next call of `method` (any method when None) fail once.

        Status 0 drops the connection without an answer.
        """
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                403: "Forbidden: bot was blocked by the user",
            }.get(status, "Internal Server Error")
        self._failures.append(Failure(method, status, description, retry_after))

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def chat_messages(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to `chat_id`, oldest first, in their current (edited) state."""
        return [m for m in self.messages.values() if m.chat_id == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.chat_messages(chat_id)]

    # --- the HTTP side ------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        body = _body_kind(request.content_type)
        if method == "getUpdates":
            return await self._get_updates(params)
        async with self._changed:
            self.calls.append(Call(method, params, body))
            self._changed.notify_all()
            failure = self._take_failure(method)
        if failure is not None and failure.status == 0:
            # The connection drops mid-request: the client cannot know what happened.
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        if failure is not None:
            return _error(failure.status, failure.description, failure.retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not faked")
        try:
            result = handler(params)
        except _ApiError as exc:
            return _error(400, exc.description)
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str) -> Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.method in (None, method):
                return self._failures.pop(index)
        return None

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset", 0))
        timeout = float(params.get("timeout", 0))
        async with self._changed:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._confirmed = max(self._confirmed, offset)
                self._changed.notify_all()
            if not self._updates and timeout:
                # Long poll: return as soon as something arrives (or the poll times out).
                try:
                    async with asyncio.timeout(timeout):
                        await self._changed.wait_for(lambda: bool(self._updates) or self._closing)
                except TimeoutError:
                    pass
            batch = list(self._updates[:100])
        return web.json_response({"ok": True, "result": batch})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404)

    # --- the methods --------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "ORT test bot",
            "username": self.username,
        }

    def _message(self, chat_id: int, text: str, markup: dict | None, method: str) -> dict:
        message_id = next(self._message_ids)
        self.messages[message_id] = SentMessage(message_id, chat_id, text, markup, [method])
        return self._as_json(self.messages[message_id])

    def _as_json(self, message: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "ORT test bot"},
            "text": message.text,
        }
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(
            int(params["chat_id"]), params["text"], params.get("reply_markup"), "sendMessage"
        )

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(
            int(params["chat_id"]),
            params.get("caption", ""),
            params.get("reply_markup"),
            "sendPhoto",
        )

    def _edited(self, params: dict[str, Any], method: str) -> SentMessage:
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None or message.chat_id != int(params["chat_id"]):
            raise _ApiError("Bad Request: message to edit not found")
        message.history.append(method)
        return message

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params, "editMessageText")
        markup = params.get("reply_markup")
        if message.text == params["text"] and message.reply_markup == markup:
            raise _ApiError("Bad Request: message is not modified")
        message.text, message.reply_markup = params["text"], markup
        return self._as_json(message)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params, "editMessageReplyMarkup")
        markup = params.get("reply_markup")
        if message.reply_markup == markup:
            raise _ApiError("Bad Request: message is not modified")
        message.reply_markup = markup
        return self._as_json(message)

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise _ApiError("Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True


class _ApiError(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def _body_kind(content_type: str) -> str:
    if content_type == "application/json":
        return "json"
    return "multipart" if content_type.startswith("multipart/") else "form"


async def _params(request: web.Request) -> dict[str, Any]:
    """A call's parameters as the Bot API reads them: a JSON body, or a (multipart) form.

    Either way a test sees the same: objects (JSON_PARAMS) decoded, files as bytes, and other
    values as the form's strings (``"true"``, ``"42"``).
    """
    params: dict[str, Any] = {}
    if request.content_type == "application/json":
        for key, value in (await request.json()).items():
            if key in JSON_PARAMS:
                params[key] = json.loads(value) if isinstance(value, str) else value
            else:
                params[key] = value if isinstance(value, str) else json.dumps(value)
        return params
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[key] = value.file.read()
        elif key in JSON_PARAMS:
            params[key] = json.loads(value)
        else:
            params[key] = value
    return params
