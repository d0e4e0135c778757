"""The WhatsApp channel inside the real application, as `ortbot serve` builds it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from access.notifier import NoChannelNotifier
from bot.app import create_app
from bot.runtime import Runtime
from bot.whatsapp import INBOUND_PATH, WhatsAppCredentialsNotifier

from .conftest import ACCOUNT_SID, BOT_NUMBER, PUBLIC_BASE_URL, message_sid, sign

PHONE = "+996555600006"


async def test_configured_twilio_turns_the_channel_and_its_notifier_on(
    wa_settings, campaign, twilio
):
    runtime = Runtime.from_settings(wa_settings, campaign=campaign)
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        assert isinstance(runtime.notifier, WhatsAppCredentialsNotifier)
        params = {
            "MessageSid": message_sid(),
            "AccountSid": ACCOUNT_SID,
            "From": f"whatsapp:{PHONE}",
            "To": BOT_NUMBER,
            "Body": "Салам",
        }
        headers = {"X-Twilio-Signature": sign(PUBLIC_BASE_URL + INBOUND_PATH, params)}
        response = await client.post(INBOUND_PATH, data=params, headers=headers)
        assert response.status == 200
    finally:
        await client.close()  # finishes the message being processed, then closes
        await runtime.close()
    # The real flow asked the new chat for its language.
    [body] = twilio.bodies_to(f"whatsapp:{PHONE}")
    assert "Тилди тандаңыз / Выберите язык" in body


async def test_without_twilio_credentials_the_channel_is_off(settings, campaign):
    runtime = Runtime.from_settings(settings, campaign=campaign)
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        assert runtime.whatsapp is None
        assert isinstance(runtime.notifier, NoChannelNotifier)
        response = await client.post(INBOUND_PATH, data={"Body": "Салам"})
        assert response.status == 404
    finally:
        await client.close()
        await runtime.close()
