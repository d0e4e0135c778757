"""The officers' review in Debian's Chromium: queue, detail with photos, reject and approve,
the officer-filled form and the dashboard. Screenshots go to var/screenshots/review-*.png.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import RegistrationStatus
from storage.models import Registration
from tests.factories import PASSWORD, make_grant
from tests.review.conftest import ReviewWorld
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg
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


async def _status(database: Database, registration_id: int) -> RegistrationStatus:
    async with database.session() as s:
        return (await s.get(Registration, registration_id)).status


async def test_review_queue_detail_and_decisions(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    database: Database,
    review_world: ReviewWorld,
) -> None:
    web = review_world.web
    context = await browser.new_context(accept_downloads=True)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await log_in(page, base_url, web.coordinator_a.phone, PASSWORD)
    await page.wait_for_url(f"{base_url}/")

    # The queue: this district's waiting entries, searchable by PIN.
    await page.click("nav.menu a[href='/review']")
    rows = page.locator("[data-testid=queue-row]")
    assert await rows.count() == 2
    await shot(page, "review-01-queue")
    await page.fill("input[name=q]", web.graduate_a.phone)
    await page.click("form.filters button.primary")
    assert await rows.count() == 1
    assert web.graduate_a.full_name in await rows.first.inner_text()

    # The detail page shows the answers and the photos (loaded through the scoped route).
    await page.click(f"text={web.graduate_a.full_name}")
    await page.wait_for_selector("img.doc")
    # Every photo decodes in the browser (each came through the scoped route).
    # (Awaited from Python: a polled page function would need 'unsafe-eval', which the CSP refuses.)
    for image in await page.locator("img.doc").all():
        assert await image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert await page.locator("img.doc").count() == 4
    assert "AN1234567" in await page.inner_text("dl.answers")
    await shot(page, "review-02-detail")

    # Returned for the face photo, with a comment the applicant reads.
    await page.check("input[name=reasons][value=face_photo]")
    await page.fill("textarea[name=comment]", "Сүрөттө көз айнек бар")
    await page.click("[data-testid=reject]")
    await page.wait_for_selector("p.notice")
    assert await _status(database, review_world.graduate_entry.id) is RegistrationStatus.REJECTED
    await shot(page, "review-03-rejected")

    # Bulk approve from the queue: the МЖБ entry.
    await page.goto(f"{base_url}/review")
    await page.check(f"input[name=ids][value='{review_world.mzhb_entry.id}']")
    await page.click("[data-testid=bulk-approve]")
    await page.wait_for_selector("p.notice")
    assert await _status(database, review_world.mzhb_entry.id) is RegistrationStatus.APPROVED

    # The dashboard: charts drawn on the server, and the Excel export.
    await page.click("nav.menu a[href='/dashboard']")
    # Three charts; the schools are a sortable table (tests/review/test_browser_week.py).
    assert await page.locator("[data-testid=chart]").count() == 3
    assert await page.locator("[data-testid=school-row]").count() >= 1
    await shot(page, "review-04-dashboard")
    async with page.expect_download() as waiting:
        await page.click("[data-testid=export]")
    download = await waiting.value
    data = await asyncio.to_thread(Path(await download.path()).read_bytes)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert len(book.worksheets) == 4
    book.close()
    await context.close()


async def test_officer_fills_the_form_in_the_browser(
    browser,  # noqa: F811
    base_url: str,  # noqa: F811
    database: Database,
    review_world: ReviewWorld,
    secret_box: SecretBox,
    tmp_path: Path,
) -> None:
    web = review_world.web
    photo = tmp_path / "document.jpg"
    photo.write_bytes(document_photo_jpeg())
    face = tmp_path / "face.jpg"
    face.write_bytes(face_photo_jpeg())
    async with database.session() as s:
        grant = await make_grant(
            s,
            school=web.school_a,
            granted_by=web.teacher_a,
            secret_box=secret_box,
            full_name="Тологонова Бермет Азаматовна",
        )
    context = await browser.new_context()
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await log_in(page, base_url, web.teacher_a.phone, PASSWORD)
    await page.wait_for_url(f"{base_url}/")
    await page.goto(f"{base_url}/fill")
    await page.fill("input[name=q]", "Тологонова")
    await page.press("input[name=q]", "Enter")
    await page.click(f"a[href='/fill/{grant.id}']")
    await page.check("input[name=is_student][value=no]")
    await page.fill("input[name=pin]", "20509200712345")
    await page.check("input[name=personal_confirm][value=yes]")
    await page.fill("input[name=passport]", "AN7654321")
    await page.fill("input[name=city]", "Сокулук району")
    await page.fill("input[name=village]", "Шопоков")
    await page.fill("input[name=street]", "Ленин көчөсү, 5")
    await page.check("input[name=subjects][value=biology]")
    await page.check("input[name=subjects][value=chemistry]")
    await page.check("input[name=test_language][value=ky]")
    for name in ("passport_front", "passport_back", "certificate"):
        await page.set_input_files(f"input[name={name}]", str(photo))
    await page.check("input[name=has_benefits][value=no]")
    await page.set_input_files("input[name=face_photo]", str(face))
    await shot(page, "review-05-officer-form")
    await page.click("[data-testid=submit]")
    await page.wait_for_selector("[data-testid=status]")
    await shot(page, "review-06-filled-and-submitted")
    async with database.session() as s:
        entry = await s.scalar(select(Registration).where(Registration.grant_id == grant.id))
    assert entry.status is RegistrationStatus.SUBMITTED
    assert entry.answers["subjects"] == ["chemistry", "biology"]
    await context.close()
