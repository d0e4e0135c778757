"""Outbound messages on WhatsApp: numbered options, photos by signed link or a web link.

Inside the 24-hour window each photo goes as a media message (Twilio fetches it from a signed
`/media/<token>` link) when PUBLIC_BASE_URL is set; otherwise, and outside the window where
only the text template may be sent, the text ends with a link to the entry's web page.
"""

from __future__ import annotations

import logging

from bot.notifications.media import MediaLinks
from bot.telegram.ratelimit import RateLimit
from bot.whatsapp import WhatsApp
from bot.whatsapp.numbering import Numbered, NumberedMemory
from bot.whatsapp.render import render, toggle_example
from core.i18n import Translator
from office.outbound import Outbound

log = logging.getLogger(__name__)


class WhatsAppDelivery:
    """Sends `Outbound` messages through the channel's idempotent sender.

    Each message first waits on `limit` (see `bot.notifications.pacing`): notices share the
    number's throughput with the replies, which do not go through here.
    """

    def __init__(
        self,
        whatsapp: WhatsApp,
        *,
        texts: Translator,
        links: MediaLinks | None,
        web_base_url: str,
        limit: RateLimit,
    ) -> None:
        self.limit = limit
        self._whatsapp = whatsapp
        self._texts = texts
        self._links = links
        self._web = web_base_url.rstrip("/")
        self._numbered = NumberedMemory(whatsapp.state)

    async def deliver(self, message: Outbound) -> bool:
        """Send the photos (when possible) and the text; False when Twilio did not take it."""
        phone = message.phone or message.chat_id.removeprefix("whatsapp:")
        sender = self._whatsapp.sender
        photos_sent = False
        if message.photos and self._links is not None and await sender.in_window(phone):
            photos_sent = True
            for photo in message.photos:
                await self.limit.acquire()
                result = await sender.send(
                    phone,
                    key=f"{message.key}:photo:{photo.document_id}",
                    purpose="notification",
                    text=photo.caption,
                    media_url=self._links.url(photo.document_id),
                )
                photos_sent = photos_sent and result.sent
        reply = message.reply
        numbered = Numbered.of(reply)
        example = toggle_example(reply, numbered) if numbered is not None else "1"
        hint = self._whatsapp.texts.gettext(
            message.language,
            "choice.hint.multi" if reply.multi else "choice.hint.single",
            example=example,
        )
        text = render(reply, numbered, hint)
        if message.photos and message.detail_path and not photos_sent:
            url = f"{self._web}{message.detail_path}"
            link = self._texts.gettext(message.language, "review.prompt.photos_link", url=url)
            text = f"{text}\n\n{link}"
        await self.limit.acquire()
        result = await self._whatsapp.notify(
            phone, text=text, language=message.language, key=message.key
        )
        if result.sent and numbered is not None:
            await self._numbered.remember(message.chat_id, numbered)
        return result.sent
