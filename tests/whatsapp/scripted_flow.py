"""The scripted flow of the WhatsApp channel's tests (see `tests.fakes.scripted_flow`).

The channel's mechanics (events built from webhooks, numbered lists, files, errors) are tested
against it; the real engine is driven in test_registration_e2e.py.
"""

from __future__ import annotations

import asyncio

from flows.events import ChatKey, Event
from flows.replies import Reply
from tests.fakes.scripted_flow import ScriptedFlow as SharedScript


class ScriptedFlow(SharedScript):
    """Adds gates and sightings by text, a long answer, a failure leaking private data."""

    def __init__(self) -> None:
        super().__init__()
        self.gates: dict[str, asyncio.Event] = {}  # text -> released when set
        self.seen: dict[str, asyncio.Event] = {}  # text -> set when it reaches the flow
        self.long_text = ""

    def of(self, phone: str) -> list[Event]:
        return self.events_of(f"whatsapp:{phone}")

    async def channel_script(self, key: ChatKey, event: Event) -> list[Reply] | None:
        if event.text in self.seen:
            self.seen[event.text].set()
        if event.text in self.gates:
            await self.gates[event.text].wait()
        if event.kind == "command":
            return [self.language_question()]
        if event.kind == "text" and event.text == "long":
            return [Reply(self.long_text)]
        if event.kind == "text" and event.text == "boom":
            passport, pin = "AN1234567", "21234567890123"
            raise RuntimeError(f"passport {passport} pin {pin}")
        if event.kind == "file" and event.file and event.file.data.startswith(b"not an image"):
            return [Reply("Бул сүрөт эмес.")]
        return None

    def otherwise(self, key: ChatKey, event: Event) -> list[Reply]:
        if event.kind == "choice":
            return [Reply(f"Тандоо: {event.choice}")]
        return super().otherwise(key, event)
