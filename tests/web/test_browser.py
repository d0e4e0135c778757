"""End to end in Debian's Chromium: the officers' day from the admin to an МЖБ export.

The real app runs on 127.0.0.1 (a free port) with `web.AppRunner`; Playwright drives the
browser. Screenshots of each main page are kept under `var/screenshots/`.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from aiohttp import web

from bot.app import create_app
from bot.runtime import Runtime
from config.settings import PROJECT_ROOT
from storage.database import Database
from storage.enums import Role
from tests.factories import PASSWORD, make_district, make_officer

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CODIFIER = (
    "code,name,district,oblast\n"
    "10101,Сокулук №1 орто мектеби,Сокулук району,Чүй облусу\n"
    "10102,Гимназия им. Ч. Айтматова,Сокулук району,Чүй облусу\n"
    "20201,Лебединовка орто мектеби,Аламүдүн району,Чүй облусу\n"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is absent"
    ),
]


@pytest.fixture
async def base_url(runtime: Runtime) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(runtime), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}"
    await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator:  # type: ignore[type-arg]
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


async def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def log_in(page, base_url: str, phone: str, password: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=phone]", phone)
    await page.fill("input[name=password]", password)
    await page.click("button.primary")


async def log_out(page) -> None:  # type: ignore[no-untyped-def]
    await page.click("header button.link")
    await page.wait_for_url(re.compile(r"/login$"))


async def test_officers_day_in_the_browser(
    browser, base_url: str, database: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        admin = await make_officer(s, Role.CENTRAL, full_name="Бакиева Айгүл Мамытовна")
        other = await make_district(s, "Аламүдүн району")
        coordinator_b = await make_officer(
            s, Role.DISTRICT, district=other, full_name="Иванова Ольга Петровна"
        )
    context = await browser.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    page = await context.new_page()

    # The admin loads the codifier and creates a district coordinator.
    await page.goto(f"{base_url}/login")
    await shot(page, "01-login")
    await log_in(page, base_url, admin.phone, PASSWORD)
    await page.wait_for_url(f"{base_url}/")
    await page.click("a.big[href='/codifier']")
    codifier = tmp_path / "codifier.csv"
    codifier.write_text(CODIFIER, encoding="utf-8")
    await page.set_input_files("input[name=file]", str(codifier))
    await page.click("button.primary")
    await page.wait_for_selector("p.notice")
    assert "жаңы — 3" in await page.inner_text("p.notice")
    await shot(page, "02-codifier")
    await page.goto(f"{base_url}/coordinators")
    await page.select_option("select[name=district]", label="Чүй облусу — Сокулук району")
    await page.fill("input[name=phone]", "0700 111 222")
    await page.fill("input[name=full_name]", "осмонов талант бекович")
    await page.click("form.grid button.primary")
    password = (await page.inner_text("[data-testid=new-password]")).strip()
    assert len(password) >= 8
    assert "Осмонов Талант Бекович" in await page.inner_text("section.issued")
    await shot(page, "03-coordinator-created")
    await log_out(page)

    # The coordinator logs in and must replace the initial password first.
    await log_in(page, base_url, "+996 700 111 222", password)
    await page.wait_for_url(f"{base_url}/password")
    await page.goto(f"{base_url}/mzhb")
    assert page.url == f"{base_url}/password"
    await page.fill("input[name=current]", password)
    await page.fill("input[name=new]", "Sokuluk-2026")
    await page.fill("input[name=repeat]", "Sokuluk-2026")
    await shot(page, "04-password-change")
    await page.click("button.primary")
    await page.wait_for_url(re.compile(r"/\?changed=1$"))
    buttons = await page.locator("a.big").all_inner_texts()
    assert buttons == ["Мектептерге кирүү", "МЖБга кирүү"]
    await shot(page, "05-district-home")

    # "Мектептерге кирүү": a school's responsible teacher.
    await page.click("text=Мектептерге кирүү")
    await page.fill("input[name=school]", "10101")
    await page.fill("input[name=phone]", "0555 123 456")
    await page.fill("input[name=full_name]", "Токтогулова Жазгүл Асановна")
    await page.click("form.grid button.primary")
    assert (await page.inner_text("[data-testid=new-password]")).strip()
    assert "+996 555 123 456" in await page.inner_text("table")
    await shot(page, "06-school-user")

    # "МЖБга кирүү": every check is required.
    await page.goto(f"{base_url}/mzhb")
    await page.fill("input[name=school]", "9999")
    await page.fill("input[name=phone]", "0777 654 321")
    await page.fill("input[name=full_name]", "Жумабеков Нурлан Асылбекович")
    for box in await page.locator("form.stack >> nth=0").locator("input[name=checks]").all():
        await box.check()
    await page.locator("form.stack >> nth=0").locator("button.primary").click()
    code = (await page.inner_text("[data-testid=access-code]")).strip()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    await shot(page, "07-mzhb-granted")

    async with page.expect_download() as download_info:
        await page.click("a.button[href='/mzhb/export']")
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    phone_cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert rows[1][:4] == ["Жумабеков Нурлан Асылбекович", "+996 777 654 321", "9999", code]
    assert phone_cells[0].data_type == "s"  # the phone is text, not a number
    assert f"https://t.me/ort_test_bot?start={code}" in rows[1]

    # The same pages in Russian.
    await page.click("button.lang[value=ru]")
    await page.wait_for_selector("h1:has-text('Доступ для выпускников прошлых лет (МЖБ)')")
    assert "Открыть доступ для МЖБ" in await page.content()
    await shot(page, "08-mzhb-russian")
    await context.close()

    # Another district's coordinator sees none of it, and cannot download it.
    other_context = await browser.new_context(accept_downloads=True)
    other_page = await other_context.new_page()
    await log_in(other_page, base_url, coordinator_b.phone, PASSWORD)
    await other_page.wait_for_url(f"{base_url}/")
    await other_page.goto(f"{base_url}/mzhb")
    assert "Жумабеков Нурлан" not in await other_page.content()
    await shot(other_page, "09-other-district-mzhb")
    export = await other_context.request.get(f"{base_url}/mzhb/export")
    assert export.status == 200
    book = openpyxl.load_workbook(io.BytesIO(await export.body()), read_only=True)
    assert all(
        "Жумабеков Нурлан" not in str(row) for row in book.active.iter_rows(values_only=True)
    )
    await other_context.close()
