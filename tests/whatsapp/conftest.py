"""The WhatsApp channel mounted on an aiohttp app, talking to the fake Twilio REST API.

Webhooks are posted the way Twilio posts them: form-encoded and signed with
`RequestValidator.compute_signature` over PUBLIC_BASE_URL + path.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from fakes.twilio_api import FakeTwilioApi
from PIL import Image, ImageDraw
from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from bot.turns import TurnRunner
from bot.whatsapp import INBOUND_PATH, STATUS_PATH, WhatsApp, WhatsAppChannel
from bot.whatsapp.retry import Backoff
from config.campaign import Campaign
from config.settings import Settings
from core.i18n import Translator
from core.texts import conversation_texts
from flows.conversation import Conversation
from flows.engine import RegistrationFlow
from storage.credentials import SecretBox
from storage.database import Database
from storage.filestore import FileStore
from storage.state import StateStore

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "twilio-test-auth-token-0123456789"  # noqa: S105 - the fake's credentials
BOT_NUMBER = "whatsapp:+996700000001"
PUBLIC_BASE_URL = "https://bot.example.kg"
_NUMBERED = re.compile(r"^(\d+)\. (?:[✅⬜] )?(.+)$", re.MULTILINE)


class RecordedSleep:
    """Stands in for asyncio.sleep in the backoff: records the delays, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def message_sid() -> str:
    # Random, not counted: Redis outlives a test run and remembers the SIDs it has seen.
    return f"SM{uuid.uuid4().hex}"


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def document_jpeg(color: tuple[int, int, int] = (40, 90, 160), size=(1200, 800)) -> bytes:
    """A colourful stand-in for a photo of a document, big enough for the checks."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for n in range(0, size[0], 60):
        draw.rectangle((n, 100, n + 30, size[1] - 100), fill=(200, (n * 7) % 255, 80))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def numbered_options(text: str) -> dict[str, str]:
    """Return {label: number} of the numbered lines in `text` (the last list wins)."""
    return {label.strip(): number for number, label in _NUMBERED.findall(text)}


@dataclass
class Harness:
    """The app under test, its client, the fake Twilio and the channel's parts."""

    twilio: FakeTwilioApi
    whatsapp: WhatsApp
    channel: WhatsAppChannel
    client: TestClient
    sleep: RecordedSleep

    async def post(
        self,
        params: dict[str, str],
        *,
        path: str = INBOUND_PATH,
        signature: str | None | bool = True,
        drain: bool = True,
    ) -> web.Response:
        headers = {}
        if signature is True:
            headers["X-Twilio-Signature"] = sign(PUBLIC_BASE_URL + path, params)
        elif isinstance(signature, str):
            headers["X-Twilio-Signature"] = signature
        response = await self.client.post(path, data=params, headers=headers)
        await response.read()
        if drain:
            await self.channel.drain()
        return response

    async def status(self, sid: str, status: str, error_code: int | None = None) -> int:
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        # No draining: a status may arrive while a message is being sent.
        response = await self.post(params, path=STATUS_PATH, drain=False)
        return response.status

    def user(self, phone: str) -> WhatsAppUser:
        return WhatsAppUser(self, phone)


@dataclass
class WhatsAppUser:
    """An applicant's phone: sends messages and reads what the bot sent back."""

    harness: Harness
    phone: str
    seen: int = 0
    media_urls: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"whatsapp:{self.phone}"

    def inbox(self) -> list[str]:
        return self.harness.twilio.bodies_to(self.address)

    def new_messages(self) -> str:
        """Everything the bot sent since the last call, as one text."""
        bodies = self.inbox()
        fresh, self.seen = bodies[self.seen :], len(bodies)
        return "\n\n".join(fresh)

    async def send(self, body: str = "", *, sid: str | None = None, **extra: str) -> str:
        params = {
            "MessageSid": sid or message_sid(),
            "AccountSid": ACCOUNT_SID,
            "From": self.address,
            "To": BOT_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "ProfileName": "Nurlan",
            **extra,
        }
        response = await self.harness.post(params)
        assert response.status == 200
        return self.new_messages()

    async def send_media(
        self, data: bytes, content_type: str = "image/jpeg", *, body: str = ""
    ) -> str:
        sid = message_sid()
        url = self.harness.twilio.add_media(data, content_type, message_sid="MM" + sid[2:])
        self.media_urls.append(url)
        return await self.send(
            body, sid="MM" + sid[2:], NumMedia="1", MediaUrl0=url, MediaContentType0=content_type
        )


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def wa_settings(settings: Settings, twilio: FakeTwilioApi) -> Settings:
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_whatsapp_from": BOT_NUMBER,
            "twilio_api_url": twilio.base_url,
            "public_base_url": PUBLIC_BASE_URL,
            "twilio_template_credentials_sid": "ky:HXcredky0000000000000000000000000,"
            "ru:HXcredru0000000000000000000000000",
        }
    )


@pytest.fixture
def bot_texts() -> Translator:

    return conversation_texts()


@pytest.fixture
def registration_flow(
    database: Database,
    state: StateStore,
    filestore: FileStore,
    campaign: Campaign,
    bot_texts: Translator,
    secret_box: SecretBox,
) -> RegistrationFlow:
    return RegistrationFlow(
        state=state,
        filestore=filestore,
        campaign=campaign,
        translator=bot_texts,
        secret_box=secret_box,
    )


StartHarness = Callable[..., Any]


@pytest.fixture
async def start_whatsapp(
    wa_settings: Settings, database: Database, state: StateStore, twilio: FakeTwilioApi
) -> AsyncIterator[StartHarness]:
    """Start the channel around a given flow; everything is closed at the end of the test."""
    started: list[Harness] = []

    async def _start(flow: Conversation, **settings_update: Any) -> Harness:
        settings = wa_settings.model_copy(update=settings_update)
        sleep = RecordedSleep()
        whatsapp = WhatsApp.from_settings(
            settings, database=database, state=state, backoff=Backoff(sleep=sleep)
        )
        app = web.Application()
        turns = TurnRunner(
            conversation=flow, database=database, state=state, translator=conversation_texts()
        )
        channel = whatsapp.mount(app, turns)
        client = TestClient(TestServer(app))
        await client.start_server()
        harness = Harness(twilio, whatsapp, channel, client, sleep)
        started.append(harness)
        return harness

    yield _start
    for harness in started:
        await harness.client.close()
        await harness.whatsapp.close()
