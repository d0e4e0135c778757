"""A fake Twilio REST API on loopback: records sent messages, serves and deletes media.

The app's real `twilio` client is pointed at it with TWILIO_API_URL. Media URLs are handed out
in Twilio's own form (``https://api.twilio.com/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…``)
so the app's base-URL rewriting is exercised too. Example::

    async with FakeTwilioApi(account_sid, auth_token) as fake:
        url = fake.add_media(jpeg_bytes, "image/jpeg")
        fake.fail_next(1, status=429)
        ...
        assert fake.messages[-1]["Body"] == "..."
        assert fake.deleted_media == [url]
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TWILIO_BASE = "https://api.twilio.com"


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class _Failure:
    status: int
    code: int | None
    retry_after: int | None = None


@dataclass
class FakeTwilioApi:
    account_sid: str
    auth_token: str
    messages: list[dict[str, str]] = field(default_factory=list)
    deleted_media: list[str] = field(default_factory=list)
    media_downloads: list[str] = field(default_factory=list)
    unauthorized: int = 0
    # Called with the new MessageSid before the create call is answered (status-callback races).
    before_reply: Callable[[str], Awaitable[object]] | None = None
    _media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    _failures: list[_Failure] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    async def __aenter__(self) -> FakeTwilioApi:
        app = web.Application()
        prefix = "/2010-04-01/Accounts/{account}"
        app.router.add_post(prefix + "/Messages.json", self._create_message)
        media = prefix + "/Messages/{message}/Media/{media}"
        app.router.add_get(media, self._get_media)
        app.router.add_delete(media + ".json", self._delete_media)
        app.router.add_delete(media, self._delete_media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 - the bound random port
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests arrange -------------------------------------------------------------

    def add_media(self, data: bytes, content_type: str, *, message_sid: str | None = None) -> str:
        """Store a media item as Twilio would for an inbound message; return its public URL."""
        message_sid = message_sid or _sid("MM")
        media_sid = _sid("ME")
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"
        self._media[path] = (data, content_type)
        return TWILIO_BASE + path

    def fail_next(
        self,
        count: int,
        *,
        status: int = 429,
        code: int | None = 20429,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `count` message posts with an error (and Retry-After) instead."""
        self._failures.extend(_Failure(status, code, retry_after) for _ in range(count))

    def media_exists(self, url: str) -> bool:
        return url.removeprefix(TWILIO_BASE) in self._media

    def bodies_to(self, to: str) -> list[str]:
        """Bodies of free-form messages sent to `to` ("whatsapp:+996…"), oldest first."""
        return [m["Body"] for m in self.messages if m.get("To") == to and "Body" in m]

    # -- handlers -----------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        ok = header == f"Basic {expected}" and request.match_info["account"] == self.account_sid
        if not ok:
            self.unauthorized += 1
        return ok

    async def _create_message(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        form = dict(await request.post())
        if self._failures:
            failure = self._failures.pop(0)
            return _error(failure.status, failure.code, "Injected failure", failure.retry_after)
        sid = _sid("SM")
        self.messages.append({"Sid": sid, **{k: str(v) for k, v in form.items()}})
        if self.before_reply is not None:
            await self.before_reply(sid)
        return web.json_response(_message_json(self.account_sid, sid, form), status=201)

    async def _get_media(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        item = self._media.get(request.path)
        if item is None:
            return _error(404, 20404, "Not found")
        self.media_downloads.append(TWILIO_BASE + request.path)
        data, content_type = item
        return web.Response(body=data, content_type=content_type)

    async def _delete_media(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        path = request.path.removesuffix(".json")
        if self._media.pop(path, None) is None:
            return _error(404, 20404, "Not found")
        self.deleted_media.append(TWILIO_BASE + path)
        return web.Response(status=204)


def _error(
    status: int, code: int | None, message: str, retry_after: int | None = None
) -> web.Response:
    body = {"code": code, "message": message, "status": status, "more_info": ""}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/json", headers=headers
    )


def _message_json(account_sid: str, sid: str, form: Any) -> dict[str, Any]:
    return {
        "sid": sid,
        "account_sid": account_sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body", ""),
        "status": "queued",
        "direction": "outbound-api",
        "num_media": "0",
        "num_segments": "1",
        "error_code": None,
        "error_message": None,
        "date_created": "Sat, 28 Nov 2026 08:00:00 +0000",
        "date_updated": "Sat, 28 Nov 2026 08:00:00 +0000",
        "date_sent": None,
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }
