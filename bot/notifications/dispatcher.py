"""Delivering notices after their transaction: composed once, sent on each linked chat.

`publish` returns at once (a web request or a chat turn never waits for Telegram or Twilio);
the work runs in a background task, one notice after another, and `drain()` waits for it
(shutdown, tests). A process that dies before sending loses those messages: the applicant
still sees every decision with /status, and officers see every entry in the web's queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.notifications.telegram import TelegramDelivery
from bot.notifications.whatsapp import WhatsAppDelivery
from flows.notifications import AnnouncementNotice, Notice
from office.announcements import record_delivery
from office.outbound import NoticeComposer, Outbound
from storage.database import Database
from storage.enums import Channel

log = logging.getLogger(__name__)


class NotificationDispatcher:
    """A `flows.notifications.NoticePublisher` for the Telegram and WhatsApp channels.

    The channels are attached once they exist (`telegram`, `whatsapp`); messages for a chat
    of a channel that is off are skipped.
    """

    def __init__(self, *, database: Database, composer: NoticeComposer) -> None:
        self._database = database
        self._composer = composer
        self.telegram: TelegramDelivery | None = None
        self.whatsapp: WhatsAppDelivery | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(self, notices: Sequence[Notice]) -> None:
        """Start delivering `notices` in the background."""
        if not notices:
            return
        task = asyncio.create_task(self._run(list(notices)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every notice published so far has been delivered (or given up)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, notices: list[Notice]) -> None:
        for notice in notices:
            try:
                async with self._database.session() as session:
                    messages = await self._composer.compose(session, notice)
                sent = bool(messages)
                for message in messages:
                    sent = await self._deliver(message) and sent
                if isinstance(notice, AnnouncementNotice):
                    # The announcement's page shows what became of each recipient's message.
                    async with self._database.session() as session:
                        await record_delivery(session, notice, sent)
            except Exception as exc:  # noqa: BLE001 - one notice must not stop the others
                log.error("notice %s not delivered: %s", type(notice).__name__, type(exc).__name__)

    async def _deliver(self, message: Outbound) -> bool:
        delivery: TelegramDelivery | WhatsAppDelivery | None = None
        if message.channel is Channel.TELEGRAM:
            delivery = self.telegram
        elif message.channel is Channel.WHATSAPP:
            delivery = self.whatsapp
        if delivery is None:
            return False
        if not await delivery.deliver(message):
            log.info("a %s notification was not delivered", message.channel.value)
            return False
        return True
