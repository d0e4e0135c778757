"""Fetching a file a user sent (getFile + download) into memory, never past a size limit."""

from __future__ import annotations

from contextlib import aclosing

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetFile
from aiohttp import ClientError

from bot.telegram.exceptions import FileTooLarge, FileUnavailable
from bot.telegram.sender import TelegramSender

# The public Bot API's getFile serves at most 20 MB; a self-hosted server could serve more,
# but no photo of a passport needs that much.
MAX_FILE_BYTES = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
CHUNK = 64 * 1024


class FileDownloader:
    """Downloads Telegram files by id, refusing anything over `limit` bytes."""

    def __init__(self, sender: TelegramSender, *, limit: int = MAX_FILE_BYTES) -> None:
        self._sender = sender
        self.limit = limit

    @property
    def bot(self) -> Bot:
        return self._sender.bot

    async def fetch(self, file_id: str, *, declared_size: int | None = None) -> bytes:
        """Return the bytes of `file_id`.

        Raises:
            FileTooLarge: the size Telegram declares, or the bytes received, exceed the limit.
            FileUnavailable: Telegram would not hand the file out.

        """
        if declared_size is not None and declared_size > self.limit:
            raise FileTooLarge
        try:
            file = await self._sender.call(GetFile(file_id=file_id))
        except TelegramBadRequest as exc:
            raise FileUnavailable from exc
        if file is None or not file.file_path:
            raise FileUnavailable
        if file.file_size is not None and file.file_size > self.limit:
            raise FileTooLarge
        url = self.bot.session.api.file_url(self.bot.token, file.file_path)
        received = bytearray()
        try:
            stream = self.bot.session.stream_content(
                url=url, timeout=DOWNLOAD_TIMEOUT, chunk_size=CHUNK, raise_for_status=True
            )
            # aclosing: stopping early (too large) must close the HTTP response at once.
            async with aclosing(stream) as chunks:
                async for chunk in chunks:
                    received += chunk
                    if len(received) > self.limit:
                        raise FileTooLarge
        except (ClientError, TimeoutError) as exc:
            raise FileUnavailable from exc
        return bytes(received)
