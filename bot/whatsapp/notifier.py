"""Coordinators' login link and initial password, delivered over WhatsApp."""

from __future__ import annotations

import logging
import uuid

from bot.whatsapp.sender import Template, WhatsAppSender
from bot.whatsapp.templates import template_for
from core.i18n import Translator

log = logging.getLogger(__name__)


class WhatsAppCredentialsNotifier:
    """A `access.notifier.CredentialsNotifier` that writes to the coordinator's WhatsApp.

    A new coordinator has usually never written to the bot, so the message is outside the
    24-hour window and goes as the approved credentials template ({{1}} name, {{2}} login link,
    {{3}} password) in their language; inside the window it goes as plain text.
    """

    def __init__(
        self, *, sender: WhatsAppSender, texts: Translator, template_sids: dict[str, str]
    ) -> None:
        self._sender = sender
        self._texts = texts
        self._template_sids = template_sids

    async def send_credentials(
        self, *, phone: str, full_name: str, language: str, login_url: str, password: str
    ) -> bool:
        """Send the credentials; return False when WhatsApp could not take them."""
        sid = template_for(self._template_sids, language)
        template = Template(sid, {"1": full_name, "2": login_url, "3": password}) if sid else None
        text = self._texts.gettext(
            language, "credentials.text", name=full_name, login_url=login_url, password=password
        )
        try:
            result = await self._sender.send(
                phone,
                # Each call is a new logical message (a reset makes a new password).
                key=f"credentials:{uuid.uuid4().hex}",
                purpose="credentials",
                text=text,
                template=template,
            )
        except Exception as error:  # noqa: BLE001 - the web then shows the password instead
            log.error("WhatsApp credentials not sent: %s", type(error).__name__)
            return False
        return result.sent
