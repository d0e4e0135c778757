"""A tiny stand-in for the flow engine: records the events and answers by a fixed script.

The channel's own behaviour (events built from updates, keyboards, edits, files, errors) is
tested against it; the real engine is driven in test_registration_e2e.py.
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
        self.gate: asyncio.Event | None = None  # when given, files wait until it is set

    def of(self, chat_id: int) -> list[Event]:
        return [event for key, event in self.events if key.chat_id == str(chat_id)]

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        self.events.append((key, event))
        if event.kind == "command" and event.command == "start":
            return [
                Reply(
                    "Тилди тандаңыз / Выберите язык",
                    options=(Option("lang:ky", "Кыргызча"), Option("lang:ru", "Русский")),
                )
            ]
        if event.kind == "choice" and event.choice == "lang:ky":
            return [Reply("Телефон номериңизди жөнөтүңүз.", request_contact=True)]
        if event.kind == "text" and event.text == "subjects":
            return [self._subjects(key, updates_previous=False)]
        if event.kind == "choice" and event.choice and event.choice.startswith("subject:"):
            chosen = self.toggled.setdefault(key.chat_id, set())
            chosen ^= {event.choice.removeprefix("subject:")}
            return [self._subjects(key, updates_previous=True)]
        if event.kind == "choice" and event.choice == "done":
            chosen = sorted(self.toggled.get(key.chat_id, set()))
            return [Reply("Тандалды: " + ", ".join(chosen))]
        if event.kind == "contact":
            return [Reply("Номер кабыл алынды."), Reply("Окуп жатасызбы?", options=_yes_no())]
        if event.kind == "file":
            assert event.file is not None
            if self.gate is not None:
                await self.gate.wait()
            return [Reply(f"Файл алынды: {len(event.file.data)} байт.")]
        if event.kind == "text" and event.text and event.text.startswith("boom"):
            raise RuntimeError(f"could not store {event.text!r}")
        if event.kind == "text":
            return [Reply(f"Жооп: {event.text}")]
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


def _yes_no() -> tuple[Option, ...]:
    return (Option("yes", "Ооба"), Option("no", "Жок"))
