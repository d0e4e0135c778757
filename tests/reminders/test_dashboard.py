"""The dashboard's reminder block: per rule, reminded and moved forward within 48 hours."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.reminders import ReminderScheduler, sending_channels
from office.reminder_stats import reminder_figures
from storage.enums import RegistrationStatus
from storage.models import Registration
from tests.web.conftest import login

from .conftest import Clock, local


async def remind_and_let_c_submit(runtime, campus, database) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(local(2, 24))
    scheduler = ReminderScheduler(
        database=database,
        campaign=runtime.campaign,
        publisher=runtime.outbox,
        channels=sending_channels(runtime),
        clock=clock,
    )
    assert len(await scheduler.run_once() or []) == 6
    await runtime.outbox.drain()
    async with database.session() as s:
        c = await s.scalar(
            select(Registration).where(Registration.grant_id == campus["C"].grant_id)
        )
        c.status = RegistrationStatus.SUBMITTED
    clock.now = local(2, 25)  # a day later: within 48 hours
    await scheduler.run_once()
    clock.now = local(2, 27)  # D moves only now, too late to count
    async with database.session() as s:
        d = await s.scalar(
            select(Registration).where(Registration.grant_id == campus["D"].grant_id)
        )
        d.answers = {**d.answers, "passport_front": 9}
    await scheduler.run_once()


async def test_figures_per_rule_in_each_scope(runtime, campus, database):
    await remind_and_let_c_submit(runtime, campus, database)
    world = campus.world
    async with database.session() as s:
        central = await reminder_figures(s, actor=world.admin, campaign=runtime.campaign)
        other_district = await reminder_figures(
            s, actor=world.alamudun_coordinator, campaign=runtime.campaign
        )
    rows = {r.rule: (r.reminded, r.moved) for r in central}
    assert rows == {
        "not_started": (2, 0),
        "incomplete": (2, 1),
        "returned": (1, 0),
        "no_receipt": (1, 0),
        "closing_7": (0, 0),
        "closing_3": (0, 0),
        "closing_1": (0, 0),
    }
    assert {(r.reminded, r.moved) for r in other_district} == {(0, 0)}


async def test_the_dashboard_shows_the_block(served, campus, database):
    runtime, app = served
    await remind_and_let_c_submit(runtime, campus, database)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await login(client, campus.world.sokuluk_coordinator)
        page = await (await client.get("/dashboard")).text()
    finally:
        await client.close()
    assert "Эскертмелер" in page or "Напоминания" in page
    assert "Башталды, бирок жөнөтүлгөн жок" in page or "Начата, но не отправлена" in page
    assert "1 (50%)" in page
