"""The storage foundations behave the same on every backend."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage.database import Database
from storage.enums import Role
from storage.models import District, Oblast, Officer, School
from storage.state import MemoryStateStore, StateStore


async def test_migrated_database_stores_the_codifier_and_an_officer(database: Database) -> None:
    async with database.session() as session:
        oblast = Oblast(name="Чүй облусу")
        district = District(oblast=oblast, name="Сокулук району")
        session.add_all(
            [oblast, district, School(code="10101", name="№1 мектеп", district=district)]
        )
        session.add(
            Officer(
                role=Role.CENTRAL, phone="+996555000001", full_name="Адм Адм", password_hash="x"
            )
        )
    async with database.session() as session:
        school = (await session.execute(select(School))).scalar_one()
        assert school.district is not None and school.district.oblast.name == "Чүй облусу"
        officer = (await session.execute(select(Officer))).scalar_one()
        assert officer.must_change_password is True
        assert officer.created_at is not None
    assert await database.ping()


async def test_each_test_starts_with_an_empty_database(database: Database) -> None:
    async with database.session() as session:
        assert (await session.execute(select(School))).first() is None


async def test_state_counts_expires_and_marks_once(state: StateStore) -> None:
    assert await state.incr("login:a", ttl=60) == 1
    assert await state.incr("login:a", ttl=60) == 2
    assert await state.incr("login:a", ttl=60, amount=-1) == 1  # a login given back
    assert await state.mark_once("update:1") is True
    assert await state.mark_once("update:1") is False
    await state.set("short", "v", ttl=0.05)
    assert await state.get("short") == "v"
    await asyncio.sleep(0.1)
    assert await state.get("short") is None


async def test_lock_serializes_holders_of_one_key(state: StateStore) -> None:
    order: list[str] = []

    async def hold(name: str) -> None:
        async with state.lock("chat:1", expires_after=5):
            order.append(f"{name}-in")
            await asyncio.sleep(0.02)
            order.append(f"{name}-out")

    await asyncio.gather(hold("a"), hold("b"))
    assert order in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])


async def test_a_holder_that_lost_its_lock_does_not_write_over_the_next_holder(
    state: StateStore,
) -> None:
    import pytest

    if isinstance(state, MemoryStateStore):
        pytest.skip("in one process a holder cannot outlive its lock")
    from redis.exceptions import LockNotOwnedError

    from storage.state.chat import ChatState

    entered = asyncio.Event()

    async def stalled() -> None:
        async with state.hold(
            "chat:telegram:9", map_key="flow:telegram:9", expires_after=0.1
        ) as held:
            chat = ChatState(held, "flow:telegram:9", ttl=60)
            chat.set("edit", "stale")
            await chat.flush()
            entered.set()
            await asyncio.sleep(0.4)  # the lock expires meanwhile

    async def next_holder() -> None:
        await entered.wait()
        async with state.hold(
            "chat:telegram:9", map_key="flow:telegram:9", expires_after=5
        ) as held:
            chat = ChatState(held, "flow:telegram:9", ttl=60)
            chat.set("edit", "fresh")
            await chat.flush()

    results = await asyncio.gather(stalled(), next_holder(), return_exceptions=True)
    assert isinstance(results[0], LockNotOwnedError) and results[1] is None
    assert await state.get_map("flow:telegram:9") == {"edit": '"fresh"'}


async def test_a_holder_renews_its_lock_and_learns_when_it_was_lost(state: StateStore) -> None:
    import pytest

    if isinstance(state, MemoryStateStore):
        pytest.skip("in one process a holder cannot outlive its lock")
    from redis.exceptions import LockNotOwnedError

    held_key, lock_key = "chat:telegram:10", "lock:chat:telegram:10"
    async with state.hold(held_key, map_key="flow:telegram:10", expires_after=0.3) as held:
        await asyncio.sleep(0.2)
        assert await held.renew()
        await asyncio.sleep(0.2)  # past the first 0.3 s: still held thanks to the renewal
        assert not await state.set_if_absent(lock_key, "another", ttl=5)
    with pytest.raises(LockNotOwnedError):
        async with state.hold(held_key, map_key="flow:telegram:10", expires_after=0.1) as held:
            await asyncio.sleep(0.25)
            assert not await held.renew()  # expired: told, and nothing is extended
