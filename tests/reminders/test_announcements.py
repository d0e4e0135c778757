"""Announcements reach exactly the officer's scope and the chosen statuses, and are counted."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from config.campaign import load_campaign
from config.settings import PROJECT_ROOT
from flows.notifications import take_notices
from office.announcement_figures import sent_announcements
from office.announcements import recipients, send_announcement
from storage.enums import Channel
from storage.models import AuditEntry, LinkedChat
from tests.factories import make_grant
from tests.web.conftest import csrf_token, login

from .conftest import local

BOTH = {Channel.TELEGRAM, Channel.WHATSAPP}
CAMPAIGN = load_campaign(PROJECT_ROOT / "campaigns" / "2026.toml")


@pytest.fixture
async def others(campus, database, secret_box):  # type: ignore[no-untyped-def]
    """X: not started at school B (same district, another school); Y: at school C elsewhere."""
    world = campus.world
    names = {}
    async with database.session() as s:
        for name, school, chat in (("X", world.school_b, 2001), ("Y", world.school_c, 2002)):
            grant = await make_grant(
                s,
                school=school,
                granted_by=world.admin,
                secret_box=secret_box,
                full_name=f"Абитуриент {name}",
            )
            s.add(
                LinkedChat(
                    channel=Channel.TELEGRAM, chat_id=str(chat), grant_id=grant.id, language="ru"
                )
            )
            names[grant.id] = name
    return names


async def whom(database, campus, others, officer, statuses, channels=BOTH):  # type: ignore[no-untyped-def]
    names = {p.grant_id: n for n, p in campus.people.items()} | others
    async with database.session() as s:
        found, unreachable = await recipients(
            s, actor=officer, campaign=CAMPAIGN, statuses=statuses, channels=channels
        )
    return {names[r.grant_id]: r.channel.value for r in found}, unreachable


async def test_each_officer_reaches_exactly_their_scope(database, campus, others):
    world = campus.world
    not_started = {"not_started"}
    school, _ = await whom(database, campus, others, world.teacher_a, not_started)
    assert school == {"A": "whatsapp", "B": "telegram"}  # I said STOP
    district, _ = await whom(database, campus, others, world.sokuluk_coordinator, not_started)
    assert district == {"A": "whatsapp", "B": "telegram", "X": "telegram"}
    everyone, _ = await whom(database, campus, others, world.admin, not_started)
    assert everyone == {"A": "whatsapp", "B": "telegram", "X": "telegram", "Y": "telegram"}
    elsewhere, _ = await whom(database, campus, others, world.alamudun_coordinator, not_started)
    assert elsewhere == {"Y": "telegram"}


async def test_statuses_filter_and_unreachable(database, campus, others):
    admin = campus.world.admin
    assert (await whom(database, campus, others, admin, {"returned", "registered"}))[0] == {
        "E": "telegram",
        "H": "telegram",
    }
    assert (await whom(database, campus, others, admin, {"no_receipt"}))[0] == {"F": "whatsapp"}
    assert (await whom(database, campus, others, admin, {"draft"}))[0] == {
        "C": "telegram",
        "D": "whatsapp",
    }
    # Without WhatsApp, A (never wrote) and F (WhatsApp only) cannot be reached; D can.
    found, unreachable = await whom(
        database, campus, others, admin, {"not_started", "draft", "no_receipt"}, {Channel.TELEGRAM}
    )
    assert found == {
        "B": "telegram",
        "X": "telegram",
        "Y": "telegram",
        "C": "telegram",
        "D": "telegram",
    }
    assert unreachable == 2


async def test_sent_in_each_language_counted_and_audited(
    runtime, database, campus, others, fake_telegram, fake_twilio
):
    coordinator = campus.world.sokuluk_coordinator
    async with database.session() as s:
        await send_announcement(
            s,
            actor=coordinator,
            campaign=runtime.campaign,
            statuses={"not_started"},
            text_ky="Эртең мектепте жыйналыш болот.",
            text_ru="Завтра в школе собрание.",
            channels=BOTH,
            now=local(3, 1),
        )
        notices = take_notices(s)
    await runtime.outbox.publish(notices)
    await runtime.outbox.drain()
    assert any("Эртең мектепте жыйналыш" in t for t in fake_telegram.texts_to(campus["B"].telegram))
    assert any("Завтра в школе собрание" in t for t in fake_telegram.texts_to(2001))  # X: ru
    assert fake_telegram.texts_to(2002) == []  # Y is in another district
    [a_message] = [m for m in fake_twilio.messages if m["To"].endswith(campus["A"].phone)]
    assert "Эртең мектепте жыйналыш" in a_message["ContentVariables"]  # the template
    async with database.session() as s:
        [item] = await sent_announcements(s, actor=coordinator, campaign=runtime.campaign)
        # B and X on Telegram (taken: delivered); A on WhatsApp waits for Twilio's receipt.
        assert item.figures == {
            "recipients": 3,
            "sent": 3,
            "delivered": 2,
            "failed": 0,
            "blocked": 0,
            "queued": 0,
        }
        assert (
            await sent_announcements(
                s, actor=campus.world.alamudun_coordinator, campaign=runtime.campaign
            )
            == []
        )
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.send"))
        assert entry.actor_id == coordinator.id and entry.district_id == coordinator.district_id


async def test_the_web_previews_then_sends(served, database, campus, others, fake_telegram):
    runtime, app = served
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await login(client, campus.world.teacher_a)
        token = await csrf_token(client, "/announcements")
        form = {"csrf_token": token, "status": "not_started", "text_ky": "Салам!", "text_ru": ""}
        page = await (await client.post("/announcements/preview", data=form)).text()
        assert "кыргызча жана орусча" in page or "на кыргызском и на русском" in page
        form["text_ru"] = "Привет!"
        page = await (await client.post("/announcements/preview", data=form)).text()
        counts = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', page))
        assert counts == {"telegram": "1", "whatsapp": "1", "unreachable": "0"}
        response = await client.post("/announcements/send", data=form, allow_redirects=False)
        assert response.status == 302
        await runtime.outbox.drain()
        page = await (await client.get("/announcements")).text()
        assert page.count('data-testid="announcement-row"') == 1
    finally:
        await client.close()
    assert any("Салам!" in t for t in fake_telegram.texts_to(campus["B"].telegram))
