"""Inbound media at Twilio: fetched with HTTP Basic auth under a size limit, then deleted.

Twilio keeps every media item until it is deleted through the API; passports and faces must
not stay on a third party's servers, so the channel deletes each item once it has been read,
whether the flow accepted it or not.
"""

from __future__ import annotations

import logging
import re

from aiohttp import ClientError, ClientTimeout, encode_basic_auth
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.whatsapp.client import RebasedHttpClient
from bot.whatsapp.exceptions import MediaRefused
from bot.whatsapp.retry import Backoff, is_retryable

log = logging.getLogger(__name__)

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for images and documents is 16 MB
_MEDIA_PATH = re.compile(
    r"/2010-04-01/Accounts/(?P<account>AC\w+)/Messages/(?P<message>MM\w+|SM\w+)"
    r"/Media/(?P<media>ME\w+)$"
)


class TwilioMedia:
    """Downloads and deletes the media of inbound messages."""

    def __init__(
        self,
        *,
        client: Client,
        http: RebasedHttpClient,
        max_bytes: int = MAX_MEDIA_BYTES,
        timeout: float = 30.0,
        backoff: Backoff | None = None,
    ) -> None:
        self._client = client
        self._http = http
        self._max_bytes = max_bytes
        self._timeout = ClientTimeout(total=timeout)
        self._backoff = backoff or Backoff()

    async def download(self, url: str) -> bytes:
        """Return the media's bytes.

        Raises:
            MediaRefused: "too_large" past the size limit, "unavailable" when it cannot be read.

        """
        # Only Twilio's own URLs get our credentials, whatever a webhook claims.
        if not self._http.is_api_url(url):
            raise MediaRefused("unavailable")
        # aiohttp drops the header if Twilio redirects to its CDN on another host.
        auth = encode_basic_auth(self._client.username or "", self._client.password or "")
        try:
            async with self._http.client_session.get(
                self._http.rebase(url), headers={"Authorization": auth}, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    log.warning("media download answered HTTP %s", response.status)
                    raise MediaRefused("unavailable")
                if (response.content_length or 0) > self._max_bytes:
                    raise MediaRefused("too_large")
                data = bytearray()
                async for chunk in response.content.iter_chunked(256 * 1024):
                    data += chunk
                    if len(data) > self._max_bytes:
                        raise MediaRefused("too_large")
                return bytes(data)
        except (ClientError, TimeoutError) as error:
            log.warning("media download failed: %s", type(error).__name__)
            raise MediaRefused("unavailable") from error

    async def delete(self, url: str) -> bool:
        """Delete the media at Twilio; return whether it is gone (absent counts as gone)."""
        match = _MEDIA_PATH.search(self._http.rebase(url).split("?", 1)[0])
        if match is None:
            log.warning("not a Twilio media URL; nothing deleted")
            return False
        resource = (
            self._client.api.v2010.accounts(match["account"])
            .messages(match["message"])
            .media(match["media"])
        )
        delays = self._backoff.delays()
        while True:
            try:
                await resource.delete_async()
                return True
            except TwilioRestException as error:
                if error.status == 404:
                    return True
                delay = next(delays, None) if is_retryable(error) else None
                if delay is None:
                    log.error("media %s not deleted: HTTP %s", match["media"], error.status)
                    return False
            except (ClientError, TimeoutError) as error:
                delay = next(delays, None)
                if delay is None:
                    log.error("media %s not deleted: %s", match["media"], type(error).__name__)
                    return False
            await self._backoff.sleep(delay)
