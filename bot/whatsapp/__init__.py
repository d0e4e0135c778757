"""The WhatsApp channel through Twilio: webhooks in, REST API out."""

from bot.whatsapp.channel import WhatsAppChannel
from bot.whatsapp.notifier import WhatsAppCredentialsNotifier
from bot.whatsapp.sender import SendResult, Template, WhatsAppSender
from bot.whatsapp.service import WhatsApp
from bot.whatsapp.webhooks import INBOUND_PATH, STATUS_PATH, setup_whatsapp

__all__ = [
    "INBOUND_PATH",
    "STATUS_PATH",
    "SendResult",
    "Template",
    "WhatsApp",
    "WhatsAppChannel",
    "WhatsAppCredentialsNotifier",
    "WhatsAppSender",
    "setup_whatsapp",
]
