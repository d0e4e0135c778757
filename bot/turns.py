"""One turn of one chat, the same for every channel: ordered, held, applied once, committed.

A channel hands the runner what a user did, with the provider's delivery id:

    async with runner.hold(key):          # one lock per chat (ChatKey)
        event = ...                       # a download may happen here, under the chat's hold
        replies = await runner.run(key, [event], delivery_id="tg:1:42")

`hold` is the only serialization of a chat: within a process the order is fixed when a message
arrives (before anything awaits the network), across replicas the state store's lock gives
exclusion. The chat's transient map is read with the lock and written with its release
(`StateStore.hold`): one round trip each. `run` opens the turn's one session, routes and applies
the events through the conversation, and records the delivery id with what the turn wrote
(`INSERT ... ON CONFLICT DO NOTHING`), so both commit or neither: on PostgreSQL a turn that only
changed columns of the rows it read (a typed answer) is one read and one write statement with no
transaction around them (`storage.repositories.turn_commit`); the notices the turn queued are
stored in the outbox by that transaction, and the publisher (the outbox sender) is woken only
after the commit. A delivery recorded before (a redelivery after a crash, or to another replica)
is not applied again: the user is shown the current question instead.

The replies come back as `TurnReplies`: with them, whether the chat has handed-over replies
the outbox has not finished (read with the turn's rows), so the channel hands these over too
instead of letting them overtake (`bot.reply_order`).
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from redis.exceptions import LockNotOwnedError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply_order import TurnReplies
from core.i18n import LANGUAGES, Translator
from flows.conversation import Conversation
from flows.events import ChatKey, Event
from flows.notifications import DiscardNotices, NoticePublisher, take_notices
from flows.replies import Reply
from flows.turn import STATE_TTL, chat_state_key
from storage.database import Database, is_disconnect
from storage.repositories.chats import chosen_language
from storage.repositories.turn_commit import close_turn
from storage.repositories.turn_rows import load_turn_rows, open_turn
from storage.state import StateStore
from storage.state.chat import ChatState, take_chat_states, use_held_map
from storage.state.held import HeldMap

log = logging.getLogger(__name__)

# How long a replica killed mid-turn blocks its chat. A turn, a 20 MB download or a 30 s
# WhatsApp media fetch included, fits inside it; waiters give up after twice as long.
LOCK_SECONDS = 45.0


class _Redelivered(Exception):  # noqa: N818 - a state, not a failure
    """The delivery was applied before: this turn ends without applying anything."""


class _ConversationFailed(Exception):  # noqa: N818 - carries the conversation's own exception
    """The conversation raised: the turn is rolled back and answered politely."""


Step = Event | Reply  # a Reply step: something the channel decided itself (a refused file)
# The channel's own bookkeeping of a delivery, written in the turn's transaction.
OnRecorded = Callable[[AsyncSession], Awaitable[None]]


async def _flush(states: list[ChatState], held: HeldMap | None) -> None:
    """Write the chats' transient state after the commit, before the replies go out.

    What a reply shows (a toggle ticked, the field being edited) must be stored before the
    applicant sees it: a process killed between the two would leave the state as it was before,
    and the next press would act on that. Losing it altogether costs only a re-ask. A chat held
    through `ChatLocks` has its map written while still held (`HeldMap.save`).
    """
    try:
        for state in states:
            await state.flush()
        if held is not None and not await held.save():
            log.warning("transient state not written: the chat's lock expired")
    except Exception as exc:  # noqa: BLE001 - the turn is committed; its replies go out
        log.warning("transient state not written: %s", type(exc).__name__)


class ChatLocks:
    """One lock per chat: first come, first served within a process; exclusive across replicas."""

    def __init__(self, state: StateStore, *, expires_after: float = LOCK_SECONDS) -> None:
        self._state = state
        self._expires_after = expires_after
        self._tails: dict[ChatKey, asyncio.Future[None]] = {}
        self._maps: dict[ChatKey, HeldMap] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def hold(self, key: ChatKey) -> AsyncIterator[None]:
        """Hold the chat `key` until the block ends; waits for the holders that came before."""
        # Everything up to the first await runs in the order the messages arrived.
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        self._busy += 1
        self._idle.clear()
        try:
            if previous is not None:
                # shield: if this waiter is cancelled, the previous holder must not be.
                await asyncio.shield(previous)
            lock_key = f"chat:{key.channel}:{key.chat_id}"
            async with self._state.hold(
                lock_key, map_key=chat_state_key(key), expires_after=self._expires_after
            ) as held:
                self._maps[key] = held
                try:
                    yield
                finally:
                    del self._maps[key]
        finally:
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    async def renew(self, key: ChatKey) -> None:
        """Give the chat's lock its whole time again, for a hold that runs several turns.

        Raises LockNotOwnedError when the lock expired meanwhile (another replica may hold the
        chat now): the caller must not go on as its holder.
        """
        held = self._maps.get(key)
        if held is not None and not await held.renew():
            raise LockNotOwnedError("the chat's lock expired while it was held")

    def held_map(self, key: ChatKey) -> HeldMap | None:
        """Return the transient map of the chat `key` while this process holds it."""
        return self._maps.get(key)

    def waiting(self, key: ChatKey) -> bool:
        """Return whether someone holds or waits for the chat `key` in this process."""
        return key in self._tails

    async def wait_idle(self) -> None:
        """Return once no chat is held or waited for in this process."""
        await self._idle.wait()


class TurnRunner:
    """Runs the turns of every channel through one conversation (registration or review)."""

    def __init__(
        self,
        *,
        conversation: Conversation,
        database: Database,
        state: StateStore,
        translator: Translator,
        publisher: NoticePublisher | None = None,
        lock_seconds: float = LOCK_SECONDS,
    ) -> None:
        self.conversation = conversation
        self.publisher: NoticePublisher = publisher or DiscardNotices()
        self._database = database
        self._state = state
        self._texts = translator
        self.locks = ChatLocks(state, expires_after=lock_seconds)

    def hold(self, key: ChatKey) -> AbstractAsyncContextManager[None]:
        """Hold the chat `key` (see `ChatLocks.hold`); `run` must be called inside it."""
        return self.locks.hold(key)

    def chat_state(self, key: ChatKey) -> ChatState:
        """Return the chat's transient map for a channel's own values (flush it when done).

        Inside the hold it is the copy read with the lock, and its writes go with the release.
        """
        return ChatState(
            self.locks.held_map(key) or self._state, chat_state_key(key), ttl=STATE_TTL
        )

    def _share_held_map(self, key: ChatKey, info: dict) -> None:
        held = self.locks.held_map(key)
        if held is not None:
            use_held_map(info, held)

    async def run(
        self,
        key: ChatKey,
        steps: Sequence[Step],
        *,
        delivery_id: str | None = None,
        phone: str = "",
        on_recorded: OnRecorded | None = None,
    ) -> TurnReplies:
        """Apply `steps` of one delivery in one transaction and return the replies, in order.

        The caller holds the chat. Never raises for what the user sent: a failure of the
        conversation is rolled back, logged without private data and answered with a polite
        localized 'something went wrong, please repeat'.

        Raises:
            Exception: the database could not record or commit the turn (nothing is applied:
                the channel leaves the delivery unacknowledged, so it comes again).
            asyncio.CancelledError: the turn was cancelled; likewise nothing is recorded.

        Args:
            key: the chat.
            steps: the events of the delivery (a WhatsApp message may carry several), and
                replies the channel decided itself, kept in their place.
            delivery_id: the provider's id of the delivery; None applies it unconditionally.
            phone: the sender's number when the channel proves it, kept with the record.
            on_recorded: run in the turn's transaction before the conversation, so that
                what it writes commits exactly when the turn and its record do (WhatsApp
                deletes the message's parked row so).

        """
        try:
            return await self._run_once(
                key, steps, delivery_id=delivery_id, phone=phone, on_recorded=on_recorded
            )
        except Exception as exc:
            if not is_disconnect(exc):
                raise
            # A pooled connection had died (the server restarted): nothing was committed by
            # it, and the pool has dropped its other stale connections. Once more, afresh.
            log.warning("%s: database connection lost, the turn runs again", key.channel)
            return await self._run_once(
                key, steps, delivery_id=delivery_id, phone=phone, on_recorded=on_recorded
            )

    async def _run_once(
        self,
        key: ChatKey,
        steps: Sequence[Step],
        *,
        delivery_id: str | None,
        phone: str,
        on_recorded: OnRecorded | None,
    ) -> TurnReplies:
        events = [step for step in steps if isinstance(step, Event)]
        hint = events[0].language_hint if events else None
        behind = False
        try:
            async with self._database.session() as session:
                self._share_held_map(key, session.info)
                # A delivery recorded before is not applied again. A second delivery of the
                # same message running now (another replica whose chat lock expired) is
                # caught when the turn records it with its writes (`close_turn`): whichever
                # records it second waits on the row until the first ends, then applies nothing.
                opened = await open_turn(
                    session, key.channel, key.chat_id, delivery_id=delivery_id, phone=phone
                )
                if opened is None:
                    raise _Redelivered
                behind = opened.behind_outbox
                if on_recorded is not None:
                    await on_recorded(session)
                replies: list[Reply] = []
                for step in steps:
                    if isinstance(step, Reply):
                        replies.append(step)
                    else:
                        replies += await self._converse(
                            self.conversation.respond(session, key, step)
                        )
                notices = take_notices(session)
                states = take_chat_states(session.info)
                # The chat's row as the turn left it, read or made by it: no query.
                language = await chosen_language(session, key.channel, key.chat_id)
                if not await close_turn(session):
                    raise _Redelivered
        except _Redelivered:
            log.info("%s: a delivery applied before; the current question is sent", key.channel)
            return await self._resume(key, events, hint)
        except _ConversationFailed as failed:
            if is_disconnect(failed):
                raise failed.__cause__ from None  # not the user's doing: `run` tries again
            return TurnReplies([self._failed(key, failed, hint)], behind_outbox=behind)
        await _flush(states, self.locks.held_map(key))
        await self.publisher.publish(notices)
        return TurnReplies(replies, behind_outbox=behind, language=language)

    async def _resume(self, key: ChatKey, events: list[Event], hint: str | None) -> TurnReplies:
        probe = events[0] if events else Event(kind="unsupported")
        behind = False
        try:
            async with self._database.session() as session:
                self._share_held_map(key, session.info)
                # The chat's rows, and whether its replies must go behind the outbox's.
                behind = await load_turn_rows(session, key.channel, key.chat_id)
                replies = await self._converse(self.conversation.resume(session, key, probe))
                states = take_chat_states(session.info)
                language = await chosen_language(session, key.channel, key.chat_id)
        except _ConversationFailed as failed:
            return TurnReplies([self._failed(key, failed, hint)], behind_outbox=behind)
        await _flush(states, self.locks.held_map(key))
        return TurnReplies(replies, behind_outbox=behind, language=language)

    def _failed(self, key: ChatKey, failed: _ConversationFailed, hint: str | None) -> Reply:
        # Only the exception type and the frames: messages may quote SQL parameters.
        exc = failed.__cause__ or failed
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("turn failed on %s: %s\n%s", key.channel, type(exc).__name__, frames)
        return self._internal_error(hint)

    @staticmethod
    async def _converse(call: Awaitable[list[Reply]]) -> list[Reply]:
        try:
            return await call
        except Exception as exc:  # noqa: BLE001 - the user gets a polite reply, never a trace
            raise _ConversationFailed from exc

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        """Hold the chat and run one event (the terminal shell and tests drive turns so)."""
        async with self.hold(key):
            return await self.run(key, [event], delivery_id=event.delivery_id)

    def _internal_error(self, hint: str | None) -> Reply:
        if hint in LANGUAGES:
            return Reply(self._texts.gettext(hint, "error.internal"))
        return Reply("\n\n".join(self._texts.gettext(lang, "error.internal") for lang in LANGUAGES))
