"""Typed cities and districts matched with the codifier's names (flows.places)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, select

import storage.repositories.places as places_repository
from access.codifier import import_codifier, parse_codifier
from flows import places
from storage.database import Database
from storage.models import District, Oblast
from storage.repositories.places import NAMES_KEPT_SECONDS, district_and_city_names

KNOWN = ["Аламүдүн району", "Бишкек шаары", "Ленин району", "Ош шаары", "Сокулук району"]


@pytest.mark.parametrize(
    ("typed", "exact"),
    [
        ("Сокулук", "Сокулук району"),
        ("сокулук району", "Сокулук району"),
        ("г. Ош", "Ош шаары"),
        ("Бишкек ш.", "Бишкек шаары"),
        ("Аламудун", "Аламүдүн району"),  # typed on a Russian keyboard
    ],
)
def test_the_same_place_however_written(typed, exact):
    assert places.exact(typed, KNOWN) == exact


@pytest.mark.parametrize(
    ("typed", "close"),
    [
        ("Сокулукский район", ["Сокулук району"]),
        ("Сакулук", ["Сокулук району"]),
        ("Ленинский р-н", ["Ленин району"]),
    ],
)
def test_close_names_are_offered(typed, close):
    assert places.exact(typed, KNOWN) is None
    assert places.close(typed, KNOWN) == close


@pytest.mark.parametrize("typed", ["Кара-Балта", "Салам", "Ош-Ата", "Ак"])
def test_other_places_match_nothing(typed):
    assert places.exact(typed, KNOWN) is None and places.close(typed, KNOWN) == []


async def test_the_codifier_names_are_read_once_and_again_after_a_while(
    database: Database, grant, monkeypatch
) -> None:
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with database.session() as s:
            first = await district_and_city_names(s)
        async with database.session() as s:  # an officer imports a district meanwhile
            oblast = await s.scalar(select(Oblast))
            s.add(District(oblast_id=oblast.id, name="Ысык-Ата району"))
        statements.clear()
        async with database.session() as s:
            assert await district_and_city_names(s) == first  # kept: not read again
        assert not [s for s in statements if "districts" in s]

        later = time.monotonic() + NAMES_KEPT_SECONDS + 1
        monkeypatch.setattr(places_repository, "_clock", lambda: later)
        async with database.session() as s:
            assert "Ысык-Ата району" in await district_and_city_names(s)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)


async def test_a_district_imported_with_the_codifier_is_matched_at_once(
    database: Database, grant
) -> None:
    async with database.session() as s:
        assert "Ысык-Ата району" not in await district_and_city_names(s)  # now kept
    rows = "code,name,district,oblast\n10101,Ысык-Ата мектеби,Ысык-Ата району,Чүй облусу\n"
    report = parse_codifier(rows.encode(), "codifier.csv")
    async with database.session() as s:
        await import_codifier(s, actor=None, report=report)
        # Not forgotten before the import commits: a turn now would keep the old names again.
        assert "Ысык-Ата району" not in await district_and_city_names(s)
    async with database.session() as s:
        assert "Ысык-Ата району" in await district_and_city_names(s)
