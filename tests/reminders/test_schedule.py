"""The clock moves through the 2026 campaign; two schedulers (two replicas) run at each tick.

Checks who gets which reminder, on which channel, when, and that each arrives exactly once;
that nothing goes out at night or to whoever said STOP; and that moving forward is noticed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.reminders import ReminderScheduler, run_lock, sending_channels
from office.reminders import Due
from storage.database import Database
from storage.enums import RegistrationStatus
from storage.models import Registration, ReminderSent

from .conftest import T0, TEMPLATE_KY, TEMPLATE_RU, Campus, Clock, local


class Replicas:
    """Two schedulers on two engines of one database, as two `serve` processes would be."""

    def __init__(self, runtime, database_url: str, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        self.runtime = runtime
        self.databases = [Database.from_url(database_url) for _ in range(2)]
        self.schedulers = [
            ReminderScheduler(
                database=database,
                campaign=runtime.campaign,
                publisher=runtime.outbox,
                channels=sending_channels(runtime),
                clock=clock,
            )
            for database in self.databases
        ]

    async def tick(self) -> list[Due]:
        """Run both at once; return what was recorded (by whichever won)."""
        results = await asyncio.gather(*(s.run_once() for s in self.schedulers))
        await self.runtime.outbox.drain()
        return [due for result in results if result for due in result]

    async def close(self) -> None:
        for database in self.databases:
            await database.dispose()


def received(campus: Campus, fake_telegram, fake_twilio) -> Counter[str]:  # type: ignore[no-untyped-def]
    """Messages each applicant has had so far (both channels)."""
    counts: Counter[str] = Counter()
    for name, person in campus.people.items():
        if person.telegram is not None:
            counts[name] += len(fake_telegram.texts_to(person.telegram))
        counts[name] += sum(
            1 for m in fake_twilio.messages if m.get("To") == f"whatsapp:{person.phone}"
        )
    return +counts


def rules(due: list[Due], campus: Campus) -> dict[str, str]:
    names = {p.grant_id: n for n, p in campus.people.items()}
    return {names[d.grant_id]: d.rule for d in due}


async def test_a_campaign_of_reminders_on_two_replicas(
    runtime, campus, database, database_url, fake_telegram, fake_twilio
):
    clock = Clock()
    replicas = Replicas(runtime, database_url, clock)
    await runtime.whatsapp.sender.note_inbound(campus["D"].phone)  # D wrote lately
    try:
        clock.now = T0 + timedelta(days=1, hours=2)
        assert await replicas.tick() == []

        clock.now = local(2, 23, hour=23)  # three days on, A and B are due, but it is night
        assert await replicas.tick() == []
        assert received(campus, fake_telegram, fake_twilio) == Counter()

        clock.now = local(2, 24, hour=10)
        assert rules(await replicas.tick(), campus) == {
            "A": "not_started",
            "B": "not_started",
            "C": "incomplete",
            "D": "incomplete",
            "E": "returned",
            "F": "no_receipt",
        }
        assert received(campus, fake_telegram, fake_twilio) == Counter("ABCDEF")

        # What each said, and where.
        [c_text] = fake_telegram.texts_to(campus["C"].telegram)
        assert "Сизге 4-кадам гана калды: паспорттун арткы бети." in c_text
        assert "STOP" in c_text
        assert fake_telegram.texts_to(campus["D"].telegram) == []  # D used WhatsApp last
        [d_message] = [m for m in fake_twilio.messages if m["To"].endswith(campus["D"].phone)]
        assert "Вам остались шаги 4, 5. Следующий — шаг 4: паспорт" in d_message["Body"]
        # Outside the 24-hour window: the notification template, in the applicant's language.
        [a_message] = [m for m in fake_twilio.messages if m["To"].endswith(campus["A"].phone)]
        assert a_message["ContentSid"] == TEMPLATE_KY and "Body" not in a_message
        assert "катталуу али башталган жок" in a_message["ContentVariables"]
        [f_message] = [m for m in fake_twilio.messages if m["To"].endswith(campus["F"].phone)]
        assert f_message["ContentSid"] == TEMPLATE_KY
        assert "квитанциясы али кошула элек" in f_message["ContentVariables"]
        assert TEMPLATE_RU not in {m.get("ContentSid") for m in fake_twilio.messages}

        clock.now = local(2, 24, hour=11)
        assert await replicas.tick() == []

        # C submits; the next run notices it moved forward after the reminder.
        async with database.session() as s:
            c = await s.scalar(
                select(Registration).where(Registration.grant_id == campus["C"].grant_id)
            )
            c.status = RegistrationStatus.SUBMITTED
            c.answers = {**c.answers, "passport_back": 2}
            c.submitted_at = clock.now
        clock.now = local(2, 24, hour=14)
        await replicas.tick()
        async with database.session() as s:
            moved = await s.scalars(
                select(ReminderSent.grant_id).where(ReminderSent.progressed_at.is_not(None))
            )
            assert set(moved) == {campus["C"].grant_id}

        # The last week: 7, 3 and 1 days before 2 April, to everyone not submitted.
        clock.now = local(3, 27)  # six days left; C submitted without a receipt long ago
        assert rules(await replicas.tick(), campus) == {
            **dict.fromkeys("ABDE", "closing_7"),
            "C": "no_receipt",
        }
        clock.now = local(3, 28)
        assert await replicas.tick() == []
        clock.now = local(3, 30)
        assert rules(await replicas.tick(), campus) == dict.fromkeys("ABDE", "closing_3")
        clock.now = local(4, 1, hour=8)  # one day left, but still quiet hours
        assert await replicas.tick() == []
        clock.now = local(4, 1, hour=9)
        assert rules(await replicas.tick(), campus) == dict.fromkeys("ABDE", "closing_1")
        clock.now = local(4, 2)
        assert await replicas.tick() == []
        clock.now = local(4, 3)  # closed
        assert await replicas.tick() == []

        # Exactly once each: four reminders for A, B, D, E; two for C, one for F; none for
        # G (receipt added), H (registered) and I (said STOP).
        assert received(campus, fake_telegram, fake_twilio) == Counter(
            {"A": 4, "B": 4, "D": 4, "E": 4, "C": 2, "F": 1}
        )
        [closing] = [t for t in fake_telegram.texts_to(campus["B"].telegram) if "3 күн" in t]
        assert "акыркы күнү — 02.04.2026 (3 күн калды)" in closing
        [last] = [t for t in fake_telegram.texts_to(campus["E"].telegram) if "1 күн" in t]
        assert "кайра жөнөтүңүз" in last and "толтурулду" not in last  # E was returned
        [week] = [t for t in fake_telegram.texts_to(campus["B"].telegram) if "6 күн" in t]
        assert "7 күн" not in week  # the days actually left, not the rule's
    finally:
        await replicas.close()


async def test_a_replica_skips_the_run_while_another_holds_it(runtime, campus, database):
    """The lock, not only the unique key, keeps a second replica out (and it sends nothing)."""
    clock = Clock(local(2, 24))
    other = Database.from_url(str(database.engine.url.render_as_string(hide_password=False)))
    scheduler = ReminderScheduler(
        database=other,
        campaign=runtime.campaign,
        publisher=runtime.outbox,
        channels=sending_channels(runtime),
        clock=clock,
    )
    try:
        async with database.session() as s, run_lock(s) as mine:
            assert mine
            assert await scheduler.run_once() is None
        assert len(await scheduler.run_once() or []) == 6
    finally:
        await other.dispose()


async def test_the_background_loop_of_serve_runs_and_stops(runtime, campus, database):
    scheduler = ReminderScheduler(
        database=database,
        campaign=runtime.campaign,
        publisher=runtime.outbox,
        channels=sending_channels(runtime),
        interval=0.05,
        clock=Clock(local(2, 24)),
    )
    scheduler.start()
    try:
        for _ in range(200):
            async with database.session() as s:
                rows = list(await s.scalars(select(ReminderSent)))
            if len(rows) == 6:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # a few more runs: nothing more is recorded
    finally:
        await scheduler.stop()
    async with database.session() as s:
        assert len(list(await s.scalars(select(ReminderSent)))) == 6
