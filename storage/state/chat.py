"""The transient state of one chat: one map in the state store, read once and written once.

A turn used to read, write and delete each transient value (the field being edited, a payment
in progress, a remembered /start code...) as a key of its own: a round trip each. Now every
value of a chat is a field of one map: the first read of a turn loads the whole map (one round
trip), reads and writes then work on that copy, and `flush` writes what changed in one
pipeline with the map's expiry renewed, after the turn's transaction committed. A turn that
failed writes nothing, so its state is as it was, like its answers.

When the turn's runner holds the chat through `StateStore.hold`, the map was read with the
lock (`use_held_map`): the first read costs no round trip, and `flush` stages the write, which
goes out with the release.
"""

from __future__ import annotations

import json
from typing import Any

from storage.state.base import StateStore
from storage.state.held import HeldMap


class ChatState:
    """A copy of one chat's transient values for the length of one turn."""

    def __init__(self, store: StateStore | HeldMap, key: str, *, ttl: float) -> None:
        self._store = store
        self._key = key
        self._ttl = ttl
        self._values: dict[str, str] | None = None  # None: not read yet
        self._changed: dict[str, str] = {}
        self._removed: set[str] = set()

    async def get(self, name: str) -> Any:
        """Return the value of `name` (JSON-decoded), or None."""
        if self._values is None:
            values = await self._store.get_map(self._key)
            values.update(self._changed)  # written before the first read
            for removed in self._removed:
                values.pop(removed, None)
            self._values = values
        raw = self._values.get(name)
        return json.loads(raw) if raw is not None else None

    def set(self, name: str, value: Any) -> None:
        raw = json.dumps(value)
        if self._values is not None:
            self._values[name] = raw
        self._changed[name] = raw
        self._removed.discard(name)

    def delete(self, name: str) -> None:
        self._changed.pop(name, None)
        if self._values is not None and self._values.pop(name, None) is None:
            return  # read, and not there: nothing to write
        self._removed.add(name)

    async def flush(self) -> None:
        """Write what this turn changed, if anything, in one step."""
        if not self._changed and not self._removed:
            return
        await self._store.put_map(self._key, self._changed, remove=self._removed, ttl=self._ttl)
        self._changed, self._removed = {}, set()


_HELD = "chat_states"
_HELD_MAPS = "held_chat_maps"


def use_held_map(held: dict[str, Any], source: HeldMap) -> None:
    """Have the `ChatState` of `source.key` in `held` (a turn's session info) use `source`."""
    held.setdefault(_HELD_MAPS, {})[source.key] = source


def chat_state(held: dict[str, Any], store: StateStore, key: str, *, ttl: float) -> ChatState:
    """Return the `ChatState` of `key` kept in `held` (a turn's session info), made once."""
    states: dict[str, ChatState] = held.setdefault(_HELD, {})
    if key not in states:
        source = held.get(_HELD_MAPS, {}).get(key, store)
        states[key] = ChatState(source, key, ttl=ttl)
    return states[key]


def take_chat_states(held: dict[str, Any]) -> list[ChatState]:
    """Return and forget the `ChatState`s kept in `held`, for their owner to flush."""
    return list(held.pop(_HELD, {}).values())
