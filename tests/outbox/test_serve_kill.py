"""`ortbot serve` killed with SIGKILL while the Bot API refuses its notices (429): the notices
committed before the kill arrive after the restart, once each.
"""

from __future__ import annotations

import asyncio

from fakes.telegram_api import FakeTelegramAPI
from sqlalchemy import select

from flows.notifications import ApplicantEvent, ApplicantNotice, queue_notice
from storage.database import Database
from storage.enums import Channel, RegistrationStatus
from storage.models import LinkedChat, OutboxMessage, Registration
from tests.robustness.applicants import add_applicants
from tests.robustness.conftest import fake_api  # noqa: F401 - the fake Bot API fixture
from tests.robustness.serving import ServerProcess
from tests.robustness.test_crashes import flush_server_state, server_env

APPLICANTS = 3
CHAT = 9_300_000


async def approve_all(database: Database, secret_box, campaign) -> list[int]:  # type: ignore[no-untyped-def]
    """Approve one entry per applicant and store the notice, in one committed transaction."""
    granted = await add_applicants(database, secret_box, APPLICANTS, campaign_year=campaign.year)
    chats = []
    async with database.session() as s:
        for n, g in enumerate(granted):
            chat_id = CHAT + n
            chats.append(chat_id)
            s.add(LinkedChat(channel=Channel.TELEGRAM, chat_id=str(chat_id), grant_id=g.grant_id))
            entry = Registration(
                grant_id=g.grant_id,
                campaign_year=campaign.year,
                status=RegistrationStatus.APPROVED,
                answers={},
            )
            s.add(entry)
            await s.flush()
            queue_notice(s, ApplicantNotice(entry.id, ApplicantEvent.APPROVED))
    return chats


async def test_notices_refused_then_killed_are_sent_once_after_the_restart(
    database: Database,
    database_url,
    secret_box,
    campaign,
    fake_api: FakeTelegramAPI,  # noqa: F811
    tmp_path,
) -> None:
    await flush_server_state()
    for _ in range(APPLICANTS):  # every first attempt: "wait 2 seconds"
        fake_api.fail_next("sendMessage", status=429, retry_after=2)
    server = ServerProcess(
        server_env(database_url, fake_api, tmp_path / "media"), log_path=tmp_path / "serve.log"
    )
    await server.start()
    try:
        chats = await approve_all(database, secret_box, campaign)  # found by the next poll
        await fake_api.wait_until(
            lambda: len(fake_api.calls_of("sendMessage")) >= APPLICANTS, within=60
        )
        await asyncio.sleep(0.5)  # the refusals are recorded (well before the 2 s run out)
        server.kill()
        async with database.session() as s:
            rows = list(await s.scalars(select(OutboxMessage)))
        assert len(rows) == APPLICANTS and {r.status for r in rows} == {"pending"}
        assert all(fake_api.texts_to(c) == [] for c in chats)  # nothing arrived yet
        await server.start()
        await fake_api.wait_until(lambda: all(fake_api.texts_to(c) for c in chats), within=60)
        await asyncio.sleep(1)  # a second copy, were there one, would have come by now
    finally:
        server.stop()
        await flush_server_state()
    assert server.starts == 2
    assert all(len(fake_api.texts_to(c)) == 1 for c in chats)
    async with database.session() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {2}
