"""End to end: the whole app (`create_app`, the real flow engine, aiogram's HTTP session) and a
scripted applicant over the fake Bot API, from /start to a payment "being verified".
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import DocumentKind, GrantKind, PaymentStatus, RegistrationStatus, Role
from storage.filestore import FileStore
from storage.models import AccessGrant, Document, LinkedChat, Payment, Registration
from tests.factories import make_district, make_grant, make_officer, make_school

from .applicant import ACCESS_CODE, APPLICANT_PHONE, FULL_NAME, Applicant
from .conftest import Harness

BEING_VERIFIED = {"ky": "Текшерилип жатат", "ru": "Проверяется"}


@pytest.fixture
async def grant(database: Database, secret_box: SecretBox) -> AccessGrant:
    async with database.session() as session:
        district = await make_district(session)
        school = await make_school(session, "10101", district)
        officer = await make_officer(session, Role.DISTRICT, district=district)
        return await make_grant(
            session,
            school=school,
            granted_by=officer,
            secret_box=secret_box,
            phone_number=APPLICANT_PHONE,
            full_name=FULL_NAME,
            kind=GrantKind.MZHB,
            code=ACCESS_CODE,
        )


def applicant(harness: Harness, lang: str) -> Applicant:
    runtime = harness.runtime
    user = harness.user(language_code=lang)
    return Applicant(user, lang=lang, texts=runtime.bot_texts, campaign=runtime.campaign)


async def rows(database: Database) -> tuple[Registration, list[Document], list[Payment]]:
    async with database.session() as session:
        registration = await session.scalar(select(Registration))
        documents = list(await session.scalars(select(Document).order_by(Document.id)))
        payments = list(await session.scalars(select(Payment)))
    return registration, documents, payments


@pytest.mark.parametrize(
    ("lang", "mode", "identified_by"),
    [("ky", "webhook", "contact"), ("ru", "polling", "start link")],
)
async def test_applicant_registers_and_pays(
    start_app, database, filestore: FileStore, grant, lang, mode, identified_by
) -> None:
    harness = await start_app(mode)
    person = applicant(harness, lang)

    if identified_by == "contact":
        await person.open_bot()
        ask = person.user.new_messages()[-1]
        assert ask.reply_markup["keyboard"][0][0]["request_contact"] is True
        await person.identify_by_contact()
    else:
        await person.open_bot(code=ACCESS_CODE)
    assert FULL_NAME in person.said()
    await person.personal_data()
    await person.address()
    await person.tests()
    await person.documents()
    await person.benefits()
    await person.face()
    await person.submit_and_pay()
    assert BEING_VERIFIED[lang] in person.said()

    registration, documents, payments = await rows(database)
    answers = registration.answers
    assert registration.status is RegistrationStatus.SUBMITTED and registration.language == lang
    assert (answers["pin"], answers["gender"], answers["birth_date"]) == (
        "20509200712345",
        "male",
        "2007-09-05",
    )
    assert answers["passport"] == "AN1234567"
    assert (answers["city"], answers["village"]) == ("Сокулук району", "Сокулук айылы")
    assert answers["street"] == "Ленин көчөсү, 12" and answers["extra_phone"] is None
    assert answers["subjects"] == ["math", "chemistry"] and answers["test_language"] == "ru"
    assert answers["benefit_categories"] == ["orphan"]
    assert [d.kind for d in documents if d.replaced_at is None] == [
        DocumentKind.PASSPORT_FRONT,
        DocumentKind.PASSPORT_BACK,
        DocumentKind.CERTIFICATE,
        DocumentKind.BENEFIT,
        DocumentKind.FACE,
    ]
    for document in documents:
        stored = await filestore.get(document.sha256)
        assert stored[:3] == b"\xff\xd8\xff" and document.mime == "image/jpeg"
    [payment] = payments
    assert payment.status is PaymentStatus.BEING_VERIFIED
    assert (payment.amount, payment.receipt_number) == (1880, "AB-2026-0001")
    async with database.session() as session:
        chat = await session.scalar(select(LinkedChat))
    assert chat.chat_id == str(person.user.chat_id) and chat.grant_id == grant.id
    assert chat.phone == (APPLICANT_PHONE if identified_by == "contact" else None)


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_restart_mid_form_loses_nothing(start_app, database, grant, mode) -> None:
    first = await start_app(mode)
    person = applicant(first, "ru")
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.user.send_text("Сокулук району")

    await first.close()  # the process stops; a new one starts on the same database
    second = await start_app(mode)
    person.user.deliver = second.deliver
    person.said()
    await person.user.send_text("/start")
    # It goes on at the first missing answer: the village.
    assert person.t("ask.village") in person.said()
    await person.user.send_text("Сокулук айылы")
    await person.user.send_text("Ленин көчөсү, 12")
    await person.press("option.skip")
    await person.tests()
    await person.documents()

    registration, documents, _ = await rows(database)
    answers = registration.answers
    assert answers["passport"] == "AN1234567" and answers["pin"] == "20509200712345"
    assert answers["street"] == "Ленин көчөсү, 12"
    assert answers["subjects"] == ["math", "chemistry"]
    assert len(documents) == 3


async def test_state_flushed_mid_form_loses_nothing(start_app, database, grant) -> None:
    """Redis (or in-process state) emptied mid-form, even mid multi-choice: answers stay."""
    harness = await start_app("webhook")
    person = applicant(harness, "ky")
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.address()
    subjects = harness.runtime.campaign.subjects_by_code
    await person.user.press(subjects["physics"].name("ky"))

    await harness.runtime.state.flush()

    await person.user.send_text("/start")
    await person.tests()
    await person.documents()
    registration, documents, _ = await rows(database)
    assert registration.answers["passport"] == "AN1234567"
    assert registration.answers["street"] == "Ленин көчөсү, 12"
    assert "math" in registration.answers["subjects"]
    assert len(documents) == 3


async def test_someone_elses_contact_does_not_identify(start_app, database, grant) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await person.open_bot()
    person.said()
    await person.user.share_contact(APPLICANT_PHONE, owner_id=999)  # forwarded, not their own
    again = person.user.new_messages()
    assert again[-1].reply_markup["keyboard"][0][0]["request_contact"] is True
    async with database.session() as session:
        chat = await session.scalar(select(LinkedChat))
    assert chat.grant_id is None and chat.phone is None


async def test_sticker_and_voice_get_a_helpful_answer(start_app, grant) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await person.open_bot()
    await person.identify_by_contact()
    await person.press("option.no")
    person.said()
    await person.user.send_sticker()
    answer = person.said()
    assert person.t("unsupported.sticker") in answer and person.t("ask.pin") in answer
    await person.user.send_voice()
    assert person.t("unsupported.voice") in person.said()


async def test_blocked_bot_is_recorded_for_officers(start_app, database, fake_api, grant) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ky")
    await person.open_bot()
    await person.identify_by_contact()
    fake_api.fail_next("sendMessage", status=403)
    await person.press("option.no")
    async with database.session() as session:
        chat = await session.scalar(select(LinkedChat))
    assert chat.blocked_at is not None
