"""The scripted flow of the Telegram channel's tests (see `tests.fakes.scripted_flow`).

The channel's own behaviour (events built from updates, keyboards, edits, files, errors) is
tested against it; the real engine is driven in test_registration_e2e.py.
"""

from __future__ import annotations

import asyncio

from flows.events import ChatKey, Event
from flows.replies import Option, Reply
from tests.fakes.scripted_flow import ScriptedFlow as SharedScript


class ScriptedFlow(SharedScript):
    """Adds /start, the contact request, a gate for files and failures on "boom..."."""

    def __init__(self) -> None:
        super().__init__()
        self.gate: asyncio.Event | None = None  # when given, files wait until it is set

    def of(self, chat_id: int) -> list[Event]:
        return self.events_of(str(chat_id))

    async def channel_script(self, key: ChatKey, event: Event) -> list[Reply] | None:
        if event.kind == "command" and event.command == "start":
            return [self.language_question()]
        if event.kind == "choice" and event.choice == "lang:ky":
            return [Reply("Телефон номериңизди жөнөтүңүз.", request_contact=True)]
        if event.kind == "contact":
            return [Reply("Номер кабыл алынды."), Reply("Окуп жатасызбы?", options=_yes_no())]
        if event.kind == "file" and self.gate is not None:
            await self.gate.wait()
        if event.kind == "text" and event.text and event.text.startswith("boom"):
            raise RuntimeError(f"could not store {event.text!r}")
        return None


def _yes_no() -> tuple[Option, ...]:
    return (Option("yes", "Ооба"), Option("no", "Жок"))
