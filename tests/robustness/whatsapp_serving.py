"""Twilio's side of a real `ortbot serve` process, for fault tests on WhatsApp.

`TwilioDelivery` posts inbound WhatsApp messages to the server's webhook as Twilio does: form
fields signed with `RequestValidator` over PUBLIC_BASE_URL + path, the same MessageSid on every
attempt, again until one is answered 2xx. The server's own calls to Twilio's REST API go to a
`FakeTwilioApi` served by the test process (TWILIO_API_URL), so what an applicant's phone
receives is what the fake recorded.

What real Twilio does, and what the tests assume: Twilio posts an inbound message once and, by
default, retries once only when it cannot connect. The webhook URL's connection overrides
(``#rc=5&rp=all&tt=15000``) make it retry up to 5 times on a refused or dropped connection, a
timeout, a 4xx or 5xx, all within 15 s; after that the message is dropped (error 11200 in the
console) and the applicant has to send it again. The tests retry the same MessageSid until it is
answered: a restart on a busy 2-core test machine can outlast Twilio's 15 s, and a message sent
again by hand is one the tests already cover (a walker re-prompts when no reply comes). What
matters here is the same: the message is posted again with the same MessageSid, to a process
that may or may not have committed it before it died.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from fakes.twilio_api import FakeTwilioApi
from twilio.request_validator import RequestValidator
from whatsapp.conftest import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER

from bot.whatsapp import INBOUND_PATH
from tests.robustness.serving import ServerProcess

RETRY_EVERY = 0.2  # seconds between attempts (Twilio's are spread over 15 s; tests need not)
GIVE_UP_AFTER = 180.0


def whatsapp_env(api: FakeTwilioApi) -> dict[str, str]:
    """The settings that turn WhatsApp on and point its REST calls at the fake."""
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
        "TWILIO_API_URL": api.base_url,
    }


class ObservedTwilioApi(FakeTwilioApi):
    """The fake Twilio REST API, telling waiters whenever a message was sent through it."""

    _changed: asyncio.Condition | None = None

    @property
    def changed(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _create_message(self, request: web.Request) -> web.Response:
        response = await super()._create_message(request)
        async with self.changed:
            self.changed.notify_all()
        return response

    async def wait_until(self, predicate: Callable[[], bool], *, within: float) -> None:
        """Return once `predicate` holds; TimeoutError after `within` seconds."""
        async with asyncio.timeout(within), self.changed:
            await self.changed.wait_for(predicate)

    async def news(self, *, within: float) -> None:
        """Return when a message is sent, or after `within` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within), self.changed:
                await self.changed.wait()


@dataclass(frozen=True)
class Acked:
    """A message the server answered 2xx, and which start of the server answered it."""

    sid: str
    generation: int  # `ServerProcess.starts` when the answered attempt began and ended


class TwilioDelivery:
    """Posts inbound WhatsApp messages to `servers` as Twilio does: retried until 2xx."""

    def __init__(self, servers: Sequence[ServerProcess]) -> None:
        self.servers = list(servers)
        self._validator = RequestValidator(AUTH_TOKEN)
        self.attempts = 0
        self.delivered = 0
        self._delivered = asyncio.Condition()
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> TwilioDelivery:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    def form(self, phone: str, body: str, sid: str) -> dict[str, str]:
        """Twilio's fields of an incoming WhatsApp text from `phone`."""
        return {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": f"whatsapp:{phone}",
            "To": BOT_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ProfileName": "Абитуриент",
            "WaId": phone.removeprefix("+"),
            "ApiVersion": "2010-04-01",
        }

    async def attempt(self, server: ServerProcess, form: dict[str, str]) -> int | None:
        """Post `form` once; return the status, or None when the connection failed."""
        assert self._session is not None
        self.attempts += 1
        url = server.url + INBOUND_PATH
        # The server checks the signature over PUBLIC_BASE_URL + path: its own URL here.
        signed = server.env["PUBLIC_BASE_URL"] + INBOUND_PATH
        headers = {"X-Twilio-Signature": self._validator.compute_signature(signed, form)}
        try:
            async with self._session.post(url, data=form, headers=headers) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return None  # the process died mid-request, or is not listening yet

    async def wait_delivered(self, count: int) -> None:
        """Return once `count` messages in all were answered 2xx."""
        async with self._delivered:
            await self._delivered.wait_for(lambda: self.delivered >= count)

    async def __call__(self, phone: str, body: str, sid: str) -> Acked:
        """Deliver one message; return once a server answered it 2xx."""
        form = self.form(phone, body, sid)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GIVE_UP_AFTER
        while True:
            server = self.servers[self.attempts % len(self.servers)]
            generation = server.starts
            status = await self.attempt(server, form)
            if status is not None and 200 <= status < 300:
                async with self._delivered:
                    self.delivered += 1
                    self._delivered.notify_all()
                # Answered by a start that may have been killed meanwhile: 0 means unknown.
                return Acked(sid, generation if server.starts == generation else 0)
            if loop.time() > deadline:
                raise TimeoutError(f"message {sid} was never accepted")
            await asyncio.sleep(RETRY_EVERY)  # Twilio's retry interval, compressed
