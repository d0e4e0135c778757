"""A held key and the map read with it: one round trip to take both, one to write and release.

A turn holds its chat and reads the chat's transient map; at its end it writes what changed
and releases the chat. Done separately, that is four round trips to the state store (lock,
read, write, release). `StateStore.hold` takes the lock and reads the map in one step, and
`HeldMap` answers the turn's reads from that copy and keeps its writes until the hold ends,
when they are written together with the release. A write staged by a holder that lost the
lock (it expired while the holder was stalled) is dropped, not written over the new holder's:
the map is transient, losing it costs a re-ask.

What a reply is about to show must be stored before the reply goes out (`save`): a process
killed after showing a ticked toggle but before its release would otherwise leave the map as
it was before the tick, and "Done" would store the choice without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping

# Writes staged changes (values, removed names, ttl) while the lock holds; False: lost.
Write = Callable[[dict[str, str], set[str], float], Awaitable[bool]]


class HeldMap:
    """The map under `key` as read when its hold was taken, and the writes since."""

    def __init__(
        self,
        key: str,
        values: Mapping[str, str],
        *,
        renew: Callable[[], Awaitable[bool]] | None = None,
        write: Write | None = None,
    ) -> None:
        self.key = key
        self._renew = renew
        self._write = write
        self._values = dict(values)
        self.changed: dict[str, str] = {}
        self.removed: set[str] = set()
        self.ttl: float | None = None  # None: nothing to write

    async def renew(self) -> bool:
        """Give the lock its whole time again (a hold running several turns); False: lost."""
        return await self._renew() if self._renew is not None else True

    async def save(self) -> bool:
        """Write the staged changes now, still holding; False: the lock was lost, nothing written.

        Without a writer (a store that writes only with the release) the changes stay staged.
        """
        if self.ttl is None or self._write is None:
            return True
        if not await self._write(dict(self.changed), set(self.removed), self.ttl):
            return False
        self.changed, self.removed, self.ttl = {}, set(), None
        return True

    async def get_map(self, key: str) -> dict[str, str]:
        """Return the map as this holder sees it (no round trip)."""
        self._check(key)
        return dict(self._values)

    async def put_map(
        self, key: str, values: Mapping[str, str], *, remove: Collection[str] = (), ttl: float
    ) -> None:
        """Stage a write; it reaches the store when the hold ends."""
        self._check(key)
        for name in remove:
            self._values.pop(name, None)
            self.changed.pop(name, None)
            self.removed.add(name)
        for name, value in values.items():
            self._values[name] = value
            self.changed[name] = value
            self.removed.discard(name)
        self.ttl = ttl

    def _check(self, key: str) -> None:
        if key != self.key:
            raise KeyError(f"this hold carries the map {self.key!r}, not {key!r}")
