"""Outbound messages on Telegram: the photos first, then the text with its buttons."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile

from bot.telegram.render import inline_keyboard
from bot.telegram.sender import TelegramSender
from office.outbound import Outbound
from storage.filestore import FileStore

log = logging.getLogger(__name__)


class TelegramDelivery:
    """Sends `Outbound` messages through the channel's rate-limited, retrying sender."""

    def __init__(self, sender: TelegramSender, filestore: FileStore) -> None:
        self._sender = sender
        self._filestore = filestore

    async def deliver(self, message: Outbound) -> bool:
        """Send the photos (bytes from the file store) and the text; False when not delivered."""
        chat_id = int(message.chat_id)
        try:
            for photo in message.photos:
                data = await self._filestore.get(photo.sha256)
                upload = BufferedInputFile(data, filename=f"document-{photo.document_id}.jpg")
                sent = await self._sender.call(
                    SendPhoto(chat_id=chat_id, photo=upload, caption=photo.caption),
                    chat_id=chat_id,
                )
                if sent is None:
                    return False
            reply = message.reply
            method = SendMessage(
                chat_id=chat_id, text=reply.text, reply_markup=inline_keyboard(reply)
            )
            return await self._sender.call(method, chat_id=chat_id) is not None
        except (TelegramBadRequest, FileNotFoundError) as exc:
            log.warning("telegram notification not sent: %s", type(exc).__name__)
            return False
