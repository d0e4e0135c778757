"""A tiny stand-in for the flow engine: records the events and answers by a fixed script.

The part of the script every channel shares lives here (a language question, a multiple choice
of subjects, echoes of text, files and unsupported messages). Each channel's tests add their own
cases in a subclass (`channel_script`, `otherwise`) and say how a test names a chat (`of`).
"""

from __future__ import annotations

from flows.events import ChatKey, Event
from flows.replies import Option, Reply

SUBJECTS = ("math", "physics", "chemistry")


class ScriptedFlow:
    """Records every event, then answers by the channel's cases first, the shared ones next."""

    def __init__(self) -> None:
        self.events: list[tuple[ChatKey, Event]] = []
        self.toggled: dict[str, set[str]] = {}
        self.last: dict[str, list[Reply]] = {}  # per chat: what it is being asked now
        self.resumed: list[ChatKey] = []

    def events_of(self, chat_id: str) -> list[Event]:
        """Return the events of one chat, oldest first."""
        return [event for key, event in self.events if key.chat_id == chat_id]

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        self.events.append((key, event))
        replies = await self.channel_script(key, event)
        replies = replies if replies is not None else self._shared_script(key, event)
        self.last[key.chat_id] = replies
        return replies

    # The `flows.conversation.Conversation` the turn runner drives (the session is unused).
    async def respond(self, session: object, key: ChatKey, event: Event) -> list[Reply]:
        return await self.handle(key, event)

    async def resume(self, session: object, key: ChatKey, event: Event) -> list[Reply]:
        self.resumed.append(key)
        return self.last.get(key.chat_id, [])

    async def channel_script(self, key: ChatKey, event: Event) -> list[Reply] | None:
        """Answer a channel's own cases, or None to fall through to the shared script."""
        return None

    def otherwise(self, key: ChatKey, event: Event) -> list[Reply]:
        """Answer what no case matched."""
        return [Reply("?")]

    @staticmethod
    def language_question() -> Reply:
        return Reply(
            "Тилди тандаңыз / Выберите язык",
            options=(Option("lang:ky", "Кыргызча"), Option("lang:ru", "Русский")),
        )

    def _shared_script(self, key: ChatKey, event: Event) -> list[Reply]:
        if event.kind == "text" and event.text == "subjects":
            return [self._subjects(key, updates_previous=False)]
        if event.kind == "choice" and event.choice and event.choice.startswith("subject:"):
            chosen = self.toggled.setdefault(key.chat_id, set())
            chosen ^= {event.choice.removeprefix("subject:")}
            return [self._subjects(key, updates_previous=True)]
        if event.kind == "choice" and event.choice == "done":
            return [Reply("Тандалды: " + ", ".join(sorted(self.toggled.get(key.chat_id, ()))))]
        if event.kind == "text":
            return [Reply(f"Жооп: {event.text}")]
        if event.kind == "file":
            assert event.file is not None
            return [Reply(f"Файл алынды: {len(event.file.data)} байт.")]
        if event.kind == "unsupported":
            return [Reply(f"Түшүнбөдүм ({event.unsupported}).")]
        return self.otherwise(key, event)

    def _subjects(self, key: ChatKey, *, updates_previous: bool) -> Reply:
        chosen = self.toggled.get(key.chat_id, set())
        options = tuple(
            Option(f"subject:{code}", code.title(), selected=code in chosen) for code in SUBJECTS
        )
        return Reply(
            "Предметтерди тандаңыз",
            options=(*options, Option("done", "Даяр", finishes=True)),
            multi=True,
            updates_previous=updates_previous,
        )
