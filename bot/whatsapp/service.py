"""The WhatsApp channel's long-lived parts, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.notifications.media import MediaLinks, mount_media
from bot.notifications.pacing import notice_rate_limit
from bot.turns import TurnRunner
from bot.whatsapp.bookkeeping import MessageBookkeeping
from bot.whatsapp.channel import WhatsAppChannel
from bot.whatsapp.client import RebasedHttpClient, build_client
from bot.whatsapp.media import TwilioMedia
from bot.whatsapp.notifier import WhatsAppCredentialsNotifier
from bot.whatsapp.numbering import NumberedMemory
from bot.whatsapp.outbound import WhatsAppOutbound
from bot.whatsapp.retry import Backoff
from bot.whatsapp.sender import SendResult, Template, WhatsAppSender
from bot.whatsapp.templates import parse_template_sids, template_for
from bot.whatsapp.webhooks import STATUS_PATH, setup_whatsapp
from config.settings import Settings
from core.i18n import Translator
from storage.database import Database
from storage.state import StateStore

if TYPE_CHECKING:
    from bot.runtime import Runtime

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@dataclass
class WhatsApp:
    """Sender, media access and notifier sharing one Twilio client."""

    http: RebasedHttpClient
    bookkeeping: MessageBookkeeping
    sender: WhatsAppSender
    media: TwilioMedia
    notifier: WhatsAppCredentialsNotifier
    texts: Translator
    database: Database
    state: StateStore
    auth_token: str
    public_base_url: str | None
    notification_sids: dict[str, str]

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        database: Database,
        state: StateStore,
        backoff: Backoff | None = None,
    ) -> WhatsApp:
        """Build the channel's parts; call only when `settings.whatsapp_enabled`."""
        if not settings.whatsapp_enabled:
            raise ValueError(
                "WhatsApp needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM"
            )
        assert settings.twilio_auth_token is not None  # noqa: S101 - checked just above
        auth_token = settings.twilio_auth_token.get_secret_value()
        client, http = build_client(
            account_sid=settings.twilio_account_sid or "",
            auth_token=auth_token,
            api_url=settings.twilio_api_url,
        )
        public = settings.public_base_url.rstrip("/") if settings.public_base_url else None
        bookkeeping = MessageBookkeeping(database)
        sender = WhatsAppSender(
            client=client,
            bookkeeping=bookkeeping,
            state=state,
            from_number=settings.twilio_whatsapp_from or "",
            # Twilio can only call back a public URL; without one, statuses are not tracked.
            status_callback_url=public + STATUS_PATH if public else None,
            backoff=backoff,
        )
        texts = Translator.load(LOCALE_DIR, "whatsapp")
        notifier = WhatsAppCredentialsNotifier(
            sender=sender,
            texts=texts,
            template_sids=parse_template_sids(settings.twilio_template_credentials_sid),
        )
        return cls(
            http=http,
            bookkeeping=bookkeeping,
            sender=sender,
            media=TwilioMedia(client=client, http=http, backoff=backoff),
            notifier=notifier,
            texts=texts,
            database=database,
            state=state,
            auth_token=auth_token,
            public_base_url=public,
            notification_sids=parse_template_sids(settings.twilio_template_notification_sid),
        )

    def channel(
        self, turns: TurnRunner, *, outbound: WhatsAppOutbound | None = None, **options: object
    ) -> WhatsAppChannel:
        """Return the channel, running messages as turns of `turns`."""
        return WhatsAppChannel(
            turns=turns,
            sender=self.sender,
            media=self.media,
            bookkeeping=self.bookkeeping,
            state=self.state,
            database=self.database,
            texts=self.texts,
            outbound=outbound,
            auth_token=self.auth_token,
            public_base_url=self.public_base_url,
            **options,  # type: ignore[arg-type]
        )

    async def notify(self, phone: str, *, text: str, language: str, key: str) -> SendResult:
        """Send a notification or reminder: as text inside the window, else as the template.

        Args:
            phone: the recipient in E.164.
            text: the localized text ({{1}} of the notification template).
            language: "ky" or "ru", to pick the template.
            key: the idempotency key of this notification (e.g. "reminder:<grant id>:<date>").

        """
        sid = template_for(self.notification_sids, language)
        return await self.sender.send(
            phone,
            key=key,
            purpose="notification",
            text=text,
            template=Template(sid, {"1": text}) if sid else None,
        )

    def mount(self, app: web.Application, turns: TurnRunner) -> WhatsAppChannel:
        """Serve the webhooks on `app`, running messages as turns of `turns` (tests)."""
        channel = self.channel(turns)
        setup_whatsapp(
            app, channel, auth_token=self.auth_token, public_base_url=self.public_base_url
        )
        return channel

    async def close(self) -> None:
        await self.http.close()


def whatsapp_channel(runtime: Runtime, turns: TurnRunner) -> WhatsAppChannel | None:
    """Return the process's WhatsApp channel, or None when TWILIO_* are not configured.

    Photos go by signed links only when the app has a public address (Twilio fetches them);
    notices go at WHATSAPP_NOTICE_RATE a second.
    """
    whatsapp = runtime.whatsapp
    if whatsapp is None:
        return None
    settings = runtime.settings
    links = None
    if settings.public_base_url:
        links = MediaLinks(runtime.secret_box, base_url=settings.public_base_url)
    outbound = WhatsAppOutbound(
        sender=whatsapp.sender,
        numbered=NumberedMemory(whatsapp.state),
        channel_texts=whatsapp.texts,
        bot_texts=runtime.bot_texts,
        template_sids=whatsapp.notification_sids,
        links=links,
        web_base_url=runtime.web_base_url,
        limit=notice_rate_limit(
            runtime.state, rate=settings.whatsapp_notice_rate, shared=runtime.shared_state
        ),
    )

    def media_routes(app: web.Application) -> None:
        if links is not None:
            mount_media(app, links=links, database=runtime.database, filestore=runtime.filestore)

    hand_over = runtime.outbox.hand_over if runtime.outbox is not None else None
    return whatsapp.channel(
        turns, outbound=outbound, extra_routes=media_routes, hand_over=hand_over
    )
