"""The officers' web after a week of real use, in Debian's Chromium: phone search in every
list, paged lists, the dashboard by school, the home pages' waiting work, the school picker,
the review queue's filters and search. Screenshots go to var/screenshots/week-*.png.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind
from storage.models import AccessGrant
from tests.factories import PASSWORD, make_grant, make_school
from tests.review.conftest import ReviewWorld
from tests.web.test_browser import (  # noqa: F401 - the browser fixtures of the web's tests
    CHROMIUM,
    base_url,
    browser,
    log_in,
    shot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent"),
]


def typed_forms(e164: str) -> list[str]:
    """The ways people type a stored +996 phone."""
    national = e164.removeprefix("+996")
    spaced = f"{national[:3]} {national[3:6]} {national[6:]}"
    return [
        f"0{spaced}",
        f"0{national}",
        f"+996 {spaced}",
        f"996{national}",
        national,
        f"{national[:3]}-{national[3:6]}-{national[6:]}",
    ]


async def new_page(chromium, url: str, officer):  # type: ignore[no-untyped-def]
    context = await chromium.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await log_in(page, url, officer.phone, PASSWORD)
    await page.wait_for_url(re.compile(rf"^{re.escape(url)}/(\?.*)?$"))
    return context, page


async def test_a_phone_is_found_in_every_list_whatever_form_it_is_typed_in(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    review_world: ReviewWorld,
) -> None:
    web = review_world.web
    cases = [
        (web.coordinator_a, "/mzhb", web.mzhb_a),
        (web.teacher_a, "/graduates", web.graduate_a),
        (web.coordinator_a, "/fill", web.mzhb_a),
        (web.coordinator_a, "/review", web.mzhb_a),
    ]
    for officer, path, grant in cases:
        context, page = await new_page(browser, base_url, officer)
        for typed in typed_forms(grant.phone):
            await page.goto(f"{base_url}{path}")
            await page.fill("input[name=q]", typed)
            await page.press("input[name=q]", "Enter")
            await page.wait_for_load_state()
            body = await page.inner_text("main")
            assert grant.full_name in body, f"{path}: «{typed}» found nothing"
        await context.close()


async def test_the_fill_list_is_paged_and_says_how_many_match(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    database: Database,
    secret_box: SecretBox,
    review_world: ReviewWorld,
) -> None:
    web = review_world.web
    async with database.session() as s:
        for n in range(60):
            await make_grant(
                s,
                school=web.school_a,
                granted_by=web.coordinator_a,
                secret_box=secret_box,
                kind=GrantKind.MZHB,
                full_name=f"Яковлев Иван Петрович{'а' * (n % 3)}",
            )
        total = len(
            (
                await s.scalars(
                    select(AccessGrant).where(AccessGrant.district_id == web.district_a.id)
                )
            ).all()
        )
    context, page = await new_page(browser, base_url, web.coordinator_a)
    await page.goto(f"{base_url}/fill")
    assert await page.locator("tbody tr").count() == 50
    assert str(total) in await page.inner_text("nav.pager")
    await page.click("nav.pager a:has-text('→')")
    assert await page.locator("tbody tr").count() == total - 50
    await page.fill("input[name=q]", "яковлев")
    await page.press("input[name=q]", "Enter")
    await page.wait_for_load_state()
    assert "60" in await page.inner_text("nav.pager")
    await context.close()


async def test_the_dashboard_shows_every_school_sortable_and_exports_the_scope(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    database: Database,
    secret_box: SecretBox,
    review_world: ReviewWorld,
    tmp_path,
) -> None:
    web = review_world.web
    async with database.session() as s:
        lagging = await make_school(s, "10103", web.district_a, "Кызыл-Суу орто мектеби")
        for _ in range(5):
            await make_grant(s, school=lagging, granted_by=web.coordinator_a, secret_box=secret_box)
        await make_school(s, "10104", web.district_a, "Нооруз орто мектеби")
    context, page = await new_page(browser, base_url, web.coordinator_a)
    await page.goto(f"{base_url}/dashboard")
    rows = page.locator("[data-testid=school-row]")
    codes = [await rows.nth(i).get_attribute("data-code") for i in range(await rows.count())]
    # Every school of district A, those nobody started at too; none of district B.
    assert codes == ["10101", "10102", "10103", "10104"]
    lagging_row = page.locator("[data-testid=school-row][data-code='10103']")
    assert await lagging_row.locator("[data-col=granted]").inner_text() == "5"
    assert await lagging_row.locator("[data-col=started]").inner_text() == "0"
    first = page.locator("[data-testid=school-row][data-code='10101']")
    assert await first.locator("[data-col=submitted]").inner_text() == "2"

    await page.click("th a[data-sort=granted]")
    await page.wait_for_url(re.compile(r"sort=granted"))
    assert await rows.first.get_attribute("data-code") == "10103"
    await page.click("th a[data-sort=granted]")
    await page.wait_for_url(re.compile(r"dir=asc"))
    assert await rows.last.get_attribute("data-code") == "10103"

    # Chart labels are whole: none ends in an ellipsis or overflows its box.
    labels = page.locator(".chart-label")
    assert await labels.count() > 0
    for i in range(await labels.count()):
        label = labels.nth(i)
        assert not (await label.inner_text()).endswith("…")
        assert await label.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    await shot(page, "week-dashboard")

    async with page.expect_download() as download_info:
        await page.click("[data-testid=export]")
    download = await download_info.value
    assert "sokuluk-rayonu" in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    import openpyxl

    book = openpyxl.load_workbook(saved)
    sheet = book.worksheets[1]
    assert [c.value for c in sheet[1]][:3] == ["Мектептин коду", "Мектеп", "Жол ачылган"]
    assert sheet.column_dimensions["B"].width >= len("Кызыл-Суу орто мектеби")
    # The export keeps the page's order (granted, ascending: the lagging school last).
    assert [row[0].value for row in sheet.iter_rows(min_row=2)][-1] == "10103"
    await context.close()


async def test_the_home_pages_show_the_work_waiting_with_links(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    review_world: ReviewWorld,
) -> None:
    web = review_world.web
    # District A: two submitted entries, each with a receipt being verified.
    context, page = await new_page(browser, base_url, web.coordinator_a)
    assert await page.inner_text("[data-testid=waiting-entries] .n") == "2"
    assert await page.inner_text("[data-testid=waiting-receipts] .n") == "2"
    assert await page.inner_text("[data-testid=waiting-deliveries] .n") == "0"
    await shot(page, "week-district-home")
    await page.click("[data-testid=waiting-entries]")
    await page.wait_for_url(re.compile(r"/review$"))
    assert await page.locator("[data-testid=queue-row]").count() == 2
    await page.goto(f"{base_url}/")
    await page.click("[data-testid=waiting-receipts]")
    await page.wait_for_url(re.compile(r"/payments$"))
    assert "AB-1001" in await page.inner_text("main")
    await context.close()

    # The school: its one current graduate.
    context, page = await new_page(browser, base_url, web.teacher_a)
    assert await page.inner_text("[data-testid=waiting-entries] .n") == "1"
    assert await page.inner_text("[data-testid=waiting-receipts] .n") == "1"
    await page.click("[data-testid=waiting-receipts]")
    await page.wait_for_url(re.compile(r"/review\?"))
    assert await page.locator("[data-testid=queue-row]").count() == 1
    await context.close()


# Pages kept as pictures of the phone-width layout (docs/officers-web.md).
PHONE_SHOTS = {
    ("district", "/"): "district-home",
    ("district", "/review"): "review-queue",
    ("district", "/mzhb"): "mzhb",
    ("district", "/audit"): "audit",
}


# Pairs of visible buttons, badges or page leads whose boxes intersect (by more than 1 px).
OVERLAPS_JS = """() => {
  const boxes = [...document.querySelectorAll('button, a.button, .tag, .status, .lead')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e, e.getBoundingClientRect()]);
  const hit = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, r] = boxes[i], [b, q] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
    const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
    if (w > 1 && h > 1) hit.push(a.textContent.trim() + ' / ' + b.textContent.trim());
  }
  return hit;
}"""


def _pages_of(app_routes, role) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page (GET, no id in the path, not a download) `role` may open."""
    return [
        r.path
        for r in app_routes
        if r.method == "GET"
        and "{" not in r.path
        and not r.path.endswith(("/export", "/logout"))
        and r.roles is not None
        and role in r.roles
    ]


async def test_no_page_scrolls_sideways_on_a_phone_for_any_role(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    review_world: ReviewWorld,
) -> None:
    from admin_web.views import all_routes

    web = review_world.web
    routes = all_routes()
    officers = {
        "central": web.admin,
        "district": web.coordinator_a,
        "school": web.teacher_a,
    }
    extra = {
        "district": [
            f"/review/{review_world.mzhb_entry.id}",
            f"/fill/{web.mzhb_a.id}",
            "/review?status=",
        ],
        "school": [f"/review/{review_world.graduate_entry.id}", f"/fill/{web.graduate_a.id}"],
        "central": [f"/review/{review_world.other_entry.id}"],
    }
    too_wide: list[str] = []
    for name, officer in officers.items():
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        context.set_default_timeout(10_000)
        page = await context.new_page()
        await log_in(page, base_url, officer.phone, PASSWORD)
        await page.wait_for_url(f"{base_url}/")
        for path in [*_pages_of(routes, officer.role), *extra[name]]:
            response = await page.goto(f"{base_url}{path}")
            assert response is not None and response.status == 200, (name, path)
            width = await page.evaluate("document.documentElement.scrollWidth")
            if (name, path) in PHONE_SHOTS:
                await shot(page, f"week-390-{PHONE_SHOTS[(name, path)]}")
            if width > 390:
                too_wide.append(f"{name} {path}: {width}px")
                await shot(page, f"week-too-wide-{name}-{path.strip('/').replace('/', '-')}")
            # Buttons, badges and the lines around them never overlap one another.
            overlaps = await page.evaluate(OVERLAPS_JS)
            assert not overlaps, (name, path, overlaps)
            # A phone number is never broken over lines.
            for phone in await page.locator(".phone").all():
                lines = await phone.evaluate(
                    "e => { const r = document.createRange(); r.selectNodeContents(e);"
                    " return r.getClientRects().length; }"
                )
                assert lines <= 1, (name, path, await phone.inner_text())
        await context.close()
    assert not too_wide, too_wide


async def test_the_review_queue_keeps_its_filters_searches_every_status_and_refuses_empty_bulk(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    database: Database,
    review_world: ReviewWorld,
) -> None:
    web = review_world.web
    context, page = await new_page(browser, base_url, web.coordinator_a)
    # Approving with nothing ticked is refused with a reason.
    await page.goto(f"{base_url}/review")
    await page.click("[data-testid=bulk-approve]")
    await page.wait_for_selector("[data-testid=nothing-ticked]")
    assert await page.locator("[data-testid=queue-row]").count() == 2

    # Filtered by school, an entry opened and approved: the back link keeps the filter.
    await page.goto(f"{base_url}/review?school={web.school_a.id}&benefits=no")
    await page.click(f"text={web.graduate_a.full_name}")
    await page.click("form[action$='/approve'] button")
    await page.wait_for_url(re.compile(r"done=approved"))
    await page.click("[data-testid=back]")
    await page.wait_for_url(re.compile(r"/review\?"))
    assert f"school={web.school_a.id}" in page.url and "benefits=no" in page.url

    # Searching the waiting list for the approved entry says where it is.
    await page.goto(f"{base_url}/review")
    await page.fill("input[name=q]", web.graduate_a.full_name.split()[0])
    await page.press("input[name=q]", "Enter")
    await page.wait_for_selector("[data-testid=elsewhere]")
    assert "1" in await page.inner_text("[data-testid=elsewhere]")
    await page.click("text=" + "Бардык абалдардан көрсөтүү")
    assert await page.locator("[data-testid=queue-row]").count() == 1
    # The approval reads as a sentence in the log.
    await page.goto(f"{base_url}/audit")
    entry = page.locator("[data-testid=audit-entry][data-action='registration.approve']")
    assert web.graduate_a.full_name in await entry.inner_text()
    await shot(page, "week-audit")
    await context.close()


async def test_the_school_picker_takes_a_typed_name_and_the_codifier_lists_schools(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    database: Database,
    review_world: ReviewWorld,
) -> None:
    web = review_world.web
    async with database.session() as s:
        await make_school(s, "10105", web.district_a, "Сокулук №2 орто мектеби")
    context, page = await new_page(browser, base_url, web.coordinator_a)
    # Several schools match: the officer is told which, and nothing is created.
    await page.goto(f"{base_url}/mzhb")
    form = page.locator("form.stack >> nth=0")
    await form.locator("input[name=school]").fill("сокулук")
    await form.locator("input[name=phone]").fill("0777 100 200")
    await form.locator("input[name=full_name]").fill("Сатыбалдиев Марат Асанович")
    for box in await form.locator("input[name=checks]").all():
        await box.check()
    await form.locator("button.primary").click()
    error = await page.inner_text("p.error")
    assert "10101" in error and "10105" in error
    # A name that matches one school picks it.
    form = page.locator("form.stack >> nth=0")
    await form.locator("input[name=school]").fill("гимназия им. ч. айтматова")
    for box in await form.locator("input[name=checks]").all():
        await box.check()
    await form.locator("button.primary").click()
    await page.wait_for_selector("[data-testid=access-code]")
    assert "10102" in await page.inner_text("section.issued")

    # The school coordinator desk too.
    await page.goto(f"{base_url}/schools")
    await page.fill("form.grid input[name=school]", "Сокулук №2 орто мектеби")
    await page.fill("form.grid input[name=phone]", "0700 300 400")
    await page.fill("form.grid input[name=full_name]", "Алиева Салтанат Бакытовна")
    await page.click("form.grid button.primary")
    await page.wait_for_selector("[data-testid=new-password]")
    await context.close()

    context, page = await new_page(browser, base_url, web.admin)
    await page.goto(f"{base_url}/codifier")
    table = page.locator("[data-testid=schools]")
    assert "10101" in await table.inner_text() and "20201" in await table.inner_text()
    await page.fill("input[name=q]", "лебединовка")
    await page.press("input[name=q]", "Enter")
    await page.wait_for_url(re.compile(r"q="))
    rows = table.locator("tbody tr")
    assert await rows.count() == 1 and "20201" in await rows.inner_text()
    await context.close()
