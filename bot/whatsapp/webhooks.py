"""Twilio's webhooks: incoming WhatsApp messages and delivery status callbacks.

Both check ``X-Twilio-Signature`` against the URL Twilio called. Behind a reverse proxy the
app sees ``http://app:8080/webhooks/whatsapp`` while Twilio signed
``https://bot.example.kg/webhooks/whatsapp``, so with PUBLIC_BASE_URL set the signed URL is
PUBLIC_BASE_URL + the path (and query); without it, the request's own URL. Configure the same
PUBLIC_BASE_URL Twilio is given, scheme and host exactly; Twilio signs with or without a port,
and `RequestValidator` accepts both.
"""

from __future__ import annotations

import logging

from aiohttp import web
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from bot.metrics import delivery_status, inbound
from bot.whatsapp.channel import WhatsAppChannel
from bot.whatsapp.inbound import InboundMessage
from core.validation import has_control_characters, remove_control_characters
from storage.enums import Channel

log = logging.getLogger(__name__)

INBOUND_PATH = "/webhooks/whatsapp"
STATUS_PATH = "/webhooks/whatsapp/status"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
WHATSAPP_CHANNEL = web.AppKey("whatsapp_channel", WhatsAppChannel)


class SignedRoutes:
    """The two webhook handlers, sharing the signature check."""

    def __init__(
        self, channel: WhatsAppChannel, *, auth_token: str, public_base_url: str | None
    ) -> None:
        self._channel = channel
        self._validator = RequestValidator(auth_token)
        self._public_base = public_base_url.rstrip("/") if public_base_url else None

    def signed_url(self, request: web.Request) -> str:
        """Return the URL Twilio called (and signed) for `request`."""
        if self._public_base:
            return self._public_base + request.rel_url.raw_path_qs
        return str(request.url)

    async def _signed_form(self, request: web.Request) -> dict[str, str] | None:
        """Return the form when Twilio signed it, else None.

        Raises:
            web.HTTPBadRequest: when a signed field other than the message text holds a
                control character (a NUL in ``MessageSid`` would fail in PostgreSQL). The
                text loses its control characters instead: the applicant's message is kept.

        """
        signature = request.headers.get(SIGNATURE_HEADER)
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not signature:
            return None
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        if not self._validator.validate(self.signed_url(request), form, signature, algorithm):
            return None
        if any(
            has_control_characters(name) or (name != "Body" and has_control_characters(value))
            for name, value in form.items()
        ):
            log.warning("signed WhatsApp webhook with control characters refused")
            raise web.HTTPBadRequest()
        if "Body" in form:
            form["Body"] = remove_control_characters(form["Body"])
        return form

    async def inbound(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if form is None:
            log.warning("WhatsApp webhook with a bad or missing signature refused")
            inbound(Channel.WHATSAPP, "refused")
            raise web.HTTPForbidden()
        message = InboundMessage.from_form(form)
        if message is not None:
            try:
                accepted = await self._channel.receive(message)
            except Exception as error:
                # Not aiohttp's traceback: a database error's message quotes the phone.
                log.error("WhatsApp message not accepted: %s", type(error).__name__)
                inbound(Channel.WHATSAPP, "failed")
                raise web.HTTPServiceUnavailable() from None
            if not accepted:
                inbound(Channel.WHATSAPP, "duplicate")
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")

    async def status(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if form is None:
            log.warning("WhatsApp status callback with a bad or missing signature refused")
            inbound(Channel.WHATSAPP, "refused")
            raise web.HTTPForbidden()
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if sid and status:
            code = form.get("ErrorCode") or ""
            # Twilio's codes are five digits; anything else is kept as "no code".
            plain = code.isascii() and code.isdigit() and len(code) < 10
            error_code = int(code) if plain else None
            delivery_status(Channel.WHATSAPP, status, error_code)
            if not await self._channel.bookkeeping.update_status(sid, status, error_code):
                # The callback beat our own write of the MessageSid: the sender applies it.
                await self._channel.sender.park_status(sid, status, error_code)
        return web.Response(status=204)


def setup_whatsapp(
    app: web.Application,
    channel: WhatsAppChannel,
    *,
    auth_token: str,
    public_base_url: str | None,
) -> None:
    """Mount the webhooks on `app`; pending messages are finished at shutdown."""
    routes = SignedRoutes(channel, auth_token=auth_token, public_base_url=public_base_url)
    app[WHATSAPP_CHANNEL] = channel
    app.router.add_post(INBOUND_PATH, routes.inbound)
    app.router.add_post(STATUS_PATH, routes.status)

    async def _finish(_app: web.Application) -> None:
        await channel.drain()

    app.on_shutdown.append(_finish)
