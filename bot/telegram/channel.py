"""The Telegram channel: the bot, its dispatcher, and how updates come in (polling or webhook)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.methods import DeleteWebhook, SetWebhook
from aiogram.types import Update
from aiohttp import web

from bot.channel import DeliveryResult, HandOver, MessagingChannel
from bot.metrics import inbound
from bot.notifications.pacing import telegram_notice_limit
from bot.telegram.blocking import record_blocked
from bot.telegram.commands import publish_commands
from bot.telegram.conversation import TelegramConversation
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.files import MAX_FILE_BYTES, FileDownloader
from bot.telegram.in_flight import UpdatesInFlight
from bot.telegram.outbound import TelegramOutbound
from bot.telegram.private_only import PrivateChatsOnly
from bot.telegram.ratelimit import RateLimit, SharedRateLimit, TokenBucket
from bot.telegram.render import ReplyRenderer
from bot.telegram.sender import TelegramSender
from bot.telegram.session import build_session
from bot.telegram.webhook import WEBHOOK_PATH, WebhookReceiver, webhook_secret
from bot.turns import TurnRunner
from config.settings import Settings
from core.i18n import Translator
from office.outbound import Outbound
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel
from storage.filestore import FileStore
from storage.state import StateStore

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
POLLING_TIMEOUT = 25  # seconds a getUpdates long poll may wait for news


def rate_limit(
    state: StateStore, sleep: Callable[[float], Awaitable[Any]], *, shared: bool
) -> RateLimit:
    """Return the message rate limit of the bot, shared by the replicas when `shared` (Redis)."""
    if shared:
        return SharedRateLimit(state, sleep=sleep)
    return TokenBucket(sleep=sleep)  # one process: its own bucket is the whole rate


def channel_texts() -> Translator:
    """Load the channel's own texts (command menu, contact button, refusals) in ky and ru."""
    return Translator.load(LOCALE_DIR, "telegram")


class TelegramChannel(MessagingChannel):
    """Receives Telegram updates, passes them to the flow, and sends its replies.

    Build it with `from_settings`, then `mount(app)` before the web server starts, and
    `start()`: with a public base URL it registers the webhook, otherwise it polls. `stop()`
    finishes the updates already accepted and closes the HTTP session. `deliver` sends the
    outbox's messages (`bot.telegram.outbound`), paced by `notice_limit`.
    """

    name = Channel.TELEGRAM

    def __init__(
        self,
        *,
        bot: Bot,
        turns: TurnRunner,
        state: StateStore,
        database: Database,
        secret_box: SecretBox,
        public_base_url: str | None = None,
        texts: Translator | None = None,
        bucket: RateLimit | None = None,
        file_limit: int = MAX_FILE_BYTES,
        polling_timeout: int = POLLING_TIMEOUT,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        bot_username: str | None = None,
        filestore: FileStore | None = None,
        notice_limit: RateLimit | None = None,
        hand_over: HandOver | None = None,
    ) -> None:
        self.bot = bot
        self._just_blocked: set[int] = set()
        self.database = database
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.polling_timeout = polling_timeout
        self.texts = texts or channel_texts()
        self.secret = webhook_secret(secret_box)
        self.sender = TelegramSender(
            bot, on_blocked=self._blocked, bucket=bucket or TokenBucket(sleep=sleep), sleep=sleep
        )
        # Answers to what a user sent go at once; `sender` (rate-limited) is for notices.
        self.replies = self.sender.for_replies()
        self.turns = turns
        self.outbound: TelegramOutbound | None = None
        if filestore is not None:
            limit = notice_limit or TokenBucket(sleep=sleep)
            self.outbound = TelegramOutbound(
                bot, filestore=filestore, limit=limit, texts=self.texts
            )
        conversation = TelegramConversation(
            turns=turns,
            sender=self.replies,
            renderer=ReplyRenderer(self.replies, texts=self.texts),
            downloader=FileDownloader(self.replies, limit=file_limit),
            texts=self.texts,
            database=database,
            hand_over=hand_over,
            blocked=self._was_blocked,
        )
        private_only = PrivateChatsOnly(
            sender=self.replies, texts=self.texts, state=state, username=bot_username
        )
        self.in_flight = UpdatesInFlight()
        self.dispatcher: Dispatcher = build_dispatcher(
            conversation, private_only=private_only, in_flight=self.in_flight
        )
        self.webhook = WebhookReceiver(secret=self.secret, feed=self.feed_raw_update)
        self._polling_task: asyncio.Task[None] | None = None
        self._stopped = False
        self._polling_started = asyncio.Event()
        self.dispatcher.startup.register(self._on_polling_startup)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        turns: TurnRunner,
        state: StateStore,
        database: Database,
        secret_box: SecretBox,
        **options: Any,
    ) -> TelegramChannel:
        """Build the channel from TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL and PUBLIC_BASE_URL."""
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        bot = Bot(
            settings.telegram_bot_token.get_secret_value(),
            session=build_session(settings.telegram_api_url),
        )
        return cls(
            bot=bot,
            turns=turns,
            state=state,
            database=database,
            secret_box=secret_box,
            public_base_url=settings.public_base_url,
            bucket=options.pop("bucket", None)
            or rate_limit(
                state, options.get("sleep", asyncio.sleep), shared=bool(settings.redis_url)
            ),
            bot_username=settings.telegram_bot_username,
            **options,
        )

    @property
    def webhook_url(self) -> str | None:
        return f"{self.public_base_url}{WEBHOOK_PATH}" if self.public_base_url else None

    def mount(self, app: web.Application) -> None:
        """Add `POST /webhooks/telegram` to `app` (harmless when polling: the secret guards it)."""
        self.webhook.register(app, path=WEBHOOK_PATH)

    async def start(self) -> None:
        """Publish the command menu, then register the webhook or start polling."""
        await publish_commands(self.sender, self.texts)
        if self.webhook_url:
            await self.set_webhook()
        else:
            await self.start_polling()

    async def set_webhook(self) -> None:
        """Point Telegram at our webhook, keeping the updates that are still pending."""
        if not self.webhook_url:
            raise ValueError("PUBLIC_BASE_URL is not set")
        await self.sender.call(
            SetWebhook(
                url=self.webhook_url,
                secret_token=self.secret,
                drop_pending_updates=False,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        )

    async def start_polling(self) -> None:
        """Poll getUpdates in a background task; return once polling runs."""
        # getUpdates is refused while a webhook is set (e.g. left by an earlier deployment).
        await self.sender.call(DeleteWebhook(drop_pending_updates=False))
        self._polling_started.clear()
        task = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=self.polling_timeout,
            )
        )
        self._polling_task = task
        started = asyncio.create_task(self._polling_started.wait())
        await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            started.cancel()
            task.result()  # polling could not start: raise why

    async def feed_raw_update(self, raw: dict[str, Any]) -> bool:
        """Handle one update as Telegram sent it (the webhook path); True once it is done."""
        try:
            update = Update.model_validate(raw, context={"bot": self.bot})
        except ValueError:
            log.warning("telegram: an update that does not parse was dropped")
            inbound(Channel.TELEGRAM, "dropped")
            return True
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as exc:  # noqa: BLE001 - one bad update must not stop the others
            log.error("telegram: update %s failed: %s", update.update_id, type(exc).__name__)
            inbound(Channel.TELEGRAM, "failed")
        return True

    async def wait_idle(self) -> None:
        """Return once every update accepted so far has been handled."""
        await self.webhook.drain()
        await self.in_flight.wait_idle()
        await self.turns.locks.wait_idle()

    async def stop(self) -> None:
        """Stop taking updates, finish the ones in progress, close the HTTP session."""
        if self._stopped:
            return
        self._stopped = True
        if self._polling_task is not None and not self._polling_task.done():
            await self.dispatcher.stop_polling()
        if self._polling_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling_task
            self._polling_task = None
        await self.wait_idle()
        await self.bot.session.close()

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        """Send one of the outbox's messages (see `bot.channel.MessagingChannel.deliver`)."""
        if self.outbound is None:
            raise RuntimeError("the channel was built without a file store: it cannot deliver")
        return await self.outbound.deliver(message, parts_sent=parts_sent)

    async def _on_polling_startup(self) -> None:
        self._polling_started.set()

    async def _blocked(self, chat_id: int) -> None:
        self._just_blocked.add(chat_id)
        await record_blocked(self.database, chat_id)

    def _was_blocked(self, chat_id: int) -> bool:
        """Whether sending to `chat_id` just failed because the user blocked the bot."""
        if chat_id in self._just_blocked:
            self._just_blocked.discard(chat_id)
            return True
        return False


def telegram_channel(runtime: Runtime, turns: TurnRunner) -> TelegramChannel | None:
    """Return the process's Telegram channel, or None when TELEGRAM_BOT_TOKEN is not set."""
    if not runtime.settings.telegram_enabled:
        return None
    return TelegramChannel.from_settings(
        runtime.settings,
        turns=turns,
        state=runtime.state,
        database=runtime.database,
        secret_box=runtime.secret_box,
        filestore=runtime.filestore,
        notice_limit=telegram_notice_limit(runtime.state, shared=runtime.shared_state),
        hand_over=runtime.outbox.hand_over if runtime.outbox is not None else None,
    )
