"""The long-lived objects of one process, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from access.notifier import CredentialsNotifier, NoChannelNotifier
from bot.notifications import NotificationDispatcher
from bot.telegram import TelegramChannel
from bot.whatsapp import WhatsApp
from config.campaign import Campaign, load_campaign
from config.settings import Settings
from core.i18n import Translator
from core.texts import conversation_texts
from storage.credentials import SecretBox
from storage.database import Database
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
    notifications: NotificationDispatcher | None = None  # set by create_app

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
        if self.notifications is not None:
            await self.notifications.drain()
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        await self.state.close()
        await self.filestore.close()
        await self.database.dispose()
