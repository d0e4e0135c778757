"""The school codifier: files in every shape people send, all-or-nothing import, search."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from access.audit import list_audit
from access.codifier import (
    UNLISTED_CODE,
    find_school,
    import_codifier,
    list_districts,
    parse_codifier,
    search_schools,
)
from access.exceptions import AccessDenied, ReportHasErrors
from access.scope import Scope
from storage.database import Database
from storage.models import District, Oblast, School
from tests.factories import World

CSV = (
    "code,name,district,oblast\n"
    "30101,Бишкек шаарындагы №5 гимназия,Ленин району,Бишкек шаары\n"
    "30102,Средняя школа №61,Свердлов району,Бишкек шаары\n"
    "40101,А. Навои атындагы орто мектеп,Ош шаары,Ош шаары\n"
)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_with_bom_semicolons_and_russian_headers_is_read() -> None:
    text = "\ufeffКод;Название;Район;Область\n30101;Гимназия №5;Ленинский район;г. Бишкек\n\n"
    report = parse_codifier(text.encode(), "schools.csv")
    assert report.ok
    assert [(r.line, r.code, r.district) for r in report.rows] == [(2, "30101", "Ленинский район")]


def test_windows_1251_csv_is_read() -> None:
    text = "коду;аталышы;району;облусу\r\n30101;Гимназия №5;Ленин району;Бишкек шаары\r\n"
    report = parse_codifier(text.encode("cp1251"), "SCHOOLS.CSV")
    assert report.ok and report.rows[0].name == "Гимназия №5"


def test_xlsx_with_numeric_codes_and_kyrgyz_headers_is_read() -> None:
    data = xlsx(
        [
            ["Мектептин коду", "Аталышы", "Район", "Облус"],
            [30101, "Гимназия №5", "Ленин району", "Бишкек шаары"],
            [None, None, None, None],
            [30102.0, "№61 орто мектеп", "Свердлов району", "Бишкек шаары"],
        ]
    )
    report = parse_codifier(data, "codifier.xlsx")
    assert report.ok
    assert [(r.line, r.code) for r in report.rows] == [(2, "30101"), (4, "30102")]


@pytest.mark.parametrize(
    ("data", "filename", "message_id"),
    [
        (b"code,name,district\n1,A,B\n", "a.csv", "access.file.missing_column.oblast"),
        (b"\x00\x01garbage", "a.xlsx", "access.file.unreadable"),
        (b"code,name", "a.xls", "access.file.format"),
        (b"   ", "a.csv", "access.file.empty"),
    ],
)
def test_unusable_files_are_refused_whole(data: bytes, filename: str, message_id: str) -> None:
    report = parse_codifier(data, filename)
    assert not report.ok and report.file_error is not None
    assert report.file_error.message_id == message_id


def test_bad_rows_are_listed_with_their_lines() -> None:
    text = (
        "code,name,district,oblast\n"
        "30101,Гимназия №5,Ленин району,Бишкек шаары\n"
        "9999,Жок,Ленин району,Бишкек шаары\n"
        "30101,Дагы,Ленин району,Бишкек шаары\n"
        "3O1O3,Тамга,Ленин району,Бишкек шаары\n"
        "30104,,Ленин району,Бишкек шаары\n"
        "30105,Мектеп,,Бишкек шаары\n"
    )
    report = parse_codifier(text.encode(), "a.csv")
    assert [(e.line, e.message_id) for e in report.errors] == [
        (3, "access.codifier.code_reserved"),
        (4, "access.codifier.code_duplicate"),
        (5, "access.codifier.code_format"),
        (6, "access.codifier.name_missing"),
        (7, "access.codifier.district_missing"),
    ]
    assert report.errors[1].params == {"code": "30101", "line": 2}


async def test_import_creates_then_updates_and_is_idempotent(
    database: Database, world: World
) -> None:
    async with database.session() as s:
        first = await import_codifier(
            s, actor=world.admin, report=parse_codifier(CSV.encode(), "a.csv")
        )
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    renamed = CSV.replace("Средняя школа №61", "Средняя школа-гимназия №61")
    async with database.session() as s:
        again = await import_codifier(
            s, actor=None, report=parse_codifier(renamed.encode(), "a.csv")
        )
        entries, _ = await list_audit(s, actor=world.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert [e.action for e in entries] == ["codifier.import", "codifier.import"]
    async with database.session() as s:
        bishkek = await s.scalar(select(Oblast).where(Oblast.name == "Бишкек шаары"))
        districts = await s.scalar(
            select(func.count()).select_from(District).where(District.oblast_id == bishkek.id)
        )
        unlisted = await find_school(s, UNLISTED_CODE)
        names = [d.name for d in await list_districts(s)]
    assert districts == 2
    assert unlisted is not None and unlisted.district_id is None
    assert "Ош шаары" in names and "Сокулук району" in names


async def test_a_file_with_errors_imports_nothing(database: Database, world: World) -> None:
    report = parse_codifier((CSV + "30101,Дубль,Ленин району,Бишкек шаары\n").encode(), "a.csv")
    async with database.session() as s:
        with pytest.raises(ReportHasErrors):
            await import_codifier(s, actor=world.admin, report=report)
        with pytest.raises(AccessDenied):
            await import_codifier(
                s, actor=world.sokuluk_coordinator, report=parse_codifier(CSV.encode(), "a.csv")
            )
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(School)) == 3


async def test_search_by_code_prefix_or_cyrillic_name_within_scope(
    database: Database, world: World
) -> None:
    async with database.session() as s:
        by_name = await search_schools(s, scope=Scope.of(world.admin), query="АЙТМАТОВ")
        by_code = await search_schools(s, scope=Scope.of(world.admin), query="101")
        mine = await search_schools(s, scope=Scope.of(world.sokuluk_coordinator), query="мектеби")
        with_unlisted = await search_schools(
            s, scope=Scope.of(world.sokuluk_coordinator), query="", include_unlisted=True
        )
    assert [x.code for x in by_name] == ["10102"]
    assert [x.code for x in by_code] == ["10101", "10102"]
    assert [x.code for x in mine] == ["10101"]
    assert [x.code for x in with_unlisted] == ["9999", "10101", "10102"]
