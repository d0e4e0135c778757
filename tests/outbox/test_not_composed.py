"""A notice whose text cannot be composed fails for good, shows on the deliveries page in its
scope, and does not hold back the chat's later notices.

E's entry was returned; its stored reasons are broken (not a list), so the return notice
cannot be written. The next notice to E's chat must still arrive.
"""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from flows.notifications import ApplicantEvent, ApplicantNotice, queue_notice, take_notices
from storage.models import OutboxMessage, Registration
from tests.web.conftest import login

REASON_TEXTS = (
    "Текст сообщения не удалось составить из сохранённых данных",
    "Билдирүүнүн текстин сакталган маалыматтардан түзүү мүмкүн болгон жок",
)


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
