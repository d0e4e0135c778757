"""Notices from the flows (decisions, prompts) delivered on Telegram and WhatsApp."""

from bot.notifications.dispatcher import NotificationDispatcher
from bot.notifications.media import MediaLinks, mount_media
from bot.notifications.telegram import TelegramDelivery
from bot.notifications.whatsapp import WhatsAppDelivery

__all__ = [
    "MediaLinks",
    "NotificationDispatcher",
    "TelegramDelivery",
    "WhatsAppDelivery",
    "mount_media",
]
