"""The WhatsApp channel: inbound messages become turns of the runner, replies go back as text.

A webhook hands each message to `WhatsAppChannel.receive`. The message becomes one turn of
`bot.turns.TurnRunner`: the chat is held from arrival (one message after another, in arrival
order), its media are downloaded, and its events are applied in one transaction that also
records the MessageSid. Twilio is answered once that transaction has committed: a process
killed before then leaves the message unacknowledged (Twilio delivers it again), and a repeated
MessageSid is never applied twice (the user sees the current question instead). The replies
are sent while the chat is still held, so they keep their order across messages. Replies
Twilio still refuses after the sender's retries go to the outbox, and while they wait there
the chat's later replies follow them through it (`bot.reply_order`).

A burst on one chat beyond `MAX_WAITING` messages waiting in this process is refused at the
edge: nothing of it is applied, and the sender is told once to slow down and send it again.

As a `bot.channel.MessagingChannel` it also delivers the outbox's messages
(`bot.whatsapp.outbound`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Sequence

from aiohttp import web

from bot.channel import DeliveryResult, HandOver, MessagingChannel
from bot.metrics import turn_finished
from bot.reply_order import answer_in_order, behind_outbox
from bot.turns import Step, TurnRunner
from bot.whatsapp.bookkeeping import MessageBookkeeping
from bot.whatsapp.exceptions import MediaRefused
from bot.whatsapp.inbound import InboundMessage, MediaItem, text_event, unsupported_kind
from bot.whatsapp.media import TwilioMedia
from bot.whatsapp.numbering import Numbered, NumberedMemory
from bot.whatsapp.outbound import WhatsAppOutbound
from bot.whatsapp.render import render, split_message, toggle_example
from bot.whatsapp.sender import WhatsAppSender
from core.i18n import LANGUAGES, Translator
from flows.events import ChatKey, Event, IncomingFile
from flows.replies import Reply
from office.outbound import Outbound
from storage.database import Database
from storage.enums import Channel
from storage.repositories.chats import get_chat
from storage.state import StateStore

log = logging.getLogger(__name__)


# Twilio waits 15 s for the webhook's answer; a turn longer than this (a slow media download)
# is acknowledged before its commit and goes on in the background.
ANSWER_WITHIN = 10.0
# Messages of one chat held or waiting in this process; beyond it a message is refused. Far
# above what a person types (an album is at most 10 items, one message each).
MAX_WAITING = 30
SLOW_DOWN_SECONDS = 60.0  # the "slow down" message is sent once per this many seconds


class WhatsAppChannel(MessagingChannel):
    """Receives WhatsApp messages, runs them as turns and sends the replies."""

    name = Channel.WHATSAPP

    def __init__(
        self,
        *,
        turns: TurnRunner,
        sender: WhatsAppSender,
        media: TwilioMedia,
        bookkeeping: MessageBookkeeping,
        state: StateStore,
        database: Database,
        texts: Translator,
        max_waiting: int = MAX_WAITING,
        outbound: WhatsAppOutbound | None = None,
        auth_token: str = "",
        public_base_url: str | None = None,
        extra_routes: Callable[[web.Application], None] | None = None,
        hand_over: HandOver | None = None,
    ) -> None:
        self.sender = sender
        self.outbound = outbound
        self._auth_token = auth_token
        self._public_base_url = public_base_url
        self._extra_routes = extra_routes
        self._hand_over = hand_over
        self.bookkeeping = bookkeeping
        self.turns = turns
        self._media = media
        self._state = state
        self._database = database
        self._texts = texts
        self._numbered = NumberedMemory(state)
        self._max_waiting = max_waiting
        self._waiting: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Replies are keyed by message and by process. Within a process a message's replies
        # go out once; a message posted again after this process died is answered anew (the
        # current question), since a reply the dead process had reserved may never have
        # reached Twilio, and its key must not silence the answer to the redelivery.
        self._process_key = uuid.uuid4().hex[:12]

    async def receive(self, message: InboundMessage) -> bool:
        """Run `message` as a turn; return once it is committed (or refused, or still running).

        Returns False when the message was refused for a burst on its chat. Raises when the
        turn could not be recorded at all (the webhook then answers 503 and Twilio retries).
        """
        if self._waiting.get(message.chat_id, 0) >= self._max_waiting:
            await self._slow_down(message)
            return False
        applied: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._process(message, applied, started=time.perf_counter()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        # wait() never cancels: a webhook Twilio gave up on leaves the turn to finish.
        await asyncio.wait({applied, task}, timeout=ANSWER_WITHIN, return_when="FIRST_COMPLETED")
        if applied.done():
            applied.result()  # raises when the turn could not be recorded
        else:
            # Answered before the commit: Twilio will not bring it again if the turn fails.
            applied.cancel()
        return True

    async def drain(self) -> None:
        """Wait until every accepted message has been processed (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def mount(self, app: web.Application) -> None:
        """Serve the webhooks (and the photo links Twilio fetches) on `app`."""
        # Imported here: the webhooks module names this class for its application key.
        from bot.whatsapp.webhooks import setup_whatsapp

        setup_whatsapp(
            app, self, auth_token=self._auth_token, public_base_url=self._public_base_url
        )
        if self._extra_routes is not None:
            self._extra_routes(app)

    async def start(self) -> None:
        """Nothing to start: Twilio calls the webhooks once the server listens."""

    async def stop(self) -> None:
        """Finish the messages already accepted."""
        await self.drain()

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        """Send one of the outbox's messages (see `bot.channel.MessagingChannel.deliver`)."""
        if self.outbound is None:
            raise RuntimeError("the channel was built without its outbound side")
        return await self.outbound.deliver(message, parts_sent=parts_sent)

    async def _process(
        self, message: InboundMessage, applied: asyncio.Future[None], *, started: float
    ) -> None:
        key = ChatKey(Channel.WHATSAPP, message.chat_id)
        outcome = "handled"
        self._waiting[message.chat_id] = self._waiting.get(message.chat_id, 0) + 1
        committed = answered = False
        try:
            async with self.turns.hold(key):
                await self.sender.note_inbound(message.phone)
                try:
                    steps = await self._steps(message)
                    replies = await self.turns.run(
                        key, steps, delivery_id=message.message_sid, phone=message.phone
                    )
                finally:
                    await self._delete_media(message)
                committed = True
                if not applied.done():  # else Twilio was answered already (ANSWER_WITHIN)
                    applied.set_result(None)
                await self._answer(
                    message, _without_stale_redraws(replies), behind=behind_outbox(replies)
                )
                answered = True
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            if answered:
                # Releasing the chat failed (its lock expired, or the state store was lost):
                # the message was applied and answered. An apology would ask the applicant
                # to repeat an answer already taken, and the repeat would answer the next
                # question.
                log.warning(
                    "WhatsApp message %s: the chat's hold was lost before its end: %s",
                    message.message_sid,
                    type(error).__name__,
                )
            else:
                # The type and the frames only: messages of database errors can quote user data.
                frames = "".join(traceback.format_tb(error.__traceback__))
                log.error(
                    "WhatsApp message %s failed: %s\n%s",
                    message.message_sid,
                    type(error).__name__,
                    frames,
                )
                outcome = "failed"
                if not committed and not applied.done():
                    applied.set_exception(error)
                    return  # not acknowledged: Twilio's retry brings it again
                if not committed:
                    # Acknowledged before the commit, and not applied: asked to send it again.
                    await self._apologize(message)
                # Else it was applied and only its reply failed: asking to repeat the answer
                # would have the repeat answer the next question; the next message is answered.
        finally:
            self._waiting[message.chat_id] -= 1
            if not self._waiting[message.chat_id]:
                del self._waiting[message.chat_id]
            if not applied.done():
                applied.cancel()
        turn_finished(Channel.WHATSAPP, outcome, started, turn_id=message.message_sid)

    async def _steps(self, message: InboundMessage) -> list[Step]:
        """Return the events of `message` in order, with replies for files refused on the way."""
        phone = message.phone
        steps: list[Step] = []
        for item in message.media:
            steps.append(await self._media_step(message, item))
        if message.is_location:
            steps.append(Event(kind="unsupported", unsupported="location", verified_phone=phone))
        if message.body.strip() and not message.media:
            numbered = await self._numbered.recall(message.chat_id)
            picked = numbered.resolve(message.body) if numbered else None
            if picked:
                steps += [Event(kind="choice", choice=o, verified_phone=phone) for o in picked]
            else:
                steps.append(text_event(message.body, phone=phone))
        if not message.media and not message.is_location and not message.body.strip():
            steps.append(Event(kind="unsupported", unsupported="other", verified_phone=phone))
        return steps

    async def _media_step(self, message: InboundMessage, item: MediaItem) -> Step:
        phone = message.phone
        kind = unsupported_kind(item.content_type)
        if kind is not None:
            return Event(kind="unsupported", unsupported=kind, verified_phone=phone)
        try:
            data = await self._media.download(item.url)
        except MediaRefused as refused:
            language = await self._language(message.chat_id)
            return Reply(text=self._text(language, f"media.{refused.reason}"))
        incoming = IncomingFile(data=data, declared_mime=item.content_type or None)
        return Event(kind="file", file=incoming, verified_phone=phone)

    async def _delete_media(self, message: InboundMessage) -> None:
        # Whatever became of them, the files must not stay at Twilio.
        for item in message.media:
            await self._media.delete(item.url)

    async def _slow_down(self, message: InboundMessage) -> None:
        log.info("WhatsApp: a burst on one chat refused at the edge")
        if not await self._state.mark_once(
            f"whatsapp:slow-down:{message.chat_id}", ttl=SLOW_DOWN_SECONDS
        ):
            return
        language = await self._language(message.chat_id)
        await self.sender.send(
            message.phone,
            key=f"reply:{message.message_sid}:slow",
            purpose="reply",
            replying=True,
            text=self._text(language, "error.too_fast"),
        )

    async def _answer(
        self, message: InboundMessage, replies: list[Reply], *, behind: bool = False
    ) -> None:
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
        parts = [Reply(text) for text in split_message("\n\n".join(blocks))]
        key = f"reply:{message.message_sid}:{self._process_key}"

        async def send(batch: Sequence[Reply]) -> Sequence[Reply]:
            for n, part in enumerate(batch):
                result = await self.sender.send(
                    message.phone, key=f"{key}:{n}", purpose="reply", replying=True, text=part.text
                )
                if not result.sent:
                    # Refused for now to the end of the retries (429/5xx): the outbox tries
                    # again. Refused for good (an invalid number): the rest is not sent.
                    return batch[n:] if result.retryable else []
            return []

        async def hand_over(batch: Sequence[Reply]) -> None:
            assert self._hand_over is not None  # noqa: S101 - passed only with one
            await self._hand_over(
                Channel.WHATSAPP, message.chat_id, batch, key=key, language=language or "ky"
            )

        await answer_in_order(
            parts,
            behind=behind,
            send=send,
            hand_over=hand_over if self._hand_over is not None else None,
        )

    async def _apologize(self, message: InboundMessage) -> None:
        try:
            language = await self._language(message.chat_id)
            await self.sender.send(
                message.phone,
                key=f"reply:{message.message_sid}:error",
                purpose="reply",
                replying=True,
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
