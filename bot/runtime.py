"""The long-lived objects of one process, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from access.notifier import CredentialsNotifier, NoChannelNotifier
from bot.channel import MessagingChannel
from bot.notifications.outbox import OutboxSender
from bot.telegram import TelegramChannel
from bot.whatsapp import WhatsApp
from config.campaign import Campaign, load_campaign
from config.settings import Settings
from core.i18n import Translator
from core.texts import conversation_texts
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel
from storage.filestore import FileStore, filestore_from_settings
from storage.state import StateStore, state_store_from_url


@dataclass
class Runtime:
    settings: Settings
    database: Database
    state: StateStore
    filestore: FileStore
    secret_box: SecretBox
    campaign: Campaign
    bot_texts: Translator
    notifier: CredentialsNotifier
    whatsapp: WhatsApp | None = None  # set when TWILIO_* are configured
    telegram: TelegramChannel | None = None  # set by create_app when TELEGRAM_BOT_TOKEN is set
    # The configured channels by name, built once by create_app (`bot.channels`).
    channels: dict[Channel, MessagingChannel] = field(default_factory=dict)
    outbox: OutboxSender | None = None  # set by create_app

    @property
    def shared_state(self) -> bool:
        """Whether the state store is shared by the replicas (Redis), so limits are shared."""
        return self.settings.redis_url is not None

    @property
    def web_base_url(self) -> str:
        """The address officers open the web at (links in messages point there)."""
        settings = self.settings
        return settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"

    @classmethod
    def from_settings(cls, settings: Settings, *, campaign: Campaign | None = None) -> Runtime:
        database = Database.from_settings(settings)
        state = state_store_from_url(settings.redis_url)
        whatsapp = (
            WhatsApp.from_settings(settings, database=database, state=state)
            if settings.whatsapp_enabled
            else None
        )
        return cls(
            settings=settings,
            database=database,
            state=state,
            filestore=filestore_from_settings(settings),
            secret_box=SecretBox(settings.resolved_secret_key()),
            campaign=campaign or load_campaign(settings.campaign),
            bot_texts=conversation_texts(),
            notifier=whatsapp.notifier if whatsapp else NoChannelNotifier(),
            whatsapp=whatsapp,
        )

    async def close(self) -> None:
        if self.outbox is not None:
            await self.outbox.stop()
        for channel in self.channels.values():
            await channel.stop()
        if self.telegram is not None and Channel.TELEGRAM not in self.channels:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        await self.state.close()
        await self.filestore.close()
        await self.database.dispose()
