"""Across channels, end to end: an applicant registers on Telegram, the district coordinator
reviews in their own Telegram chat, the applicant fixes what was returned, a bank statement
imported in the web confirms the payment, and the applicant is told each step.

The whole app runs (`create_app`, aiogram's HTTP session against the fake Bot API, the
notification dispatcher); the officer's chat and the applicant's chat are two Telegram users.
"""

from __future__ import annotations

import pytest
from aiohttp import FormData
from sqlalchemy import select

from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, PaymentStatus, RegistrationStatus, Role
from storage.models import LinkedChat, Officer, Payment, Registration
from tests.factories import make_district, make_grant, make_officer, make_school
from tests.sample_photos import face_photo_jpeg
from tests.telegram.applicant import ACCESS_CODE, APPLICANT_PHONE, FULL_NAME, Applicant
from tests.telegram.conftest import (  # noqa: F401 - the Telegram harness's fixtures
    Harness,
    fake_api,
    start_app,
    telegram_settings,
)
from tests.web.conftest import csrf_token, login

OFFICER_PHONE = "+996555777888"


@pytest.fixture
async def coordinator(database: Database, secret_box: SecretBox) -> Officer:
    """A district coordinator who opened МЖБ access for the applicant."""
    async with database.session() as session:
        district = await make_district(session)
        school = await make_school(session, "10101", district)
        officer = await make_officer(
            session,
            Role.DISTRICT,
            district=district,
            phone_number=OFFICER_PHONE,
            full_name="Осмонов Талант Бекович",
        )
        await make_grant(
            session,
            school=school,
            granted_by=officer,
            secret_box=secret_box,
            phone_number=APPLICANT_PHONE,
            full_name=FULL_NAME,
            kind=GrantKind.MZHB,
            code=ACCESS_CODE,
        )
        return officer


async def settled(harness: Harness) -> None:
    """Wait until the notifications published so far have reached the fake Bot API."""
    assert harness.runtime is not None and harness.runtime.outbox is not None
    await harness.runtime.outbox.drain()


async def entry(database: Database) -> Registration:
    async with database.session() as session:
        return await session.scalar(select(Registration))


async def test_review_in_chat_fix_and_payment_by_statement(
    start_app,  # noqa: F811
    fake_api,  # noqa: F811
    database: Database,
    coordinator: Officer,
) -> None:
    # Polling: without a public https address the web's cookies work over the test's http.
    harness = await start_app("polling")
    runtime = harness.runtime
    texts = runtime.bot_texts

    # The coordinator links their Telegram chat by sharing their own contact.
    officer = harness.user(language_code="ru", first_name="Талант")
    await officer.send_text("/start")
    await officer.press("Русский")
    await officer.share_contact(OFFICER_PHONE.removeprefix("+"))
    linked = texts.gettext("ru", "review.linked", name=coordinator.full_name)
    assert officer.last_text() == linked
    async with database.session() as session:
        chat = await session.scalar(
            select(LinkedChat).where(LinkedChat.chat_id == str(officer.chat_id))
        )
    assert chat.officer_id == coordinator.id and chat.grant_id is None
    officer.new_messages()

    # The applicant registers and submits on Telegram.
    person = Applicant(
        harness.user(language_code="ru"), lang="ru", texts=texts, campaign=runtime.campaign
    )
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.address()
    await person.tests()
    await person.documents()
    await person.press("option.no")  # no benefits
    await person.face()
    await person.press("option.submit")
    await settled(harness)

    # The prompt: the four photos, then the summary with Approve and Reject.
    prompt = officer.new_messages()
    photos = [m for m in prompt if m.history == ["sendPhoto"]]
    assert len(photos) == 4
    captions = {texts.gettext("ru", f"field.{n}") for n in ("face_photo", "passport_front")}
    assert {m.text for m in photos} >= captions
    summary = prompt[-1]
    assert FULL_NAME in summary.text and "AN1234567" in summary.text
    assert [b["text"] for b in summary.buttons()] == [
        texts.gettext("ru", "review.option.approve"),
        texts.gettext("ru", "review.option.reject"),
    ]
    sent_photos = fake_api.calls_of("sendPhoto")
    # The photo goes as an upload (attach://<field>) of the stored JPEG's bytes.
    for call in sent_photos:
        field = call.params["photo"].removeprefix("attach://")
        assert call.params[field][:3] == b"\xff\xd8\xff"

    # Reject: the face photo does not meet the requirements.
    await officer.press(texts.gettext("ru", "review.option.reject"))
    await officer.press(texts.gettext("ru", "review.reason.face_photo"))
    await officer.press(texts.gettext("ru", "option.done"))
    assert officer.last_text() == texts.gettext("ru", "review.rejected_done", name=FULL_NAME)
    await settled(harness)
    assert (await entry(database)).status is RegistrationStatus.REJECTED
    told = person.user.messages()[-1]
    assert texts.gettext("ru", "reason.face_photo") in told.text
    # Only what must be fixed is offered, and sending it again.
    assert [b["text"] for b in told.buttons()] == [
        texts.gettext("ru", "field.face_photo"),
        texts.gettext("ru", "option.resubmit"),
    ]

    # The applicant sends a new face photo, then the entry again.
    person.said()
    await person.user.press(texts.gettext("ru", "field.face_photo"))
    assert texts.gettext("ru", "ask.face_photo")[:20] in person.said()
    await person.user.send_photo(face_photo_jpeg())
    await person.press("option.menu")
    await person.press("option.resubmit")
    await settled(harness)
    again = officer.new_messages()
    assert any(texts.gettext("ru", "review.prompt.again") in m.text for m in again)

    # Approved in chat: the applicant is told.
    await officer.press(texts.gettext("ru", "review.option.approve"))
    assert officer.last_text() == texts.gettext("ru", "review.approved_done", name=FULL_NAME)
    await settled(harness)
    assert (await entry(database)).status is RegistrationStatus.APPROVED
    assert texts.gettext("ru", "notice.approved") in person.user.last_text()

    # The applicant adds the receipt; the coordinator imports the bank statement in the web.
    await person.press("option.pay")
    await person.user.press("1 880")
    await person.user.send_text("ab-2026-0001")
    web = harness.client
    assert (await login(web, coordinator)).status == 302
    token = await csrf_token(web, "/payments")
    form = FormData()
    form.add_field("csrf_token", token)
    statement = b"receipt number,amount,date\nAB-2026-0001,1880,2026-03-02\n"
    form.add_field("file", statement, filename="statement.csv", content_type="text/csv")
    response = await web.post("/payments/statement", data=form)
    assert response.status == 200
    await settled(harness)

    registration = await entry(database)
    assert registration.status is RegistrationStatus.REGISTERED
    async with database.session() as session:
        payment = await session.scalar(select(Payment))
    assert payment.status is PaymentStatus.CONFIRMED
    assert person.user.last_text() == texts.gettext("ru", "notice.registered")
