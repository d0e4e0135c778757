"""One event being handled: the collaborators, the chat, its grant and registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from core.dates import local_date
from core.i18n import DEFAULT_LANGUAGE, Translator
from flows.events import ChatKey, Event
from flows.form.fields import Label, Msg
from storage.credentials import SecretBox
from storage.enums import Channel
from storage.filestore import FileStore
from storage.models import AccessGrant, LinkedChat, Registration
from storage.state import StateStore
from storage.state.chat import ChatState, chat_state

# Transient state lives a week: long enough for a pause, short enough not to pile up.
STATE_TTL = 7 * 24 * 3600.0


def chat_state_key(key: ChatKey) -> str:
    """Return the state store's key of the transient map of the chat `key`."""
    return f"flow:{key.channel}:{key.chat_id}"


@dataclass(frozen=True)
class Services:
    """The long-lived collaborators the flow is built with."""

    state: StateStore
    filestore: FileStore
    campaign: Campaign
    translator: Translator
    secret_box: SecretBox


class Press:
    """`{press.submit}` in a text: how to choose the option labelled `option.submit` here.

    One sentence per way of choosing, written once: Telegram has buttons to press
    (`press.button`), WhatsApp and the terminal number their options (`press.number`).
    """

    def __init__(self, turn: Turn) -> None:
        self._turn = turn

    def __getattr__(self, name: str) -> str:
        turn = self._turn
        how = "press.button" if turn.key.channel is Channel.TELEGRAM else "press.number"
        translator = turn.services.translator
        label = translator.gettext(turn.lang, f"option.{name}")
        return translator.gettext(turn.lang, how, label=label)


@dataclass
class Turn:
    """Everything one call of `RegistrationFlow.handle` works on."""

    key: ChatKey
    event: Event
    session: AsyncSession
    services: Services
    now: datetime
    chat: LinkedChat
    grant: AccessGrant | None = None
    registration: Registration | None = None

    @property
    def lang(self) -> str:
        return self.chat.language or DEFAULT_LANGUAGE

    @property
    def campaign(self) -> Campaign:
        return self.services.campaign

    @property
    def today(self) -> date:
        return self.campaign.today(self.now)

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.registration.answers or {}) if self.registration else {}

    def t(self, message_id: str, **params: Any) -> str:
        """Return the text of `message_id` in the chat's language.

        Every text may say how to choose an option on this channel: ``{press.done}``.
        """
        return self.services.translator.gettext(self.lang, message_id, press=Press(self), **params)

    def label(self, label: Label) -> str:
        return self.t(label.id) if isinstance(label, Msg) else label

    def date(self, value: date | str) -> str:
        """Format a date the way the chat's language writes it (`core.dates.local_date`)."""
        return local_date(value, self.lang)

    def money(self, amount: int) -> str:
        return self.campaign.money(amount, self.lang)

    # Transient state of this chat: the draft is the state, so losing this costs a re-ask.
    # All of it is one map (`storage.state.chat`): read with the chat's lock when the turn runner
    # holds the chat (else at the first `get_state`), its changes written after the commit.
    def _state(self) -> ChatState:
        return chat_state(
            self.session.info, self.services.state, chat_state_key(self.key), ttl=STATE_TTL
        )

    async def get_state(self, name: str) -> Any:
        return await self._state().get(name)

    async def set_state(self, name: str, value: Any) -> None:
        self._state().set(name, value)

    async def clear_state(self, *names: str) -> None:
        state = self._state()
        for name in names:
            state.delete(name)
