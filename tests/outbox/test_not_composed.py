"""A notice whose text cannot be composed fails for good, shows on the deliveries page in its
scope, and does not hold back the chat's later notices.

E's entry was returned; its stored reasons are broken (not a list), so the return notice
cannot be written. The next notice to E's chat must still arrive. A reminder that cannot be
written fails on the chat it would have gone to, not on another chat of the applicant's.
"""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from flows.notifications import (
    ApplicantEvent,
    ApplicantNotice,
    ReminderNotice,
    queue_notice,
    take_notices,
)
from storage.enums import Channel
from storage.models import OutboxMessage, Registration, ReminderSent
from tests.web.conftest import login

REASON_TEXTS = (
    "Текст сообщения не удалось составить из сохранённых данных",
    "Билдирүүнүн текстин сакталган маалыматтардан түзүү мүмкүн болгон жок",
)


async def publish(runtime, database, notice) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        queue_notice(s, notice)
        notices = take_notices(s)
    await runtime.outbox.publish(notices)


async def notify(runtime, database, registration_id: int, event: ApplicantEvent) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        queue_notice(s, ApplicantNotice(registration_id, event))
        notices = take_notices(s)
    await runtime.outbox.publish(notices)


async def break_reasons(database, registration_id: int) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        entry = await s.get(Registration, registration_id)
        entry.rejection_reasons = 7  # not a list: the return notice cannot be written


async def entry_of(database, campus, name: str) -> int:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        return await s.scalar(
            select(Registration.id).where(Registration.grant_id == campus[name].grant_id)
        )


async def deliveries_sections(app, campus) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The failed-notices list as E's district coordinator and another district's see it."""
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await login(client, campus.world.sokuluk_coordinator)
        mine = await (await client.get("/deliveries")).text()
        await login(client, campus.world.alamudun_coordinator)
        theirs = await (await client.get("/deliveries")).text()
    finally:
        await client.close()

    def section(page: str) -> str:
        return page.split('data-testid="failed-notices"')[1].split("</section>")[0]

    return section(mine), section(theirs)


async def assert_failed_and_next_delivered(runtime, app, database, campus, fake_telegram):  # type: ignore[no-untyped-def]
    chat = campus["E"].telegram
    async with database.session() as s:
        rows = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    failed = [r for r in rows if r.status == "failed"]
    assert [(r.chat_id, r.error) for r in failed] == [(str(chat), "not_composed")]
    approved = runtime.bot_texts.gettext("ky", "notice.approved")
    assert fake_telegram.texts_to(chat) == [approved]  # the later notice, once
    mine, theirs = await deliveries_sections(app, campus)
    assert "not_composed" in mine and any(text in mine for text in REASON_TEXTS)
    assert "Абитуриент E" in mine
    assert "not_composed" not in theirs  # another district's coordinator does not see it


async def test_a_notice_that_cannot_be_composed_shows_as_failed_and_the_next_one_goes(
    served, database, campus, fake_telegram
):
    runtime, app = served
    entry = await entry_of(database, campus, "E")
    await break_reasons(database, entry)
    await notify(runtime, database, entry, ApplicantEvent.REJECTED)
    await notify(runtime, database, entry, ApplicantEvent.APPROVED)
    await runtime.outbox.drain(within=5)
    await assert_failed_and_next_delivered(runtime, app, database, campus, fake_telegram)


async def test_a_notice_whose_data_broke_before_its_turn_fails_and_the_next_one_goes(
    served, database, campus, fake_telegram
):
    runtime, app = served
    runtime.outbox.backoff = 0.05
    entry = await entry_of(database, campus, "E")
    await notify(runtime, database, entry, ApplicantEvent.REJECTED)
    await runtime.outbox._expand()  # noqa: SLF001 - its message is stored, not yet sent
    await break_reasons(database, entry)  # then its data breaks
    await notify(runtime, database, entry, ApplicantEvent.APPROVED)
    await runtime.outbox.drain(within=5)
    await assert_failed_and_next_delivered(runtime, app, database, campus, fake_telegram)


async def test_a_reminder_that_cannot_be_composed_fails_on_the_chat_it_was_for(
    served, database, campus
):
    """D linked Telegram, then WhatsApp; the reminder was recorded for Telegram (the process
    then ran Telegram only). Its draft is broken, so it fails on D's Telegram chat, where it
    would have gone, not on the WhatsApp chat linked last."""
    runtime, app = served
    d = campus["D"]
    async with database.session() as s:
        s.add(
            ReminderSent(
                grant_id=d.grant_id, campaign_year=2026, rule="incomplete", channel=Channel.TELEGRAM
            )
        )
        entry = await s.scalar(select(Registration).where(Registration.grant_id == d.grant_id))
        entry.answers = 7  # not a mapping: what is missing cannot be written
    await publish(runtime, database, ReminderNotice(d.grant_id, "incomplete"))
    await runtime.outbox.drain(within=5)
    async with database.session() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    assert [(r.channel, r.chat_id, r.status, r.error) for r in rows] == [
        (Channel.TELEGRAM, str(d.telegram), "failed", "not_composed")
    ]
    mine, _ = await deliveries_sections(app, campus)
    assert "Абитуриент D" in mine and "Telegram" in mine and "WhatsApp" not in mine
