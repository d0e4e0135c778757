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


async def new_page(browser, base_url: str, officer):  # type: ignore[no-untyped-def]
    context = await browser.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await log_in(page, base_url, officer.phone, PASSWORD)
    await page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/(\?.*)?$"))
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
