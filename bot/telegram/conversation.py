"""The bridge between Telegram updates and the flow: event in, replies rendered out.

Every message and button press of a chat becomes one turn of `bot.turns.TurnRunner`, carrying
the update's id: the chat is held from the moment the update arrives (its order is fixed then)
until its replies are sent, and the turn is applied once however often Telegram delivers it. A
button press is answered before anything else (Telegram reports late answers as too old and
keeps the button spinning). A failure is logged without private data and answered politely
in the user's language; it never reaches the user as a trace, and never as silence.

Replies Telegram still refuses after the sender's retries go to the outbox, and while they
wait there the chat's later replies follow them through it (`bot.reply_order`).
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable, Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update

from bot.channel import HandOver
from bot.metrics import turn_finished
from bot.reply_order import answer_in_order, behind_outbox
from bot.telegram.blocking import record_blocked, record_unblocked
from bot.telegram.events import callback_event, message_event
from bot.telegram.exceptions import FileRefused
from bot.telegram.files import FileDownloader
from bot.telegram.language import chat_language, language_from_hint
from bot.telegram.render import Pressed, ReplyRenderer
from bot.telegram.sender import TelegramSender
from bot.turns import Step, TurnRunner
from core.i18n import LANGUAGES, Translator
from flows.events import ChatKey
from flows.replies import Reply
from storage.database import Database
from storage.enums import Channel

log = logging.getLogger(__name__)


def _key(chat_id: int) -> ChatKey:
    return ChatKey(Channel.TELEGRAM, str(chat_id))


def delivery_id(update: Update, bot_id: int) -> str:
    """Return the id a turn records for `update`: unique per bot, stable across redeliveries."""
    return f"tg:{bot_id}:{update.update_id}"


class TelegramConversation:
    """The handlers of the channel's router."""

    def __init__(
        self,
        *,
        turns: TurnRunner,
        sender: TelegramSender,
        renderer: ReplyRenderer,
        downloader: FileDownloader,
        texts: Translator,
        database: Database,
        hand_over: HandOver | None = None,
        blocked: Callable[[int], bool] | None = None,
    ) -> None:
        self._hand_over = hand_over
        self._blocked = blocked or (lambda _chat_id: False)
        self._turns = turns
        self._sender = sender
        self._renderer = renderer
        self._downloader = downloader
        self._texts = texts
        self._database = database

    async def on_message(self, message: Message, event_update: Update, bot: Bot) -> None:
        started = time.perf_counter()
        chat_id = message.chat.id
        hint = message.from_user.language_code if message.from_user else None
        delivery = delivery_id(event_update, bot.id)
        # Held from arrival: the download happens in the chat's order, outside the transaction.
        async with self._turns.hold(_key(chat_id)):
            try:
                event = await message_event(message, downloader=self._downloader)
            except FileRefused as refusal:
                # Answered through a turn like any reply: in the chat's order, behind replies
                # still waiting in the outbox, and once however often Telegram delivers it.
                refused = Reply(await self._text(chat_id, refusal.message_id, hint))
                await self._run(chat_id, [refused], hint, delivery, what="file", started=started)
                return
            except Exception as exc:  # noqa: BLE001 - the user gets an answer whatever failed
                await self._failed(chat_id, exc, hint, what="message")
                _observe(started, "failed", delivery)
                return
            await self._run(chat_id, [event], hint, delivery, what=event.kind, started=started)

    async def on_callback(self, query: CallbackQuery, event_update: Update, bot: Bot) -> None:
        started = time.perf_counter()
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        async with self._turns.hold(_key(chat_id)):
            try:
                await self._sender.call(AnswerCallbackQuery(callback_query_id=query.id))
            except TelegramBadRequest:
                pass  # "query is too old": the press still counts
            pressed = None
            if isinstance(message, Message):  # an InaccessibleMessage cannot be edited
                pressed = Pressed(message_id=message.message_id, text=message.text)
            hint = query.from_user.language_code
            delivery = delivery_id(event_update, bot.id)
            event = callback_event(query)
            await self._run(
                chat_id, [event], hint, delivery, pressed, what=event.kind, started=started
            )

    async def on_member_update(self, update: ChatMemberUpdated) -> None:
        """Keep `LinkedChat.blocked_at` in step with the user blocking/restarting the bot."""
        if update.chat.type != "private":
            return
        status = update.new_chat_member.status
        async with self._turns.hold(_key(update.chat.id)):
            if status == "kicked":
                await record_blocked(self._database, update.chat.id)
            elif status == "member":
                await record_unblocked(self._database, update.chat.id)

    async def _run(
        self,
        chat_id: int,
        steps: Sequence[Step],
        hint: str | None,
        delivery: str | None,
        pressed: Pressed | None = None,
        *,
        what: str,
        started: float,
    ) -> None:
        try:
            replies = await self._turns.run(_key(chat_id), steps, delivery_id=delivery)

            async def language() -> str:
                if replies.language in LANGUAGES:
                    return replies.language
                return await chat_language(self._database, chat_id, hint=hint)

            state = self._turns.chat_state(_key(chat_id))

            async def send(batch: Sequence[Reply]) -> list[Reply]:
                return await self._renderer.render(
                    chat_id, batch, language=language, state=state, pressed=pressed
                )

            async def hand_over(batch: Sequence[Reply]) -> None:
                if self._hand_over is None or self._blocked(chat_id):
                    return  # a chat that blocked the bot during the send receives nothing
                await self._hand_over(
                    Channel.TELEGRAM,
                    str(chat_id),
                    batch,
                    key=f"reply:{delivery or uuid.uuid4().hex}",
                    language=await language(),
                )

            await answer_in_order(
                replies,
                behind=behind_outbox(replies),
                send=send,
                hand_over=hand_over if self._hand_over is not None else None,
            )
            await state.flush()
        except Exception as exc:  # noqa: BLE001 - the user gets an answer whatever failed
            await self._failed(chat_id, exc, hint, what=what)
            _observe(started, "failed", delivery)
        else:
            _observe(started, "handled", delivery)

    async def _failed(self, chat_id: int, exc: Exception, hint: str | None, *, what: str) -> None:
        # The exception's text may quote what the user sent (a database error carries its
        # parameters), so only its type and where it happened are logged.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("telegram %s failed: %s\n%s", what, type(exc).__name__, frames)
        try:
            await self._say(chat_id, "error.internal", hint)
        except Exception as again:  # noqa: BLE001 - nothing more can be done for this update
            log.error("telegram: could not apologize either: %s", type(again).__name__)

    async def _say(self, chat_id: int, message_id: str, hint: str | None) -> None:
        text = await self._text(chat_id, message_id, hint)
        await self._sender.call(SendMessage(chat_id=chat_id, text=text), chat_id=chat_id)

    async def _text(self, chat_id: int, message_id: str, hint: str | None) -> str:
        """Return the channel's text `message_id` in the chat's language (else the hint's)."""
        try:
            lang = await chat_language(self._database, chat_id, hint=hint)
        except Exception as exc:  # noqa: BLE001 - the database may be what failed
            log.warning("telegram: chat language unknown (%s)", type(exc).__name__)
            lang = language_from_hint(hint)
        return self._texts.gettext(lang, message_id)


def _observe(started: float, outcome: str, delivery: str | None) -> None:
    turn_finished(Channel.TELEGRAM, outcome, started, turn_id=delivery)
