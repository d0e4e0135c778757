"""The officer's side of the conversation: a linked chat approves or returns entries.

An officer's chat is linked by the phone it proves (a shared own contact on Telegram, the
sender's number on WhatsApp) matching `Officer.phone`. Prompts arrive with Approve and Reject
buttons (`office.outbound`); Reject asks for the reasons as toggles, and for a short text
when "other" is among them. Decisions go through `office.decisions`, like the web's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from access.exceptions import OutOfScope
from access.scoped import Scoped
from config.campaign import Campaign
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from core.typed import ascii_number, clean_text
from core.validation import Rejected
from flows.events import ChatKey, Event
from flows.replies import Option, Reply
from office import decisions
from office.outbound import APPROVE, REJECT
from storage.enums import RegistrationStatus
from storage.models import LinkedChat, Officer
from storage.repositories.chats import get_or_create_chat
from storage.state import StateStore

PENDING_SECONDS = 24 * 3600.0
TOGGLE = "rv:r:"
STOP = "rv:stop"
DONE = "done"


@dataclass
class _Turn:
    key: ChatKey
    event: Event
    session: AsyncSession
    chat: LinkedChat
    officer: Officer
    now: datetime

    @property
    def lang(self) -> str:
        return self.chat.language or self.officer.language or DEFAULT_LANGUAGE


class ReviewFlow:
    """Handles events of chats linked to officers; the caller holds the chat."""

    def __init__(
        self,
        *,
        state: StateStore,
        campaign: Campaign,
        translator: Translator,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._state = state
        self._campaign = campaign
        self._texts = translator
        self._clock = clock or (lambda: datetime.now(UTC))

    async def respond(
        self, session: AsyncSession, key: ChatKey, event: Event, *, link: int | None = None
    ) -> list[Reply]:
        """Apply one event of an officer's chat; `link` first links the chat to that officer.

        The caller holds the chat and owns the transaction (`flows.conversation`); decisions
        queue their notices on `session`.
        """
        return await self._handle(key, event, session, link)

    async def resume(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Return what the officer's chat is being asked now (a redelivery), changing nothing."""
        chat = await get_or_create_chat(session, key.channel, key.chat_id)
        officer = await session.get(Officer, chat.officer_id or 0)
        if officer is None:
            return []
        turn = _Turn(key, event, session, chat, officer, self._clock())
        pending = await self._pending(turn)
        if pending is None:
            return [self._reply(turn, "review.help")]
        if pending.get("stage") == "comment":
            return [self._ask_comment(turn)]
        return [self._reasons(turn, pending)]

    async def _handle(
        self, key: ChatKey, event: Event, session: AsyncSession, link: int | None
    ) -> list[Reply]:
        chat = await get_or_create_chat(session, key.channel, key.chat_id)
        officer = await session.get(Officer, link or chat.officer_id or 0)
        if officer is None or not officer.is_active:
            chat.officer_id = None
            return [Reply(self._texts.gettext(chat.language or DEFAULT_LANGUAGE, "error.internal"))]
        turn = _Turn(key, event, session, chat, officer, self._clock())
        if link is not None:
            chat.officer_id = officer.id
            chat.phone = officer.phone
            chat.grant_id = None
            chat.language = chat.language or officer.language
            return [self._reply(turn, "review.linked", name=officer.full_name)]
        return await self._route(turn)

    async def _route(self, turn: _Turn) -> list[Reply]:
        event = turn.event
        choice = event.choice or "" if event.kind == "choice" else ""
        if choice.startswith("lang:") and choice.removeprefix("lang:") in LANGUAGES:
            turn.chat.language = choice.removeprefix("lang:")
            return [self._reply(turn, "review.help")]
        if event.kind == "command":
            await self._forget(turn)
            if event.command == "language":
                options = tuple(
                    Option(f"lang:{c}", self._texts.gettext(c, "language.name")) for c in LANGUAGES
                )
                return [Reply(self._texts.gettext("ky", "ask.language.both"), options)]
            return [self._reply(turn, "review.help")]
        approved = (
            ascii_number(choice.removeprefix(APPROVE)) if choice.startswith(APPROVE) else None
        )
        if approved is not None:
            await self._forget(turn)
            return await self._approve(turn, approved)
        rejected = ascii_number(choice.removeprefix(REJECT)) if choice.startswith(REJECT) else None
        if rejected is not None:
            return await self._start_rejection(turn, rejected)
        pending = await self._pending(turn)
        if pending is not None:
            return await self._continue_rejection(turn, pending, choice)
        return [self._reply(turn, "review.use_buttons")]

    async def _approve(self, turn: _Turn, registration_id: int) -> list[Reply]:
        try:
            result = await decisions.approve(
                turn.session,
                actor=turn.officer,
                registration_id=registration_id,
                campaign=self._campaign,
                now=turn.now,
            )
        except OutOfScope:
            return [self._reply(turn, "review.error.not_found")]
        if isinstance(result, Rejected):
            return [self._reply(turn, result.message_id)]
        return [self._reply(turn, "review.approved_done", name=result.value.grant.full_name)]

    async def _start_rejection(self, turn: _Turn, registration_id: int) -> list[Reply]:
        try:
            registration = await Scoped(turn.session, turn.officer).registration(registration_id)
        except OutOfScope:
            return [self._reply(turn, "review.error.not_found")]
        if registration.status is not RegistrationStatus.SUBMITTED:
            return [self._reply(turn, "review.error.not_submitted")]
        pending = {"id": registration_id, "name": registration.grant.full_name, "reasons": []}
        await self._remember(turn, pending)
        return [self._reasons(turn, pending)]

    async def _continue_rejection(
        self, turn: _Turn, pending: dict[str, Any], choice: str
    ) -> list[Reply]:
        if choice == STOP or turn.event.kind == "command":
            await self._forget(turn)
            return [self._reply(turn, "review.reject_stopped")]
        if pending.get("stage") == "comment":
            if turn.event.kind != "text" or not clean_text(turn.event.text):
                return [self._ask_comment(turn)]
            return await self._reject(turn, pending, turn.event.text)
        if choice.startswith(TOGGLE) and choice.removeprefix(TOGGLE) in decisions.REASONS:
            code = choice.removeprefix(TOGGLE)
            reasons = pending["reasons"]
            pending["reasons"] = (
                [r for r in reasons if r != code] if code in reasons else [*reasons, code]
            )
            await self._remember(turn, pending)
            return [self._reasons(turn, pending, redraw=True)]
        if choice == DONE:
            if not pending["reasons"]:
                error = self._texts.gettext(turn.lang, "review.error.no_reasons")
                reasons = self._reasons(turn, pending)
                return [Reply(f"{error}\n\n{reasons.text}", reasons.options, multi=True)]
            if "other" in pending["reasons"]:
                pending["stage"] = "comment"
                await self._remember(turn, pending)
                return [self._ask_comment(turn)]
            return await self._reject(turn, pending, None)
        return [self._reasons(turn, pending)]

    async def _reject(
        self, turn: _Turn, pending: dict[str, Any], comment: str | None
    ) -> list[Reply]:
        await self._forget(turn)
        try:
            result = await decisions.reject(
                turn.session,
                actor=turn.officer,
                registration_id=int(pending["id"]),
                reasons=list(pending["reasons"]),
                comment=comment,
                now=turn.now,
            )
        except OutOfScope:
            return [self._reply(turn, "review.error.not_found")]
        if isinstance(result, Rejected):
            return [self._reply(turn, result.message_id)]
        return [self._reply(turn, "review.rejected_done", name=result.value.grant.full_name)]

    def _reasons(self, turn: _Turn, pending: dict[str, Any], *, redraw: bool = False) -> Reply:
        chosen = set(pending["reasons"])
        toggles = tuple(
            Option(
                f"{TOGGLE}{code}",
                self._texts.gettext(turn.lang, f"review.reason.{code}"),
                code in chosen,
            )
            for code in decisions.REASONS
        )
        done = Option(DONE, self._texts.gettext(turn.lang, "option.done"), finishes=True)
        stop = Option(STOP, self._texts.gettext(turn.lang, "option.cancel"))
        text = self._texts.gettext(turn.lang, "review.ask_reasons", name=pending["name"])
        return Reply(text, (*toggles, done, stop), multi=True, updates_previous=redraw)

    def _ask_comment(self, turn: _Turn) -> Reply:
        stop = Option(STOP, self._texts.gettext(turn.lang, "option.cancel"))
        return Reply(self._texts.gettext(turn.lang, "review.ask_comment"), (stop,))

    def _reply(self, turn: _Turn, message_id: str, **params: Any) -> Reply:
        return Reply(self._texts.gettext(turn.lang, message_id, **params))

    # Transient: a half-chosen rejection; losing it means pressing Reject again.
    def _state_key(self, turn: _Turn) -> str:
        return f"review:{turn.key.channel}:{turn.key.chat_id}"

    async def _pending(self, turn: _Turn) -> dict[str, Any] | None:
        raw = await self._state.get(self._state_key(turn))
        return json.loads(raw) if raw else None

    async def _remember(self, turn: _Turn, pending: dict[str, Any]) -> None:
        await self._state.set(self._state_key(turn), json.dumps(pending), ttl=PENDING_SECONDS)

    async def _forget(self, turn: _Turn) -> None:
        await self._state.delete(self._state_key(turn))


def _is_number(text: str) -> bool:
    # ASCII only: `isdigit()` also accepts "²" and other scripts' digits, which `int()` refuses
    # or reads; an id too large for any row is refused by `Scoped` itself.
    return text.isascii() and text.isdigit() and len(text) <= 12
