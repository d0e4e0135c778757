"""How officers' credentials reach their owners, whatever channels exist."""

from __future__ import annotations

from typing import Protocol


class CredentialsNotifier(Protocol):
    """Delivers a login link and initial password to a coordinator's phone."""

    async def send_credentials(
        self, *, phone: str, full_name: str, language: str, login_url: str, password: str
    ) -> bool:
        """Send the credentials; return False when no channel could deliver them.

        On False the web shows the password once to the officer who created the account.
        """
        ...


class NoChannelNotifier:
    """Used while no messaging channel is configured: nothing is sent."""

    async def send_credentials(
        self, *, phone: str, full_name: str, language: str, login_url: str, password: str
    ) -> bool:
        return False
