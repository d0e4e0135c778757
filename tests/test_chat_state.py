"""A chat's transient state: one map, read once per turn, written once after the commit."""

from __future__ import annotations

import asyncio

from storage.state import StateStore
from storage.state.chat import ChatState, chat_state, take_chat_states


class CountingStore:
    """Counts the map reads and writes that reach the store."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.reads = 0
        self.writes = 0

    async def get_map(self, key: str) -> dict[str, str]:
        self.reads += 1
        return await self.store.get_map(key)

    async def put_map(self, key: str, values, *, remove=(), ttl: float) -> None:  # noqa: ANN001
        self.writes += 1
        await self.store.put_map(key, values, remove=remove, ttl=ttl)


async def test_a_turn_reads_the_map_once_and_writes_it_once(state: StateStore) -> None:
    store = CountingStore(state)
    turn = ChatState(store, "flow:telegram:1", ttl=60)  # type: ignore[arg-type]
    assert await turn.get("edit") is None
    assert await turn.get("payment") is None
    turn.set("edit", "street")
    turn.set("payment", {"id": 7, "step": "type"})
    turn.delete("code")  # never there: nothing to write for it
    assert await turn.get("edit") == "street"
    await turn.flush()
    assert (store.reads, store.writes) == (1, 1)

    following = ChatState(store, "flow:telegram:1", ttl=60)  # type: ignore[arg-type]
    assert await following.get("payment") == {"id": 7, "step": "type"}
    following.delete("payment")
    await following.flush()
    assert await state.get_map("flow:telegram:1") == {"edit": '"street"'}


async def test_nothing_changed_writes_nothing(state: StateStore) -> None:
    store = CountingStore(state)
    turn = ChatState(store, "flow:telegram:2", ttl=60)  # type: ignore[arg-type]
    assert await turn.get("edit") is None
    turn.delete("edit")
    await turn.flush()
    assert store.writes == 0


async def test_a_write_before_the_first_read_is_what_the_turn_reads(state: StateStore) -> None:
    await state.put_map("flow:whatsapp:3", {"edit": '"city"', "code": '"KX7M2P9Q"'}, ttl=60)
    turn = ChatState(state, "flow:whatsapp:3", ttl=60)
    turn.set("edit", "village")
    turn.delete("code")
    assert await turn.get("edit") == "village"
    assert await turn.get("code") is None
    await turn.flush()
    assert await state.get_map("flow:whatsapp:3") == {"edit": '"village"'}


async def test_a_turn_that_is_not_flushed_leaves_the_state_as_it_was(state: StateStore) -> None:
    session_info: dict = {}
    turn = chat_state(session_info, state, "flow:telegram:4", ttl=60)
    assert chat_state(session_info, state, "flow:telegram:4", ttl=60) is turn
    turn.set("edit", "pin")
    # The transaction rolled back: its owner never takes the states out to flush them.
    assert await state.get_map("flow:telegram:4") == {}
    [taken] = take_chat_states(session_info)
    assert taken is turn and take_chat_states(session_info) == []


async def test_the_map_expires_after_its_last_write(state: StateStore) -> None:
    await state.put_map("flow:telegram:5", {"edit": '"street"'}, ttl=0.2)
    assert await state.get_map("flow:telegram:5") == {"edit": '"street"'}
    await asyncio.sleep(0.35)
    assert await state.get_map("flow:telegram:5") == {}


async def test_a_held_chat_reads_its_map_with_the_lock_and_writes_it_with_the_release(
    state: StateStore,
) -> None:
    await state.put_map("flow:telegram:2", {"edit": '"street"', "code": '"A1"'}, ttl=60)
    async with state.hold("chat:telegram:2", map_key="flow:telegram:2", expires_after=5) as held:
        first = ChatState(held, "flow:telegram:2", ttl=60)
        assert await first.get("edit") == "street"
        first.set("payment", {"id": 7})
        first.delete("code")
        await first.flush()
        assert await state.get_map("flow:telegram:2") == {"edit": '"street"', "code": '"A1"'}
        # A second turn under the same hold sees the first one's writes.
        second = ChatState(held, "flow:telegram:2", ttl=60)
        assert await second.get("payment") == {"id": 7}
        assert await second.get("code") is None
        second.delete("edit")
        await second.flush()
    assert await state.get_map("flow:telegram:2") == {"payment": '{"id": 7}'}


async def test_holders_of_one_chat_take_turns_and_each_sees_the_last_ones_map(
    state: StateStore,
) -> None:
    async def turn(n: int) -> None:
        async with state.hold("chat:telegram:3", map_key="flow:telegram:3", expires_after=5) as m:
            chat = ChatState(m, "flow:telegram:3", ttl=60)
            count = await chat.get("count") or 0
            await asyncio.sleep(0.01)  # a lost update shows here if two turns overlap
            chat.set("count", count + 1)
            await chat.flush()

    await asyncio.gather(*(turn(n) for n in range(5)))
    assert await state.get_map("flow:telegram:3") == {"count": "5"}


async def test_a_turn_that_failed_under_the_hold_writes_nothing(state: StateStore) -> None:
    try:
        async with state.hold("chat:telegram:4", map_key="flow:telegram:4") as held:
            chat = ChatState(held, "flow:telegram:4", ttl=60)
            chat.set("edit", "pin")  # not flushed: the turn's transaction did not commit
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    assert await state.get_map("flow:telegram:4") == {}
    async with state.hold("chat:telegram:4", map_key="flow:telegram:4"):
        pass  # and the chat was released
