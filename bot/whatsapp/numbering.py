"""Numbered choices: the options last shown in a chat, and answers like "2" or "1, 3, 5".

WhatsApp has no buttons for free-form messages, so choices are shown as a numbered list and
answered by number (or by the option's word). The numbers mean something only for the list
last shown, which is kept for a few hours in the chat's transient map; when it is lost, the
answer goes to the flow as plain text and the flow asks its question again (the draft is the
state).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.typed import ascii_digits
from flows.events import ChatKey
from flows.replies import Reply
from flows.turn import STATE_TTL, chat_state_key
from storage.enums import Channel
from storage.state import StateStore
from storage.state.chat import ChatState

TTL_SECONDS = 6 * 3600
NUMBERED_LIST = "wa_numbered"  # the field of the chat's transient map
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
    """Keeps the last numbered list shown in a chat, as a field of the chat's transient map.

    Inside a turn the map was read with the chat's lock, so recalling costs no round trip and
    remembering is written with the release. A list older than `ttl` answers no number. A
    message sent outside a turn (the outbox's) writes its list at once (`remember_sent`); a
    turn of the same chat running meanwhile writes only the fields it changed, so the list it
    sent itself wins only if it sent one.
    """

    def __init__(
        self, store: StateStore, *, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock

    def remember(self, state: ChatState, numbered: Numbered | None) -> None:
        """Keep `numbered` as the chat's current list; None forgets the list."""
        if numbered is None:
            state.delete(NUMBERED_LIST)
        else:
            until = self._clock() + self._ttl
            state.set(NUMBERED_LIST, {"list": numbered.to_json(), "until": until})

    async def remember_sent(self, chat_id: str, numbered: Numbered) -> None:
        """Keep the list of a message sent outside a turn of the chat (one write)."""
        key = chat_state_key(ChatKey(Channel.WHATSAPP, chat_id))
        state = ChatState(self._store, key, ttl=STATE_TTL)
        self.remember(state, numbered)
        await state.flush()

    async def recall(self, state: ChatState) -> Numbered | None:
        kept = await state.get(NUMBERED_LIST)
        if not isinstance(kept, dict) or kept.get("until", 0) < self._clock():
            return None
        return Numbered.from_json(kept["list"])


def _fold(text: str) -> str:
    return " ".join(text.replace("✅", "").replace("⬜", "").split()).casefold().strip(" .!")
