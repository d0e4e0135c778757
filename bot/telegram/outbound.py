"""The system's own messages on Telegram: the photos first, then the text with its buttons.

Each Bot API call is made once per `deliver`, paced by the limit of the system's own messages
(30 a second per bot, shared by the replicas). What Telegram refuses for now (429 with its
`retry_after`, 5xx, a network failure) goes back to the outbox to wait there; what it refuses
for good fails the message, and a blocked bot or a chat that is gone marks the chat.

Telegram has no idempotency key: a call whose answer is lost (a timeout after Telegram took
it) is tried again later, so such a message may arrive twice. That is the price of never
losing a decision; a 429 or a 5xx proves Telegram did nothing, so those are never doubled.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile

from bot.channel import DeliveryResult
from bot.metrics import sent
from bot.telegram.ratelimit import RateLimit
from bot.telegram.render import Markup, contact_keyboard, inline_keyboard
from core.i18n import Translator
from office.outbound import Outbound
from storage.enums import Channel
from storage.filestore import FileStore

log = logging.getLogger(__name__)

# Bad requests that mean the chat itself is gone, not that this message was wrong.
_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "bot was kicked")


class TelegramOutbound:
    """Sends `Outbound` messages with the channel's bot, one API call per part."""

    def __init__(
        self, bot: Bot, *, filestore: FileStore, limit: RateLimit, texts: Translator | None = None
    ) -> None:
        self.limit = limit
        self._bot = bot
        self._filestore = filestore
        self._texts = texts  # the channel's own texts: the share-contact button's label

    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        """Send the photos not sent yet, then the text; see `bot.channel.DeliveryResult`."""
        chat_id = int(message.chat_id)
        done = parts_sent
        try:
            for photo in message.photos[parts_sent:]:
                try:
                    data = await self._filestore.get(photo.sha256)
                except FileNotFoundError:
                    done += 1  # purged since: the text still says what it is about
                    continue
                upload = BufferedInputFile(data, filename=f"document-{photo.document_id}.jpg")
                await self._call(SendPhoto(chat_id=chat_id, photo=upload, caption=photo.caption))
                done += 1
            reply = message.reply
            await self._call(
                SendMessage(chat_id=chat_id, text=reply.text, reply_markup=self._markup(message))
            )
            return DeliveryResult.sent(done + 1)
        except TelegramRetryAfter as exc:
            return DeliveryResult.retry(done, "telegram:429", float(exc.retry_after))
        except TelegramForbiddenError:
            return DeliveryResult.failed(done, "telegram:blocked", unreachable=True)
        except TelegramEntityTooLarge:
            return DeliveryResult.failed(done, "telegram:too_large")
        except (TelegramBadRequest, TelegramNotFound) as exc:
            gone = any(words in exc.message.lower() for words in _GONE)
            if gone:
                return DeliveryResult.failed(done, "telegram:chat_gone", unreachable=True)
            log.warning("telegram notice refused: %s", type(exc).__name__)
            return DeliveryResult.failed(done, "telegram:bad_request")
        except TelegramServerError:
            return DeliveryResult.retry(done, "telegram:5xx")
        except TelegramNetworkError:
            return DeliveryResult.retry(done, "telegram:network")
        except TelegramAPIError as exc:  # 401, 409...: a setup problem, worth trying again
            return DeliveryResult.retry(done, f"telegram:{type(exc).__name__}")

    def _markup(self, message: Outbound) -> Markup:
        # A handed-over reply asking for the contact keeps its share-contact button: without
        # it the applicant has no way to prove the phone.
        if message.reply.request_contact and self._texts is not None:
            return contact_keyboard(self._texts.gettext(message.language, "button.share_contact"))
        return inline_keyboard(message.reply)

    async def _call(self, method: SendMessage | SendPhoto) -> None:
        await self.limit.acquire()
        try:
            await self._bot(method)
        except TelegramRetryAfter:
            sent(Channel.TELEGRAM, "429")
            raise
        except TelegramForbiddenError:
            sent(Channel.TELEGRAM, "403")
            raise
        except TelegramServerError:
            sent(Channel.TELEGRAM, "5xx")
            raise
        except TelegramAPIError:
            sent(Channel.TELEGRAM, "error")
            raise
        sent(Channel.TELEGRAM, "ok")
