"""The reminder scheduler inside `ortbot serve`: one run every few minutes, one replica at a time.

Each run is one transaction: it takes a lock, records the reminders due (`office.reminders`),
commits, and only then hands their notices to the publisher, so nobody is reminded of a run
that was rolled back. The lock is PostgreSQL's transaction-scoped advisory lock
(`pg_try_advisory_xact_lock`): a replica that finds it taken skips the run, and the lock goes
with the transaction, even when the process dies. SQLite serves one process, so an in-process
lock is enough there. Behind both, the unique key of `reminders_sent` refuses a second row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from flows.notifications import NoticePublisher, take_notices
from office.reminders import Due, send_due
from storage.database import Database
from storage.enums import Channel

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Any fixed 64-bit number; it names the reminder run among the database's advisory locks.
ADVISORY_KEY = 0x0_0127_2E4D_1D
_LOCAL_LOCK = asyncio.Lock()


@contextlib.asynccontextmanager
async def run_lock(session: AsyncSession) -> AsyncIterator[bool]:
    """Yield True when this process may run now (the lock lasts until the transaction ends)."""
    if session.bind.dialect.name == "postgresql":
        taken = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY}
        )
        yield bool(taken)
        return
    if _LOCAL_LOCK.locked():
        yield False
        return
    async with _LOCAL_LOCK:
        yield True


def sending_channels(runtime: Runtime) -> set[Channel]:
    """Return the messaging channels this process can send on."""
    return set(runtime.channels)


def build_scheduler(runtime: Runtime) -> ReminderScheduler:
    """Return the scheduler of a process whose app (and so its channels) is built."""
    assert runtime.outbox is not None  # noqa: S101 - create_app sets it
    return ReminderScheduler(
        database=runtime.database,
        campaign=runtime.campaign,
        publisher=runtime.outbox,
        channels=sending_channels(runtime),
        interval=runtime.settings.reminders_interval_seconds,
    )


class ReminderScheduler:
    """Sends the campaign's due reminders now (`run_once`) or every `interval` seconds."""

    def __init__(
        self,
        *,
        database: Database,
        campaign: Campaign,
        publisher: NoticePublisher,
        channels: set[Channel],
        interval: float = 600.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._database = database
        self._campaign = campaign
        self._publisher = publisher
        self._channels = channels
        self._interval = interval
        self._clock = clock or (lambda: datetime.now(UTC))
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> list[Due] | None:
        """Send what is due now; None when another replica holds the run."""
        try:
            async with self._database.session() as session, run_lock(session) as mine:
                if not mine:
                    return None
                due = await send_due(
                    session, self._campaign, now=self._clock(), channels=self._channels
                )
                notices = take_notices(session)
        except IntegrityError:
            # Another process recorded one of these reminders first: it sends them.
            log.info("reminders: a concurrent run recorded them first")
            return None
        await self._publisher.publish(notices)
        return due

    def start(self) -> None:
        """Run in the background until `stop()`."""
        if self._task is None and self._campaign.reminders.enabled and self._interval > 0:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                due = await self.run_once()
                if due:
                    log.info("reminders: %d queued", len(due))
            except Exception as exc:  # noqa: BLE001 - the next run tries again
                log.error("reminders: run failed: %s", type(exc).__name__)
            await asyncio.sleep(self._interval)
