"""The system's own messages on WhatsApp: numbered options, photos by signed link or a web link.

Inside the 24-hour window each photo goes as a media message (Twilio fetches it from a signed
`/media/<token>` link) when PUBLIC_BASE_URL is set; otherwise, and outside the window where
only the text template may be sent, the text ends with a link to the entry's web page.

Each part is sent once under its own key (`channel_messages`, Twilio has no idempotency key
of its own), tried once per call: what Twilio refuses for now (429 with its Retry-After, 5xx)
goes back to the outbox to wait there; what it refuses for good fails the message, and the
errors that say the number itself cannot be reached mark its chat.
"""

from __future__ import annotations

import logging

from bot.channel import DeliveryResult
from bot.notifications.media import MediaLinks
from bot.telegram.ratelimit import RateLimit
from bot.whatsapp.numbering import Numbered, NumberedMemory
from bot.whatsapp.render import render, toggle_example
from bot.whatsapp.sender import RETRY, SendResult, Template, WhatsAppSender
from bot.whatsapp.templates import template_for
from core.i18n import Translator
from office.outbound import Outbound

log = logging.getLogger(__name__)

# Twilio error codes after which the number cannot receive from us at all: not a WhatsApp
# number, an invalid or landline number, or the user unsubscribed (replied STOP).
UNREACHABLE_CODES = frozenset({21211, 21610, 21614, 63003, 63024})


class WhatsAppOutbound:
    """Sends `Outbound` messages through the channel's idempotent sender, paced by `limit`."""

    def __init__(
        self,
        *,
        sender: WhatsAppSender,
        numbered: NumberedMemory,
        channel_texts: Translator,
        bot_texts: Translator,
        template_sids: dict[str, str],
        links: MediaLinks | None,
        web_base_url: str,
        limit: RateLimit,
    ) -> None:
        self.limit = limit
        self._sender = sender
        self._numbered = numbered
        self._channel_texts = channel_texts
        self._bot_texts = bot_texts
        self._template_sids = template_sids
        self._links = links
        self._web = web_base_url.rstrip("/")

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        """Send the photos (when possible), then the text; see `bot.channel.DeliveryResult`."""
        phone = message.phone or message.chat_id.removeprefix("whatsapp:")
        done = parts_sent
        photos_sent = parts_sent > 0
        if message.photos and self._links is not None and await self._sender.in_window(phone):
            photos_sent = True
            for photo in message.photos[parts_sent:]:
                await self.limit.acquire()
                result = await self._sender.send(
                    phone,
                    key=f"{message.key}:photo:{photo.document_id}",
                    purpose="notification",
                    text=photo.caption,
                    media_url=self._links.url(photo.document_id),
                    retry_later=True,
                )
                if result.status == RETRY:
                    return _retry(done, result)
                # A photo refused for good still leaves the text worth sending.
                photos_sent = photos_sent and result.sent
                done += 1
        done = max(done, len(message.photos))
        text = self._text(message, photos_sent)
        await self.limit.acquire()
        sid = template_for(self._template_sids, message.language)
        result = await self._sender.send(
            phone,
            key=message.key,
            purpose="notification",
            text=text,
            template=Template(sid, {"1": text}) if sid else None,
            retry_later=True,
        )
        if result.status == RETRY:
            return _retry(done, result)
        if not result.sent:
            return _failed(done, result)
        numbered = Numbered.of(message.reply)
        if numbered is not None:
            await self._numbered.remember_sent(message.chat_id, numbered)
        return DeliveryResult.sent(done + 1)

    def _text(self, message: Outbound, photos_sent: bool) -> str:
        reply = message.reply
        numbered = Numbered.of(reply)
        example = toggle_example(reply, numbered) if numbered is not None else "1"
        hint = self._channel_texts.gettext(
            message.language,
            "choice.hint.multi" if reply.multi else "choice.hint.single",
            example=example,
        )
        text = render(reply, numbered, hint)
        if message.photos and message.detail_path and not photos_sent:
            url = f"{self._web}{message.detail_path}"
            link = self._bot_texts.gettext(message.language, "review.prompt.photos_link", url=url)
            text = f"{text}\n\n{link}"
        return text


def _retry(done: int, result: SendResult) -> DeliveryResult:
    reason = f"twilio:{result.error_code}" if result.error_code else "twilio:unavailable"
    return DeliveryResult.retry(done, reason, result.retry_after)


def _failed(done: int, result: SendResult) -> DeliveryResult:
    if result.duplicate:
        # Reserved before and never finished: a sender died mid-call, Twilio may have it.
        return DeliveryResult.failed(done, f"twilio:{result.status}")
    code = result.error_code
    reason = f"twilio:{code}" if code else f"twilio:{result.status}"
    log.info("a WhatsApp notice was refused: %s", reason)
    return DeliveryResult.failed(done, reason, unreachable=code in UNREACHABLE_CODES)
