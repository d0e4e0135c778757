"""Where document photos live: content-addressed by SHA-256."""

from __future__ import annotations

import abc
import hashlib
import re

_KEY = re.compile(r"^[0-9a-f]{64}$")


def sharded_name(key: str) -> str:
    """Return ``ab/cd/abcd…`` for `key`, refusing anything but a sha256 hex digest.

    The check keeps a crafted key from naming a path or an object outside the store.
    """
    if not _KEY.match(key):
        raise ValueError("file keys are sha256 hex digests")
    return f"{key[:2]}/{key[2:4]}/{key}"


class FileStore(abc.ABC):
    """Stores bytes under their SHA-256; storing the same bytes twice keeps one copy."""

    @abc.abstractmethod
    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store `data` under `key` (its sha256 hex digest)."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes:
        """Return the bytes stored under `key`; raise FileNotFoundError when absent."""

    @abc.abstractmethod
    async def exists(self, key: str) -> bool:
        """Tell whether `key` is stored."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove `key`; absent keys are ignored."""

    async def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release the store's connections (once, at shutdown)."""

    async def put(self, data: bytes) -> str:
        """Store `data` and return its key."""
        key = hashlib.sha256(data).hexdigest()
        if not await self.exists(key):
            await self.put_bytes(key, data)
        return key
