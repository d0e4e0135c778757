"""The WhatsApp channel: inbound messages become flow events, replies go back as text.

A webhook hands each message to `WhatsAppChannel.receive`, which de-duplicates it and processes
it in a background task so Twilio gets its answer at once. Messages of one phone are processed
one at a time, in arrival order within a process (a lock per chat in the state store).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from typing import Protocol

from bot.metrics import turn_finished
from bot.whatsapp.exceptions import MediaRefused
from bot.whatsapp.inbound import InboundMessage, MediaItem, text_event, unsupported_kind
from bot.whatsapp.media import TwilioMedia
from bot.whatsapp.numbering import Numbered, NumberedMemory
from bot.whatsapp.outbox import Outbox
from bot.whatsapp.render import render, split_message, toggle_example
from bot.whatsapp.sender import WhatsAppSender
from core.i18n import LANGUAGES, Translator
from flows.events import ChatKey, Event, IncomingFile
from flows.replies import Reply
from storage.database import Database
from storage.enums import Channel
from storage.repositories.chats import get_chat
from storage.state import StateStore

log = logging.getLogger(__name__)

DEDUP_SECONDS = 7 * 24 * 3600  # the fast check; the channel_messages row is the lasting one
LOCK_SECONDS = 45.0  # a download (30 s at most) plus the flow and the sends fit inside


class ConversationFlow(Protocol):
    """What the channel needs of `flows.engine.RegistrationFlow`."""

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        """Process one event for one chat and return the replies to send, in order."""
        ...


class WhatsAppChannel:
    """Receives WhatsApp messages, runs them through the flow and sends the replies."""

    def __init__(
        self,
        *,
        flow: ConversationFlow,
        sender: WhatsAppSender,
        media: TwilioMedia,
        outbox: Outbox,
        state: StateStore,
        database: Database,
        texts: Translator,
    ) -> None:
        self.sender = sender
        self.outbox = outbox
        self._flow = flow
        self._media = media
        self._state = state
        self._database = database
        self._texts = texts
        self._numbered = NumberedMemory(state)
        self._tasks: set[asyncio.Task[None]] = set()

    async def receive(self, message: InboundMessage) -> bool:
        """Accept `message` for processing; return False when it was received before."""
        once = f"whatsapp:in:{message.message_sid}"
        if not await self._state.mark_once(once, ttl=DEDUP_SECONDS):
            return False
        try:
            recorded = await self.outbox.record_inbound(message.message_sid, message.phone)
        except BaseException:
            # Twilio retries a failed webhook: the retry must not look like a duplicate.
            await self._state.delete(f"once:{once}")
            raise
        if not recorded:
            return False
        task = asyncio.create_task(self._process(message, started=time.perf_counter()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def drain(self) -> None:
        """Wait until every accepted message has been processed (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _process(self, message: InboundMessage, *, started: float) -> None:
        key = ChatKey(Channel.WHATSAPP, message.chat_id)
        outcome = "handled"
        try:
            async with self._state.lock(
                f"whatsapp:chat:{message.chat_id}", expires_after=LOCK_SECONDS
            ):
                await self.sender.note_inbound(message.phone)
                replies = await self._converse(key, message)
                await self._answer(message, replies)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            # The type and the frames only: messages of database errors can quote user data.
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "WhatsApp message %s failed: %s\n%s",
                message.message_sid,
                type(error).__name__,
                frames,
            )
            await self._apologize(message)
            outcome = "failed"
        turn_finished(Channel.WHATSAPP, outcome, started, turn_id=message.message_sid)

    async def _converse(self, key: ChatKey, message: InboundMessage) -> list[Reply]:
        phone = message.phone
        replies: list[Reply] = []
        for item in message.media:
            replies += await self._media_item(key, message, item)
        if message.is_location:
            replies += await self._flow.handle(
                key, Event(kind="unsupported", unsupported="location", verified_phone=phone)
            )
        if message.body.strip() and not message.media:
            numbered = await self._numbered.recall(message.chat_id)
            picked = numbered.resolve(message.body) if numbered else None
            if picked:
                for option in picked:
                    replies += await self._flow.handle(
                        key, Event(kind="choice", choice=option, verified_phone=phone)
                    )
            else:
                replies += await self._flow.handle(key, text_event(message.body, phone=phone))
        if not message.media and not message.is_location and not message.body.strip():
            replies += await self._flow.handle(
                key, Event(kind="unsupported", unsupported="other", verified_phone=phone)
            )
        return _without_stale_redraws(replies)

    async def _media_item(
        self, key: ChatKey, message: InboundMessage, item: MediaItem
    ) -> list[Reply]:
        phone = message.phone
        try:
            kind = unsupported_kind(item.content_type)
            if kind is not None:
                event = Event(kind="unsupported", unsupported=kind, verified_phone=phone)
                return await self._flow.handle(key, event)
            try:
                data = await self._media.download(item.url)
            except MediaRefused as refused:
                language = await self._language(message.chat_id)
                return [Reply(text=self._text(language, f"media.{refused.reason}"))]
            incoming = IncomingFile(data=data, declared_mime=item.content_type or None)
            return await self._flow.handle(
                key, Event(kind="file", file=incoming, verified_phone=phone)
            )
        finally:
            # Whatever became of it, the file must not stay at Twilio.
            await self._media.delete(item.url)

    async def _answer(self, message: InboundMessage, replies: list[Reply]) -> None:
        if not replies:
            return
        language = await self._language(message.chat_id)
        blocks: list[str] = []
        numbered: Numbered | None = None
        for reply in replies:
            numbered = Numbered.of(reply)
            hint = ""
            if numbered is not None and reply.multi:
                example = toggle_example(reply, numbered)
                hint = self._text(language, "choice.hint.multi", example=example)
            elif numbered is not None:
                hint = self._text(language, "choice.hint.single")
            blocks.append(render(reply, numbered, hint))
        # A number answers only the list it was sent with: the list of the last message, the
        # question now asked. A message without one leaves no list to answer by number.
        await self._numbered.remember(message.chat_id, numbered)
        # One text for the whole batch: separate messages may reach the phone out of order.
        for n, part in enumerate(split_message("\n\n".join(blocks))):
            result = await self.sender.send(
                message.phone, key=f"reply:{message.message_sid}:{n}", purpose="reply", text=part
            )
            if not result.sent:
                break

    async def _apologize(self, message: InboundMessage) -> None:
        try:
            language = await self._language(message.chat_id)
            await self.sender.send(
                message.phone,
                key=f"reply:{message.message_sid}:error",
                purpose="reply",
                text=self._text(language, "error.internal"),
            )
        except Exception as error:  # noqa: BLE001 - nothing more can be done for this message
            log.error(
                "WhatsApp apology for %s failed: %s", message.message_sid, type(error).__name__
            )

    async def _language(self, chat_id: str) -> str | None:
        async with self._database.session() as session:
            chat = await get_chat(session, Channel.WHATSAPP, chat_id)
        return chat.language if chat is not None else None

    def _text(self, language: str | None, message_id: str, **params: str) -> str:
        if language in LANGUAGES:
            return self._texts.gettext(language, message_id, **params)
        return "\n".join(self._texts.gettext(lang, message_id, **params) for lang in LANGUAGES)


def _without_stale_redraws(replies: list[Reply]) -> list[Reply]:
    """Drop redraws of a multi-choice that a later reply of the same batch supersedes."""
    return [r for i, r in enumerate(replies) if not (r.updates_previous and i < len(replies) - 1)]
