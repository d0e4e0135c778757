"""What officers see on the pages: refusals beside the form, bad rows of files, downloads."""

from __future__ import annotations

import html
import io

import openpyxl
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from access.i18n import access_texts
from storage.database import Database
from storage.enums import GrantKind
from storage.models import AccessGrant, School
from tests.web.conftest import WebWorld, csrf_token, login

ALL_CHECKS = [
    "passport_original",
    "certificate_original",
    "face_matches_passport",
    "names_match",
]


async def count_grants(database: Database, kind: GrantKind) -> int:
    async with database.session() as s:
        query = select(func.count()).select_from(AccessGrant).where(AccessGrant.kind == kind)
        return int(await s.scalar(query) or 0)


async def test_a_refused_grant_keeps_the_input_and_says_why(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.coordinator_a)
    token = await csrf_token(client, "/mzhb")
    data = [
        ("csrf_token", token),
        ("school", "20201"),  # a school of district B
        ("phone", "0555 987 654"),
        ("full_name", "Сатыбалдиев Эмил Русланович"),
        *[("checks", c) for c in ALL_CHECKS],
    ]
    body = await (await client.post("/mzhb", data=data)).text()
    assert 'class="error"' in body and "20201" in body
    assert 'value="0555 987 654"' in body
    assert 'value="Сатыбалдиев Эмил Русланович"' in body
    assert await count_grants(database, GrantKind.MZHB) == 1  # only the world's own


async def test_mzhb_needs_every_check(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.coordinator_a)
    token = await csrf_token(client, "/mzhb")
    data = [
        ("csrf_token", token),
        ("school", "10101"),
        ("phone", "0555 987 654"),
        ("full_name", "Сатыбалдиев Эмил Русланович"),
        *[("checks", c) for c in ALL_CHECKS[:3]],
    ]
    body = await (await client.post("/mzhb", data=data)).text()
    expected = access_texts().gettext("ky", "access.grant.checks_missing")
    assert f'<p class="error" role="alert">{html.escape(expected)}</p>' in body
    assert await count_grants(database, GrantKind.MZHB) == 1


def csv_upload(
    token: str, text: str, *, checks: list[str] = ALL_CHECKS, filename: str = "list.csv"
) -> FormData:
    form = FormData()
    form.add_field("csrf_token", token)
    for check in checks:
        form.add_field("checks", check)
    form.add_field("file", text.encode(), filename=filename, content_type="text/csv")
    return form


async def test_bulk_list_with_bad_rows_grants_nothing_until_asked(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.teacher_a)
    token = await csrf_token(client, "/graduates")
    listing = (
        "Телефон,ФИО\n"
        "0555 100 001,Асанова Айжан Бакытовна\n"
        "12345,Бекова Нургүл\n"
        "0555 100 003,Осмонов Азамат Талантович\n"
    )
    first = await (await client.post("/graduates/upload", data=csv_upload(token, listing))).text()
    assert 'class="bad-rows"' in first
    assert '<td class="mono">3</td>' in first  # the line of the bad phone
    assert await count_grants(database, GrantKind.CURRENT) == 1
    stash_token = first.split('name="token" value="')[1].split('"')[0]
    second = await client.post(
        "/graduates/upload", data={"csrf_token": token, "token": stash_token}
    )
    body = await second.text()
    assert 'class="notice"' in body
    assert await count_grants(database, GrantKind.CURRENT) == 3
    # The stashed file is used once.
    again = await client.post("/graduates/upload", data={"csrf_token": token, "token": stash_token})
    assert await count_grants(database, GrantKind.CURRENT) == 3
    assert 'class="error"' in await again.text()


async def test_codifier_with_bad_rows_imports_nothing(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.admin)
    token = await csrf_token(client, "/codifier")
    text = (
        "code,name,district,oblast\n"
        "30301,Жаңы мектеп,Ысык-Ата району,Чүй облусу\n"
        "9999,Кодсуз,Ысык-Ата району,Чүй облусу\n"
    )
    form = csv_upload(token, text, checks=[], filename="codifier.csv")
    body = await (await client.post("/codifier", data=form)).text()
    assert 'class="bad-rows"' in body and '<td class="mono">3</td>' in body
    async with database.session() as s:
        assert await s.scalar(select(School).where(School.code == "30301")) is None


async def test_export_is_an_attachment_of_own_rows_only(
    client: TestClient, web_world: WebWorld
) -> None:
    await login(client, web_world.coordinator_a)
    response = await client.get("/mzhb/export")
    assert response.status == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(await response.read()), read_only=True)
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert names == [web_world.mzhb_a.full_name]


async def test_reset_shows_the_new_password_once_and_ends_old_sessions(
    make_client, web_world: WebWorld
) -> None:  # type: ignore[no-untyped-def]
    teacher = await make_client()
    await login(teacher, web_world.teacher_a2)
    assert (await teacher.get("/graduates")).status == 200
    coordinator = await make_client()
    await login(coordinator, web_world.coordinator_a)
    token = await csrf_token(coordinator, "/schools")
    response = await coordinator.post(
        f"/schools/{web_world.teacher_a2.id}/password", data={"csrf_token": token}
    )
    body = await response.text()
    assert 'data-testid="new-password"' in body
    assert response.headers["Cache-Control"] == "no-store"
    assert (await teacher.get("/graduates", allow_redirects=False)).status == 302
    listing = await (await coordinator.get("/schools")).text()
    assert 'data-testid="new-password"' not in listing
