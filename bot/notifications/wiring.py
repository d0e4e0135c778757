"""Building the dispatcher for a process and attaching the channels it sends through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.notifications.dispatcher import NotificationDispatcher
from bot.notifications.media import MediaLinks, mount_media
from bot.notifications.pacing import notice_rate_limit
from bot.notifications.telegram import TelegramDelivery
from bot.notifications.whatsapp import WhatsAppDelivery
from office.outbound import NoticeComposer

if TYPE_CHECKING:
    from bot.runtime import Runtime


def build_dispatcher(runtime: Runtime) -> NotificationDispatcher:
    """Return the process's dispatcher; channels are attached later with `attach_channels`."""
    composer = NoticeComposer(texts=runtime.bot_texts, campaign=runtime.campaign)
    return NotificationDispatcher(database=runtime.database, composer=composer)


def web_base_url(runtime: Runtime) -> str:
    """Return the address officers open the web at (links in messages point there)."""
    settings = runtime.settings
    return settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"


def attach_channels(
    app: web.Application, runtime: Runtime, dispatcher: NotificationDispatcher
) -> None:
    """Let `dispatcher` send on the channels `runtime` runs.

    WhatsApp photos go by signed links only when the app has a public address; WhatsApp
    notices go at WHATSAPP_NOTICE_RATE a second.
    """
    if runtime.telegram is not None:
        dispatcher.telegram = TelegramDelivery(runtime.telegram.sender, runtime.filestore)
    if runtime.whatsapp is not None:
        links = None
        if runtime.settings.public_base_url:
            links = MediaLinks(runtime.secret_box, base_url=runtime.settings.public_base_url)
            mount_media(app, links=links, database=runtime.database, filestore=runtime.filestore)
        dispatcher.whatsapp = WhatsAppDelivery(
            runtime.whatsapp,
            texts=runtime.bot_texts,
            links=links,
            web_base_url=web_base_url(runtime),
            limit=notice_rate_limit(runtime.state, rate=runtime.settings.whatsapp_notice_rate),
        )
