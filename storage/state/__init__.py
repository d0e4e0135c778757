"""Transient state backends."""

from storage.state.base import StateStore
from storage.state.memory import MemoryStateStore

__all__ = ["MemoryStateStore", "StateStore", "state_store_from_url"]


def state_store_from_url(url: str | None) -> StateStore:
    """Return Redis state for a redis:// URL, in-process state otherwise."""
    if url:
        from storage.state.redis import RedisStateStore

        return RedisStateStore.from_url(url)
    return MemoryStateStore()
