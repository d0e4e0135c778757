"""The review queue, the detail page, decisions, payments and the dashboard, through the web."""

from __future__ import annotations

import io

import openpyxl
from aiohttp import FormData
from sqlalchemy import select

from storage.enums import PaymentStatus, RegistrationStatus
from storage.models import AuditEntry, Payment, Registration, RegistrationEvent
from tests.review.conftest import PIN, ReviewWorld, add_receipt
from tests.web.conftest import csrf_token, login


async def _entry(database, registration_id: int) -> Registration:
    async with database.session() as s:
        return await s.get(Registration, registration_id)


async def test_queue_is_scoped_and_searchable(make_client, review_world: ReviewWorld) -> None:
    web = review_world.web
    district_a, school_a = await make_client(), await make_client()
    await login(district_a, web.coordinator_a)
    await login(school_a, web.teacher_a)
    page = await (await district_a.get("/review")).text()
    assert web.mzhb_a.full_name in page and web.graduate_a.full_name in page
    assert review_world.other_grant.full_name not in page
    school_page = await (await school_a.get("/review")).text()
    assert web.graduate_a.full_name in school_page and web.mzhb_a.full_name not in school_page

    by_pin = await (await district_a.get("/review", params={"q": PIN})).text()
    assert web.mzhb_a.full_name in by_pin
    # The other district's applicant has her own PIN: not found from district A.
    assert review_world.other_grant.full_name not in (
        await (await district_a.get("/review", params={"q": "10101200512345"})).text()
    )
    by_phone = await (await district_a.get("/review", params={"q": web.graduate_a.phone})).text()
    assert web.graduate_a.full_name in by_phone and web.mzhb_a.full_name not in by_phone
    by_name = await (await district_a.get("/review", params={"q": "жумабеков"})).text()
    assert web.mzhb_a.full_name in by_name and web.graduate_a.full_name not in by_name


async def test_same_receipt_of_two_applicants_is_flagged(
    make_client, database, review_world: ReviewWorld
) -> None:
    web = review_world.web
    await add_receipt(database, review_world.other_entry, "AB-1001")
    client = await make_client()
    await login(client, web.coordinator_a)
    flagged = await (await client.get("/review", params={"payment": "duplicate"})).text()
    assert web.mzhb_a.full_name in flagged and web.graduate_a.full_name not in flagged
    assert "Повтор номера" in flagged or "Номер кайталанат" in flagged


async def test_detail_shows_answers_and_serves_photos_only_in_scope(
    make_client, database, review_world: ReviewWorld
) -> None:
    web = review_world.web
    entry = review_world.mzhb_entry
    document = await review_world.document_of(database, entry)
    mine, other = await make_client(), await make_client()
    await login(mine, web.coordinator_a)
    await login(other, web.coordinator_b)
    page = await (await mine.get(f"/review/{entry.id}")).text()
    assert "AN1234567" in page and PIN in page and "Сокулук айылы" in page
    photo_url = f"/review/{entry.id}/documents/{document.id}"
    assert photo_url in page
    photo = await mine.get(photo_url)
    assert photo.status == 200 and photo.headers["Cache-Control"].startswith("no-store")
    assert (await photo.read())[:3] == b"\xff\xd8\xff"
    assert (await other.get(photo_url)).status == 404
    assert (await other.get(f"/review/{entry.id}")).status == 404
    # A document of another entry under this entry's address is refused as well.
    foreign = await review_world.document_of(database, review_world.graduate_entry)
    assert (await mine.get(f"/review/{entry.id}/documents/{foreign.id}")).status == 404


async def test_approve_and_reject_with_reasons(
    make_client, database, runtime, review_world: ReviewWorld
) -> None:
    texts = runtime.bot_texts
    web = review_world.web
    client = await make_client()
    await login(client, web.coordinator_a)
    token = await csrf_token(client, "/review")
    graduate = review_world.graduate_entry.id

    no_reason = await client.post(f"/review/{graduate}/reject", data={"csrf_token": token})
    assert texts.gettext("ky", "review.error.no_reasons") in await no_reason.text()
    other = await client.post(
        f"/review/{graduate}/reject", data={"csrf_token": token, "reasons": "other"}
    )
    assert texts.gettext("ky", "review.error.other_needs_text") in await other.text()
    assert (await _entry(database, graduate)).status is RegistrationStatus.SUBMITTED

    rejected = await client.post(
        f"/review/{graduate}/reject",
        data={"csrf_token": token, "reasons": ["face_photo", "other"], "comment": "Көз айнек"},
    )
    assert rejected.status == 200
    entry = await _entry(database, graduate)
    assert entry.status is RegistrationStatus.REJECTED
    assert entry.rejection_reasons == ["face_photo", "other"]
    assert entry.rejection_comment == "Көз айнек"

    approved = await client.post(
        f"/review/{review_world.mzhb_entry.id}/approve", data={"csrf_token": token}
    )
    assert approved.status == 200
    assert (await _entry(database, review_world.mzhb_entry.id)).status is (
        RegistrationStatus.APPROVED
    )
    again = await client.post(f"/review/{graduate}/approve", data={"csrf_token": token})
    assert texts.gettext("ky", "review.error.not_submitted") in await again.text()

    async with database.session() as s:
        kinds = list(await s.scalars(select(RegistrationEvent.kind).order_by(RegistrationEvent.id)))
        actions = set(await s.scalars(select(AuditEntry.action)))
    assert kinds == ["rejected", "approved"]
    assert {"registration.reject", "registration.approve"} <= actions
    detail = await (await client.get(f"/review/{graduate}")).text()
    assert "Оңдоого кайтарылды" in detail and web.coordinator_a.full_name in detail


async def test_bulk_approve_touches_only_waiting_entries_in_scope(
    make_client, database, review_world: ReviewWorld
) -> None:
    client = await make_client()
    await login(client, review_world.web.coordinator_a)
    token = await csrf_token(client, "/review")
    ids = [review_world.mzhb_entry.id, review_world.graduate_entry.id, review_world.other_entry.id]
    response = await client.post(
        "/review/approve",
        data={"csrf_token": token, "ids": [str(i) for i in ids], "back": "/review?q=x"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/review?q=x&approved=2"
    statuses = [(await _entry(database, i)).status for i in ids]
    assert statuses == [
        RegistrationStatus.APPROVED,
        RegistrationStatus.APPROVED,
        RegistrationStatus.SUBMITTED,
    ]


async def test_statement_import_confirms_matching_receipts_and_lists_the_rest(
    make_client, database, review_world: ReviewWorld
) -> None:
    client = await make_client()
    await login(client, review_world.web.coordinator_a)
    token = await csrf_token(client, "/payments")
    await client.post(f"/review/{review_world.mzhb_entry.id}/approve", data={"csrf_token": token})
    statement = (
        "Номер квитанции;Сумма;Дата\n"
        "ab-1001;1 410,00;2026-03-02\n"
        "AB-2002;1000;2026-03-02\n"
        "ZZ-9999;1410;2026-03-03\n"
        "??;12;2026-03-03\n"
    ).encode("cp1251")
    form = FormData()
    form.add_field("csrf_token", token)
    form.add_field("file", statement, filename="vypiska.csv", content_type="text/csv")
    response = await client.post("/payments/statement", data=form)
    page = await response.text()
    assert "Тастыкталган квитанциялар: 1." in page
    assert "ZZ-9999" in page and "Квитанциянын номери туура эмес" in page
    mzhb = await review_world.payment_of(database, review_world.mzhb_entry)
    graduate = await review_world.payment_of(database, review_world.graduate_entry)
    assert mzhb.status is PaymentStatus.CONFIRMED
    assert graduate.status is PaymentStatus.BEING_VERIFIED  # amounts differ: listed, not confirmed
    # Approved and paid: registered.
    entry = await _entry(database, review_world.mzhb_entry.id)
    assert entry.status is RegistrationStatus.REGISTERED


async def test_payment_rejected_with_a_reason(
    make_client, database, review_world: ReviewWorld
) -> None:
    client = await make_client()
    await login(client, review_world.web.teacher_a)
    token = await csrf_token(client, "/review")
    payment = await review_world.payment_of(database, review_world.graduate_entry)
    await client.post(
        f"/payments/{payment.id}/reject", data={"csrf_token": token, "reason": "Мындай төлөм жок"}
    )
    async with database.session() as s:
        stored = await s.get(Payment, payment.id)
    assert stored.status is PaymentStatus.REJECTED and stored.reason == "Мындай төлөм жок"


async def test_dashboard_counts_and_exports_the_scope(
    make_client, review_world: ReviewWorld
) -> None:
    client = await make_client()
    await login(client, review_world.web.coordinator_a)
    page = await (await client.get("/dashboard")).text()
    assert page.count('data-testid="chart"') == 3 and "10101" in page and "20201" not in page
    export = await client.get("/dashboard/export")
    assert export.status == 200
    book = openpyxl.load_workbook(io.BytesIO(await export.read()), read_only=True)
    by_status = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert by_status["Текшерүүнү күтүүдө"] == 2
    schools = list(book.worksheets[1].iter_rows(values_only=True))
    # Every school of the district, the one nobody started at (10102) too.
    assert [row[0] for row in schools[1:]] == ["10101", "10102"]
    book.close()
