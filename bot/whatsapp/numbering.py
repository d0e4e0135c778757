"""Numbered choices: the options last shown in a chat, and answers like "2" or "1, 3, 5".

WhatsApp has no buttons for free-form messages, so choices are shown as a numbered list and
answered by number (or by the option's word). The numbers mean something only for the list
last shown, which is kept in the state store for a few hours; when it is lost, the answer goes
to the flow as plain text and the flow asks its question again (the draft is the state).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from core.typed import ascii_digits
from flows.replies import Reply
from storage.state import StateStore

TTL_SECONDS = 6 * 3600
_NUMBER_LIST = re.compile(r"^\s*[0-9]{1,3}(?:\s*[,;\s]\s*[0-9]{1,3})*\s*[.,;]?\s*$")


@dataclass(frozen=True)
class Numbered:
    """The options of one shown list: number n answers `ids[n - 1]`, 0 answers `zero`."""

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    multi: bool = False
    zero: str | None = None
    zero_label: str | None = None

    @classmethod
    def of(cls, reply: Reply) -> Numbered | None:
        """Return the numbering of `reply`'s options (a multi-choice's "done" becomes 0)."""
        if not reply.options:
            return None
        shown = [o for o in reply.options if not (reply.multi and o.finishes)]
        done = next((o for o in reply.options if reply.multi and o.finishes), None)
        return cls(
            ids=tuple(o.id for o in shown),
            labels=tuple(o.label for o in shown),
            multi=reply.multi,
            zero=done.id if done else None,
            zero_label=done.label if done else None,
        )

    def resolve(self, text: str) -> list[str] | None:
        """Return the option ids `text` picks, in order, or None when it picks none."""
        text = ascii_digits(text)
        if _NUMBER_LIST.match(text):
            numbers = [int(n) for n in re.findall(r"[0-9]+", text)]
            if not self.multi and len(numbers) != 1:
                return None
            picked: list[str] = []
            for number in numbers:
                if number == 0 and self.zero is not None:
                    option = self.zero
                elif 1 <= number <= len(self.ids):
                    option = self.ids[number - 1]
                else:
                    return None
                if option not in picked:
                    picked.append(option)
            if self.zero in picked:  # "done" last, after the toggles written with it
                picked.remove(self.zero)
                picked.append(self.zero)
            return picked
        word = _fold(text)
        for option, label in zip(self.ids, self.labels, strict=True):
            if word == _fold(label):
                return [option]
        if self.zero is not None and self.zero_label and word == _fold(self.zero_label):
            return [self.zero]
        return None

    def to_json(self) -> str:
        return json.dumps(
            [list(self.ids), list(self.labels), self.multi, self.zero, self.zero_label],
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> Numbered:
        ids, labels, multi, zero, zero_label = json.loads(raw)
        return cls(tuple(ids), tuple(labels), bool(multi), zero, zero_label)


class NumberedMemory:
    """Keeps the last numbered list shown in each chat."""

    def __init__(self, state: StateStore, *, ttl: float = TTL_SECONDS) -> None:
        self._state = state
        self._ttl = ttl

    async def remember(self, chat_id: str, numbered: Numbered | None) -> None:
        """Keep `numbered` as the chat's current list; None forgets the list."""
        if numbered is None:
            await self._state.delete(_key(chat_id))
        else:
            await self._state.set(_key(chat_id), numbered.to_json(), ttl=self._ttl)

    async def recall(self, chat_id: str) -> Numbered | None:
        raw = await self._state.get(_key(chat_id))
        return Numbered.from_json(raw) if raw else None


def _fold(text: str) -> str:
    return " ".join(text.replace("✅", "").replace("⬜", "").split()).casefold().strip(" .!")


def _key(chat_id: str) -> str:
    return f"whatsapp:numbered:{chat_id}"
