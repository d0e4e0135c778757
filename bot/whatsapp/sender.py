"""Outbound WhatsApp messages through Twilio's REST API: once each, retried when safe.

Never twice: each logical message has an idempotency key (e.g. ``reply:<inbound sid>:<n>``)
recorded in `channel_messages` *before* the API call; a key already recorded is not sent again.
Twilio's Messages API has no idempotency key of its own, so a call that may have reached Twilio
without an answer (a timeout, a dropped connection) is not repeated: the row is left "unknown"
for officers to see (at most once). Answers that prove Twilio did nothing (429, 5xx, a refused
connection) are retried with bounded exponential backoff; or, for the outbox
(`retry_later=True`), tried once and handed back with Twilio's Retry-After, the reservation
released so the same key may be sent later.

The 24-hour customer-service window: free-form text is allowed only within 24 hours of the
user's last message; outside it only an approved Content template may be sent (otherwise Twilio
fails the message with error 63016). The last inbound time lives in the state store; losing it
only makes the sender choose the template, which is always allowed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.metrics import sent
from bot.whatsapp.bookkeeping import FAILED, UNKNOWN, MessageBookkeeping
from bot.whatsapp.client import retry_after_hint
from bot.whatsapp.retry import Backoff, is_retryable
from storage.enums import Channel
from storage.state import StateStore

log = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600 - 300  # five minutes short of Twilio's 24 hours, to stay inside it
OUTSIDE_WINDOW = 63016  # Twilio's error code; also used when we refuse to try


@dataclass(frozen=True)
class Template:
    """An approved Content template and the values of its {{n}} variables."""

    content_sid: str
    variables: dict[str, str]


@dataclass(frozen=True)
class SendResult:
    """What became of one logical message."""

    sent: bool  # Twilio accepted it (now or earlier under the same key)
    status: str
    message_sid: str | None = None
    error_code: int | None = None
    duplicate: bool = False  # the key was recorded before: nothing was sent this time
    retry_after: float | None = None  # status RETRY: Twilio's Retry-After, when it gave one
    # Failed only for now: Twilio kept answering 429/5xx (or refusing connections) until the
    # retries ran out; the same message may be tried again later under another key.
    retryable: bool = False


RETRY = "retry"  # retry_later: Twilio did nothing (429, 5xx, refused connection); try later


class WhatsAppSender:
    """Sends text or template messages to WhatsApp numbers from the bot's number."""

    def __init__(
        self,
        *,
        client: Client,
        bookkeeping: MessageBookkeeping,
        state: StateStore,
        from_number: str,
        status_callback_url: str | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._client = client
        self._bookkeeping = bookkeeping
        self._state = state
        self._from = _address(from_number)
        self._status_callback = status_callback_url
        self._backoff = backoff or Backoff()

    async def note_inbound(self, phone: str) -> None:
        """Open (or extend) the 24-hour window: the user just wrote to us."""
        await self._state.set(_window_key(phone), "1", ttl=WINDOW_SECONDS)

    async def in_window(self, phone: str) -> bool:
        return await self._state.get(_window_key(phone)) is not None

    async def send(
        self,
        phone: str,
        *,
        key: str,
        purpose: str,
        text: str | None = None,
        template: Template | None = None,
        media_url: str | None = None,
        retry_later: bool = False,
        replying: bool = False,
    ) -> SendResult:
        """Send `text` inside the window, else `template`; each `key` is sent at most once.

        Args:
            phone: the recipient in E.164.
            key: the idempotency key of this logical message.
            purpose: what it is for ("reply", "credentials", "notification"), kept for officers.
            text: free-form body, used only inside the 24-hour window.
            template: used outside the window (or when there is no text).
            media_url: a public URL of an image sent with `text` (inside the window only).
            retry_later: try once; when Twilio proves it did nothing, release the key and
                return status RETRY instead of waiting here (the outbox keeps the wait).
            replying: `text` answers a message the user has just sent, so the window is open
                whatever the state store remembers (it may have been lost since).

        """
        use_text = text is not None and (replying or await self.in_window(phone))
        if not use_text and template is None:
            # Twilio would refuse it (63016); record the refusal instead of trying.
            row = await self._bookkeeping.reserve(
                key, phone=phone, purpose=purpose, template_sid=None
            )
            if row is None:
                return await self._already(key)
            await self._bookkeeping.finish(
                row.id, status=FAILED, attempts=0, error_code=OUTSIDE_WINDOW
            )
            sent(Channel.WHATSAPP, str(OUTSIDE_WINDOW))
            return SendResult(sent=False, status=FAILED, error_code=OUTSIDE_WINDOW)
        params: dict[str, object] = {"to": _address(phone), "from_": self._from}
        if use_text:
            params["body"] = text
            if media_url:
                params["media_url"] = [media_url]
        else:
            assert template is not None  # noqa: S101 - narrowed above
            params["content_sid"] = template.content_sid
            params["content_variables"] = json.dumps(template.variables, ensure_ascii=False)
        if self._status_callback:
            params["status_callback"] = self._status_callback
        row = await self._bookkeeping.reserve(
            key,
            phone=phone,
            purpose=purpose,
            template_sid=None if use_text else params["content_sid"],  # type: ignore[arg-type]
        )
        if row is None:
            return await self._already(key)
        return await self._deliver(row.id, params, retry_later=retry_later)

    async def _deliver(
        self, row_id: int, params: dict[str, object], *, retry_later: bool = False
    ) -> SendResult:
        delays = iter(()) if retry_later else self._backoff.delays()
        attempts = 0
        while True:
            attempts += 1
            try:
                message = await self._client.messages.create_async(**params)  # type: ignore[arg-type]
            except TwilioRestException as error:
                sent(Channel.WHATSAPP, str(error.code or f"http_{error.status}"))
                if retry_later and is_retryable(error):
                    await self._bookkeeping.release(row_id)
                    return SendResult(
                        sent=False,
                        status=RETRY,
                        error_code=error.code,
                        retry_after=retry_after_hint() if error.status == 429 else None,
                    )
                delay = next(delays, None) if is_retryable(error) else None
                if delay is None:
                    log.warning(
                        "WhatsApp message refused: HTTP %s code %s", error.status, error.code
                    )
                    await self._bookkeeping.finish(
                        row_id, status=FAILED, attempts=attempts, error_code=error.code
                    )
                    return SendResult(
                        sent=False,
                        status=FAILED,
                        error_code=error.code,
                        retryable=is_retryable(error),
                    )
            except (ClientError, TimeoutError) as error:
                sent(Channel.WHATSAPP, "network")
                if retry_later and is_retryable(error):
                    await self._bookkeeping.release(row_id)
                    return SendResult(sent=False, status=RETRY)
                delay = next(delays, None) if is_retryable(error) else None
                if delay is None and is_retryable(error):
                    # Never reached Twilio, however often it was tried.
                    await self._bookkeeping.finish(row_id, status=FAILED, attempts=attempts)
                    return SendResult(sent=False, status=FAILED, retryable=True)
                if delay is None:
                    # It may have reached Twilio: not repeated, left for officers to see.
                    log.warning("WhatsApp message outcome unknown: %s", type(error).__name__)
                    await self._bookkeeping.finish(row_id, status=UNKNOWN, attempts=attempts)
                    return SendResult(sent=False, status=UNKNOWN)
            else:
                sent(Channel.WHATSAPP, "accepted")
                status = str(message.status or "queued")
                await self._bookkeeping.finish(
                    row_id, status=status, attempts=attempts, provider_sid=message.sid
                )
                await self._apply_early_status(message.sid)
                return SendResult(sent=True, status=status, message_sid=message.sid)
            await self._backoff.sleep(delay)

    async def _already(self, key: str) -> SendResult:
        row = await self._bookkeeping.find(key)
        status = row.status if row else UNKNOWN
        sid = row.provider_sid if row else None
        return SendResult(sent=sid is not None, status=status, message_sid=sid, duplicate=True)

    async def park_status(self, message_sid: str, status: str, error_code: int | None) -> None:
        """Keep a status callback that arrived before the MessageSid was recorded."""
        key = early_status_key(message_sid)
        await self._state.set(key, f"{status}:{error_code or ''}", ttl=3600)
        # Both sides write, then look: whichever comes second applies the status.
        if await self._bookkeeping.update_status(message_sid, status, error_code):
            await self._state.delete(key)

    async def _apply_early_status(self, message_sid: str | None) -> None:
        # A status callback can beat our own write of the MessageSid; it was parked in state.
        if message_sid is None:
            return
        parked = await self._state.get(early_status_key(message_sid))
        if parked is not None:
            status, _, code = parked.partition(":")
            await self._bookkeeping.update_status(message_sid, status, int(code) if code else None)
            await self._state.delete(early_status_key(message_sid))


def early_status_key(message_sid: str) -> str:
    return f"whatsapp:early-status:{message_sid}"


def _window_key(phone: str) -> str:
    return f"whatsapp:window:{phone}"


def _address(number: str) -> str:
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"
