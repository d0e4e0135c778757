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

Twilio gives up on a webhook after 15 s, so a turn not committed within `ANSWER_WITHIN` (its
chat still held by a replica that died, a slow media download) is answered early, but only
once the message is stored durably ("parked", `bot.whatsapp.parking`); when it cannot be
stored, Twilio is answered 503 and posts it again. The turn deletes the parked row in its own
transaction. A process killed before that commit leaves the row to the sweep of a live process
(every replica sweeps at start and every 15 s), which runs the message through this same turn
once the dead process's lease ran out (20 s; `bot.whatsapp.parked_turns`). A parked message
whose turn fails in the process running it is removed and the applicant asked to send it
again, as is one whose processes died with it four times (the one that parked it and three
that took it over).

Order per chat: within a process, messages are applied in arrival order, parked or not. A
later message of a chat with parked messages of a dead process runs them first, under its own
hold; while a parked message is leased by another process (alive, or dead less than 20 s), a
later message waits for it up to that lease, then goes first.

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
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from aiohttp import web
from redis.exceptions import LockNotOwnedError

from bot.channel import DeliveryResult, HandOver, MessagingChannel
from bot.metrics import turn_finished
from bot.reply_order import answer_in_order, behind_outbox
from bot.turns import Step, TurnRunner
from bot.whatsapp.accepted import Accepted
from bot.whatsapp.bookkeeping import MessageBookkeeping
from bot.whatsapp.exceptions import MediaRefused
from bot.whatsapp.inbound import InboundMessage, MediaItem, text_event, unsupported_kind
from bot.whatsapp.media import TwilioMedia
from bot.whatsapp.numbering import Numbered, NumberedMemory
from bot.whatsapp.outbound import WhatsAppOutbound
from bot.whatsapp.parked_turns import ParkedTurns
from bot.whatsapp.parking import MAX_ATTEMPTS, Parking, Sweeper
from bot.whatsapp.render import render, split_message, toggle_example
from bot.whatsapp.sender import WhatsAppSender
from core.i18n import LANGUAGES, Translator
from flows.events import ChatKey, Event, IncomingFile
from flows.replies import Reply
from office.outbound import Outbound
from storage.database import Database
from storage.enums import Channel
from storage.repositories.chats import chosen_language
from storage.state import StateStore
from storage.state.chat import ChatState

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
        self._parking = Parking(database, owner=self._process_key)
        self._parked = ParkedTurns(
            parking=self._parking,
            turns=turns,
            turn=self._turn,
            failed=self._failed,
            spawn=self._spawn,
        )
        self._sweeper = Sweeper(self._parking, self._parked.replay)

    async def receive(self, message: InboundMessage) -> bool:
        """Run `message` as a turn; return once it is committed, refused, or parked.

        Returns False when the message was refused for a burst on its chat. Raises when the
        turn could not be recorded, nor the message parked (the webhook then answers 503 and
        Twilio retries).
        """
        if self._waiting.get(message.chat_id, 0) >= self._max_waiting:
            await self._slow_down(message)
            return False
        accepted = Accepted(message, asyncio.get_running_loop().create_future())
        self._start(accepted)
        # wait() never cancels: a webhook Twilio gave up on leaves the turn to finish.
        await asyncio.wait(
            {accepted.applied, accepted.task}, timeout=ANSWER_WITHIN, return_when="FIRST_COMPLETED"
        )
        if accepted.applied.done():
            accepted.applied.result()  # raises when the turn could not be recorded
            return True
        # Not committed in time: Twilio will not post it again once answered, so it is stored
        # first. Set before any await: the turn, ending meanwhile, must see it parked.
        accepted.parking = asyncio.ensure_future(
            self._parking.park(message, received_at=accepted.received_at)
        )
        await asyncio.shield(accepted.parking)  # raises when it could not be stored
        if accepted.task is not None and accepted.task.done():
            self._parking.finished(message.message_sid)  # stored after its turn ended
        return True

    async def sweep(self) -> int:
        """Run again the parked messages of processes that died; return how many chats have some."""
        return await self._sweeper.sweep()

    def _start(self, accepted: Accepted) -> None:
        accepted.task = self._spawn(self._process(accepted, started=time.perf_counter()))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` as a task that `drain` waits for."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

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
        """Sweep for parked messages of dead processes, at once and then now and again.

        Twilio calls the webhooks once the server listens: nothing else to start.
        """
        self._sweeper.start()

    async def stop(self) -> None:
        """Finish the messages already accepted (a parked one left is run by another process).

        The sweeps stop first, the leases are renewed until the last message is done: a
        message still waiting for its chat must not look abandoned to another replica.
        """
        self._sweeper.stop_sweeping()
        await self.drain()
        await self._sweeper.stop()

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        """Send one of the outbox's messages (see `bot.channel.MessagingChannel.deliver`)."""
        if self.outbound is None:
            raise RuntimeError("the channel was built without its outbound side")
        return await self.outbound.deliver(message, parts_sent=parts_sent)

    async def _process(self, accepted: Accepted, *, started: float) -> None:
        message = accepted.message
        key = ChatKey(Channel.WHATSAPP, message.chat_id)
        self._waiting[message.chat_id] = self._waiting.get(message.chat_id, 0) + 1
        try:
            async with self.turns.hold(key):
                await self._parked.run_before(message.chat_id)
                await self._turn(accepted)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            await self._failed(accepted, error)
        finally:
            self._waiting[message.chat_id] -= 1
            if not self._waiting[message.chat_id]:
                del self._waiting[message.chat_id]
            if not accepted.applied.done():
                accepted.applied.cancel()
            if accepted.parking is not None:
                self._parking.finished(message.message_sid)
        turn_finished(Channel.WHATSAPP, accepted.outcome, started, turn_id=message.message_sid)

    async def _turn(self, accepted: Accepted) -> None:
        """Apply and answer one message; the caller holds its chat. Raises what went wrong."""
        message = accepted.message
        accepted.turn_started = True
        if accepted.attempts > MAX_ATTEMPTS:
            await self._give_up(accepted)
            return
        await self.sender.note_inbound(message.phone)
        # The chat's transient map, read with its hold: the numbered list last shown.
        state = self.turns.chat_state(ChatKey(Channel.WHATSAPP, message.chat_id))
        try:
            steps = await self._steps(message, state)
            # A message parked already leaves its row in the turn's transaction: applied and
            # no longer parked commit together. One parked later than this is removed below.
            removal = None
            if accepted.parking is not None:
                removal = self._parking.removal(message.message_sid)
            replies = await self.turns.run(
                ChatKey(Channel.WHATSAPP, message.chat_id),
                steps,
                delivery_id=message.message_sid,
                phone=message.phone,
                on_recorded=removal,
            )
        finally:
            await self._delete_media(message)
        accepted.committed = True
        if not accepted.applied.done():  # else Twilio was answered already (ANSWER_WITHIN)
            accepted.applied.set_result(None)
        if accepted.parking is not None and await _stored(accepted.parking):
            # Again, for a message parked while the turn ran, and for a conversation that
            # failed (its transaction rolled back, the removal with it; the reply apologizes).
            await self._parking.remove(message.message_sid)
        await self._answer(
            message,
            _without_stale_redraws(replies),
            behind=behind_outbox(replies),
            state=state,
            language=replies.language,
        )
        await state.flush()  # staged: written with the chat's release
        accepted.answered = True

    async def _failed(self, accepted: Accepted, error: Exception) -> None:
        message = accepted.message
        if accepted.answered:
            # Releasing the chat failed (its lock expired, or the state store was lost): the
            # message was applied and answered. An apology would ask the applicant to repeat
            # an answer already taken, and the repeat would answer the next question.
            log.warning(
                "WhatsApp message %s: the chat's hold was lost before its end: %s",
                message.message_sid,
                type(error).__name__,
            )
            return
        # The type and the frames only: messages of database errors can quote user data.
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error(
            "WhatsApp message %s failed: %s\n%s",
            message.message_sid,
            type(error).__name__,
            frames,
        )
        accepted.outcome = "failed"
        if accepted.committed:
            # Applied, only its reply failed: asking to repeat the answer would have the
            # repeat answer the next question; the next message is answered.
            return
        if accepted.parking is None:
            if not accepted.applied.done():
                accepted.applied.set_exception(error)  # not acknowledged: Twilio retries
            return
        if not await _stored(accepted.parking):
            return  # Twilio was answered 503 and brings it again
        if isinstance(error, LockNotOwnedError) and not accepted.turn_started:
            # The chat was lost before this message's turn began: nothing of it ran. Parked,
            # its lease lapses and the chat's next holder runs it in its place.
            return
        # Acknowledged and not applied: asked to send it again, once it is sure not to be
        # applied later (else a sweep runs it after its lease, and it is applied then).
        await self._withdraw(message)

    async def _give_up(self, accepted: Accepted) -> None:
        message = accepted.message
        log.warning(
            "WhatsApp parked message %s given up after %d attempts",
            message.message_sid,
            accepted.attempts,
        )
        accepted.outcome = "failed"
        await self._withdraw(message)

    async def _withdraw(self, message: InboundMessage) -> None:
        """Remove a parked message that will not be applied; ask the applicant to send it again.

        Only the process whose removal took the row does the rest, so the applicant is asked
        once. Its files are deleted at Twilio, as its turn would have done had it been applied.
        """
        if await self._parking.remove(message.message_sid):
            await self._delete_media(message)
            await self._apologize(message)

    async def _steps(self, message: InboundMessage, state: ChatState) -> list[Step]:
        """Return the events of `message` in order, with replies for files refused on the way."""
        phone = message.phone
        steps: list[Step] = []
        for item in message.media:
            steps.append(await self._media_step(message, item))
        if message.is_location:
            steps.append(Event(kind="unsupported", unsupported="location", verified_phone=phone))
        if message.body.strip() and not message.media:
            numbered = await self._numbered.recall(state)
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
        self,
        message: InboundMessage,
        replies: list[Reply],
        *,
        behind: bool = False,
        state: ChatState,
        language: str | None = None,
    ) -> None:
        if not replies:
            return
        if language is None:  # the turn did not say (it failed, or the chat chose none yet)
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
        self._numbered.remember(state, numbered)
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
            return await chosen_language(session, Channel.WHATSAPP, chat_id)

    def _text(self, language: str | None, message_id: str, **params: str) -> str:
        if language in LANGUAGES:
            return self._texts.gettext(language, message_id, **params)
        return "\n".join(self._texts.gettext(lang, message_id, **params) for lang in LANGUAGES)


async def _stored(parking: asyncio.Future[None]) -> bool:
    """Whether the parked row was stored (waiting for the insert still under way)."""
    try:
        await asyncio.shield(parking)
    except Exception:  # noqa: BLE001 - the webhook answered 503 for it
        return False
    return True


def _without_stale_redraws(replies: list[Reply]) -> list[Reply]:
    """Drop redraws of a multi-choice that a later reply of the same batch supersedes."""
    return [r for i, r in enumerate(replies) if not (r.updates_previous and i < len(replies) - 1)]
