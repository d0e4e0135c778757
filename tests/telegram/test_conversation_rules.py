"""The rules of the conversation where applicants met them on Telegram (docs/conversation.md).

Each test walks the whole app over the fake Bot API, as in test_registration_e2e.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from office import decisions
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, PaymentStatus, RegistrationStatus, Role
from storage.models import AccessGrant, Officer, Payment, Registration
from tests.factories import make_district, make_grant, make_officer, make_school
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg

from .applicant import ACCESS_CODE, APPLICANT_PHONE, FULL_NAME, Applicant
from .conftest import Harness


@pytest.fixture
async def world(database: Database, secret_box: SecretBox) -> tuple[AccessGrant, Officer]:
    async with database.session() as session:
        district = await make_district(session)
        school = await make_school(session, "10101", district)
        officer = await make_officer(session, Role.DISTRICT, district=district)
        grant = await make_grant(
            session,
            school=school,
            granted_by=officer,
            secret_box=secret_box,
            phone_number=APPLICANT_PHONE,
            full_name=FULL_NAME,
            kind=GrantKind.MZHB,
            code=ACCESS_CODE,
        )
        return grant, officer


def applicant(harness: Harness, lang: str) -> Applicant:
    runtime = harness.runtime
    user = harness.user(language_code=lang)
    return Applicant(user, lang=lang, texts=runtime.bot_texts, campaign=runtime.campaign)


async def registration(database: Database) -> Registration:
    async with database.session() as session:
        return await session.scalar(select(Registration))


async def payments(database: Database) -> list[Payment]:
    async with database.session() as session:
        return list(await session.scalars(select(Payment).order_by(Payment.id)))


async def registered(person: Applicant, *, pay: bool) -> None:
    """Walk the form from /start to the submission (and the payment when `pay`)."""
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.address()
    await person.tests()
    await person.documents()
    await person.no_benefits()
    await person.face()
    if pay:
        await person.submit_and_pay()
    else:
        await person.press("option.submit")


async def rejected(database: Database, officer: Officer, reasons: list[str], comment=None):
    async with database.session() as session:
        entry = await session.scalar(select(Registration))
        actor = await session.get(Officer, officer.id)
        result = await decisions.reject(
            session,
            actor=actor,
            registration_id=entry.id,
            reasons=reasons,
            comment=comment,
            now=datetime.now(UTC),
        )
        assert not hasattr(result, "message_id"), result


async def test_a_whole_registration_takes_at_most_25_messages(start_app, world) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ky")
    await registered(person, pay=True)
    assert person.t("payment.status.being_verified") in person.said()
    assert person.user.sent <= 25, person.user.sent


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_an_old_yes_does_not_answer_a_later_yes_no_question(
    start_app, database, world, lang
) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, lang)
    await person.open_bot()
    await person.identify_by_contact()
    student = person.asked_last("ask.is_student")
    await person.press("option.no")
    await person.user.send_text("2 05092007 12345")
    person.said()
    # At the PIN confirmation, the "No" of the student question a few messages up.
    await person.press_in(student, person.t("option.no"))
    answer = person.said()
    assert person.t("error.old_button") in answer
    assert person.t("ask.personal_confirm").split("{")[0] in answer
    assert "personal_confirm" not in (await registration(database)).answers
    await person.press("option.yes")
    await person.user.send_text("AN1234567")
    await person.address()
    await person.tests()
    await person.documents()
    person.said()
    # At "Do you have benefits?", the old "Yes" of the PIN confirmation claims nothing.
    await person.press_in(person.asked_last("ask.personal_confirm"), person.t("option.yes"))
    assert person.t("error.old_button") in person.said()
    answers = (await registration(database)).answers
    assert "has_benefits" not in answers and answers["gender"] == "male"


async def test_an_old_pay_button_adds_no_second_receipt(start_app, database, world) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await registered(person, pay=True)
    submitted = person.asked_last("payment.state.none")
    person.said()
    await person.press_in(submitted, person.t("option.pay"))
    said = person.said()
    assert person.t("payment.no_new_receipt") in said
    assert person.t("payment.ask_amount").split("{")[0] not in said
    assert len(await payments(database)) == 1


async def test_a_short_payment_lets_the_rest_be_paid_and_says_how_much(
    start_app, database, world
) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await registered(person, pay=False)
    await person.press("option.pay")
    await person.user.send_text("1000")  # of 1 880
    await person.user.send_text("да")  # typed, at the yes/no of the payment steps
    await person.user.send_text("AB-1")
    said = person.said()
    assert "не хватает 880 сом" in said
    await person.press("option.pay")
    assert "Осталось оплатить: 880 сом" in person.said()
    await person.user.press("880 сом")
    await person.user.send_text("AB-2")
    assert person.t("payment.state.verifying") in person.said()
    assert [p.amount for p in await payments(database)] == [1000, 880]


async def test_after_a_rejection_a_fix_leads_to_submit_again(start_app, database, world) -> None:
    grant, officer = world
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await registered(person, pay=True)
    await rejected(database, officer, ["passport", "face_photo"])
    await person.user.send_text("/edit")
    await person.user.press(person.t("field.passport_front"))
    await person.user.send_photo(document_photo_jpeg())
    said = person.said()
    assert "остаётся отправленным" not in said
    assert "Ещё нужно исправить: фотография лица" in said
    assert person.t("option.resubmit") in [b["text"] for b in person.user.messages()[-1].buttons()]
    await person.user.send_text("/edit")
    await person.user.press(person.t("field.face_photo"))
    await person.user.send_photo(face_photo_jpeg())
    said = person.said()
    assert "Всё, что нужно было исправить, исправлено" in said
    await person.press("option.resubmit")
    said = person.said()
    # Sent again: one sentence for the form, one for the payment, which is not asked again.
    assert person.t("submit.again") in said and person.t("payment.state.verifying") in said
    assert "оплатите" not in said.casefold()
    assert (await registration(database)).status is RegistrationStatus.SUBMITTED
    assert [p.status for p in await payments(database)] == [PaymentStatus.BEING_VERIFIED]


async def test_an_other_reason_quotes_the_officers_comment(start_app, database, world) -> None:
    grant, officer = world
    harness = await start_app("webhook")
    person = applicant(harness, "ky")
    await registered(person, pay=False)
    await rejected(database, officer, ["other"], "Көчөнүн атын толук жазыңыз")
    person.said()
    await person.user.send_text("/status")
    said = person.said()
    assert "Көчөнүн атын толук жазыңыз" in said
    assert person.t("reason.other") not in said


async def test_a_pin_of_someone_too_young_says_the_age_rule(start_app, database, world) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await person.open_bot()
    await person.identify_by_contact()
    await person.press("option.no")
    person.said()
    await person.user.send_text("20101201512345")  # born 1 January 2015
    said = person.said()
    assert "от 14 до 80 лет" in said and "01.01.2015" in said
    assert "не дата" not in said
    await person.user.send_text("20101201512345")  # typed again: kept, asked explicitly
    assert person.t("ask.gender") in person.said()
    assert (await registration(database)).answers["pin"] == "20101201512345"


async def test_someone_elses_contact_is_answered_with_the_reason(start_app, world) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ky")
    await person.open_bot()
    person.said()
    await person.user.share_contact(APPLICANT_PHONE, owner_id=999)
    said = person.said()
    assert person.t("identity.contact_not_own") in said
    assert "Телефон номеримди жөнөтүү" in said


async def test_greetings_are_answered_not_stored(start_app, database, world) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ru")
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.user.send_text("Сокулук")
    person.said()
    await person.user.send_text("Здравствуйте!")  # at the village question
    said = person.said()
    assert person.t("smalltalk.greeting") in said and person.t("ask.village") in said
    await person.user.send_text("спасибо")
    assert person.t("ask.village") in person.said()
    answers = (await registration(database)).answers
    assert "village" not in answers and answers["city"] == "Сокулук району"


async def test_prompts_say_press_the_button_on_telegram(start_app, world) -> None:
    harness = await start_app("webhook")
    person = applicant(harness, "ky")
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.address()
    said = person.said()
    assert "«Даяр» баскычын басыңыз" in said and "дегенди тандаңыз" not in said
    assert "«Өткөрүп жиберүү» баскычын басыңыз" in said
    # Kyrgyz dates as people write them; the gender in lower case mid-sentence.
    assert "жынысыңыз — эркек, туулган күнүңүз — 05.09.2007" in said
