"""A tiny stand-in for the flow engine: records events and answers by a fixed script.

The channel's mechanics (events built from webhooks, numbered lists, files, errors) are tested
against it; the real engine is driven in test_registration_e2e.py.
"""

from __future__ import annotations

import asyncio

from flows.events import ChatKey, Event
from flows.replies import Option, Reply

SUBJECTS = ("math", "physics", "chemistry")


class ScriptedFlow:
    def __init__(self) -> None:
        self.events: list[tuple[ChatKey, Event]] = []
        self.toggled: dict[str, set[str]] = {}
        self.gates: dict[str, asyncio.Event] = {}  # text -> released when set
        self.seen: dict[str, asyncio.Event] = {}  # text -> set when it reaches the flow
        self.long_text = ""

    def of(self, phone: str) -> list[Event]:
        return [event for key, event in self.events if key.chat_id == f"whatsapp:{phone}"]

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        self.events.append((key, event))
        if event.text in self.seen:
            self.seen[event.text].set()
        if event.text in self.gates:
            await self.gates[event.text].wait()
        if event.kind == "command":
            return [
                Reply(
                    "Тилди тандаңыз / Выберите язык",
                    options=(Option("lang:ky", "Кыргызча"), Option("lang:ru", "Русский")),
                )
            ]
        if event.kind == "choice" and event.choice and event.choice.startswith("subject:"):
            chosen = self.toggled.setdefault(key.chat_id, set())
            chosen ^= {event.choice.removeprefix("subject:")}
            return [self._subjects(key, updates_previous=True)]
        if event.kind == "choice" and event.choice == "done":
            return [Reply("Тандалды: " + ", ".join(sorted(self.toggled.get(key.chat_id, ()))))]
        if event.kind == "choice":
            return [Reply(f"Тандоо: {event.choice}")]
        if event.kind == "text" and event.text == "subjects":
            return [self._subjects(key, updates_previous=False)]
        if event.kind == "text" and event.text == "long":
            return [Reply(self.long_text)]
        if event.kind == "text" and event.text == "boom":
            passport, pin = "AN1234567", "21234567890123"
            raise RuntimeError(f"passport {passport} pin {pin}")
        if event.kind == "text":
            return [Reply(f"Жооп: {event.text}")]
        if event.kind == "file":
            assert event.file is not None
            if event.file.data.startswith(b"not an image"):
                return [Reply("Бул сүрөт эмес.")]
            return [Reply(f"Файл алынды: {len(event.file.data)} байт.")]
        if event.kind == "unsupported":
            return [Reply(f"Түшүнбөдүм ({event.unsupported}).")]
        return [Reply("?")]

    def _subjects(self, key: ChatKey, *, updates_previous: bool) -> Reply:
        chosen = self.toggled.get(key.chat_id, set())
        options = tuple(
            Option(f"subject:{code}", code.title(), selected=code in chosen) for code in SUBJECTS
        )
        return Reply(
            "Предметтерди тандаңыз",
            options=(*options, Option("done", "Даяр")),
            multi=True,
            updates_previous=updates_previous,
        )
