"""An announcement's figures: Telegram counts as delivered when taken, WhatsApp by Twilio."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.whatsapp import STATUS_PATH
from storage.models import AnnouncementRecipient
from tests.web.conftest import csrf_token, login

from .conftest import ACCOUNT_SID, AUTH_TOKEN

FIGURE = re.compile(r'data-testid="figure-(\w+)">(\d+)<')


async def figures(client: TestClient) -> dict[str, int]:
    page = await (await client.get("/announcements")).text()
    assert 'data-testid="figures-note"' in page
    return {name: int(n) for name, n in FIGURE.findall(page)}


async def status_callback(client: TestClient, sid: str, status: str, code: str = "") -> None:
    """Post what Twilio posts, signed over the URL it called (no PUBLIC_BASE_URL here)."""
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    if code:
        params["ErrorCode"] = code
    url = str(client.make_url(STATUS_PATH))
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    response = await client.post(
        STATUS_PATH, data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status == 204


async def test_delivered_and_failed_follow_twilios_status_callbacks(
    served, database, campus, fake_telegram, fake_twilio
):
    runtime, app = served
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await login(client, campus.world.teacher_a)
        form = {
            "csrf_token": await csrf_token(client, "/announcements"),
            "status": ["not_started", "draft", "no_receipt"],
            "text_ky": "Эртең мектепте жыйналыш болот.",
            "text_ru": "Завтра в школе собрание.",
        }
        response = await client.post("/announcements/send", data=form, allow_redirects=False)
        assert response.status == 302
        await runtime.outbox.drain()
        # B and C on Telegram (taken: delivered); A, D and F on WhatsApp, no receipt yet.
        assert await figures(client) == {
            "sent": 5,
            "delivered": 2,
            "failed": 0,
            "blocked": 0,
            "queued": 0,
        }
        sid = {m["To"].removeprefix("whatsapp:"): m["Sid"] for m in fake_twilio.messages}
        await status_callback(client, sid[campus["A"].phone], "delivered")
        await status_callback(client, sid[campus["D"].phone], "read")
        await status_callback(client, sid[campus["D"].phone], "sent")  # late: ignored
        await status_callback(client, sid[campus["F"].phone], "undelivered", "63024")
        assert await figures(client) == {
            "sent": 5,
            "delivered": 4,
            "failed": 1,
            "blocked": 0,
            "queued": 0,
        }
    finally:
        await client.close()
    async with database.session() as s:
        keys = set(await s.scalars(select(AnnouncementRecipient.message_key)))
    assert len(keys) == 5 and all(k.startswith("announcement:") for k in keys)
