"""The Telegram channel (aiogram 3): updates in, flow replies out."""

from bot.telegram.channel import TelegramChannel
from bot.telegram.webhook import WEBHOOK_PATH, webhook_secret

__all__ = ["WEBHOOK_PATH", "TelegramChannel", "webhook_secret"]
