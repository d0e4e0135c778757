"""A turn's reply Twilio keeps refusing (5xx to the end of the retries) is handed to the outbox,
and arrives once, later."""

from __future__ import annotations

import asyncio
import uuid

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.whatsapp import INBOUND_PATH
from bot.whatsapp.webhooks import WHATSAPP_CHANNEL
from storage.models import OutboxMessage
from tests.reminders.conftest import ACCOUNT_SID, AUTH_TOKEN


async def test_a_reply_refused_to_the_end_of_the_retries_is_sent_later_once(
    served, database, campus, fake_twilio
):
    runtime, app = served
    runtime.outbox.backoff = 0.05
    client = TestClient(TestServer(app))
    await client.start_server()
    d = f"whatsapp:{campus['D'].phone}"
    try:
        fake_twilio.fail_next(4, status=503, code=None)  # every try of the channel's sender
        params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": ACCOUNT_SID, "From": d}
        params |= {"To": "whatsapp:+996700000001", "Body": "/status", "NumMedia": "0"}
        url = str(client.make_url(INBOUND_PATH))
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
        response = await client.post(
            INBOUND_PATH, data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status == 200
        await asyncio.wait_for(app[WHATSAPP_CHANNEL].drain(), timeout=30)
        assert fake_twilio.bodies_to(d) == []  # refused four times: nothing arrived yet
        async with database.session() as s:
            later = list(await s.scalars(select(OutboxMessage)))
        assert len(later) == 1 and later[0].reply is not None and later[0].status == "pending"
        await runtime.outbox.drain(within=5)
    finally:
        await client.close()
    bodies = fake_twilio.bodies_to(d)
    assert len(bodies) == 1 and bodies[0]  # the status reply, once
    async with database.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert row.status == "sent" and row.reply is None  # its text is not kept once sent


async def test_a_telegram_reply_refused_for_longer_than_the_sender_waits_is_sent_later_once(
    runtime, database, campus, fake_telegram
):
    from fakes.telegram_user import TelegramUser

    runtime.outbox.backoff = 0.05
    user = TelegramUser(
        fake_telegram, runtime.telegram.feed_raw_update, user_id=campus["B"].telegram
    )
    # Longer than the channel's sender waits for a reply: it gives up at once.
    fake_telegram.fail_next("sendMessage", status=429, retry_after=61)
    await user.send_text("/status")
    assert fake_telegram.texts_to(user.chat_id) == []
    async with database.session() as s:
        later = list(await s.scalars(select(OutboxMessage)))
    assert later and all(r.reply is not None and r.status == "pending" for r in later)
    await runtime.outbox.drain(within=5)
    texts = fake_telegram.texts_to(user.chat_id)
    assert len(texts) == len(later) and len(set(texts)) == len(texts)  # each reply, once
    assert len(fake_telegram.calls_of("sendMessage")) == 1 + len(later)
