"""A whole registration over WhatsApp, through the real flow engine, in Kyrgyz and Russian."""

from __future__ import annotations

import pytest
from factories import make_district, make_grant, make_officer, make_school
from sqlalchemy import event, select

from bot.turns import TurnRunner
from flows.events import ChatKey, Event
from storage.enums import Channel, DocumentKind, PaymentStatus, RegistrationStatus, Role
from storage.models import Document, LinkedChat, Payment, Registration

from .applicant import ScriptedApplicant

GRANT_PHONE = "+996555400004"
OTHER_PHONE = "+996700500005"
ACCESS_CODE = "K7M2QX9P"


@pytest.fixture
async def grant(database, secret_box):
    async with database.session() as s:
        district = await make_district(s)
        school = await make_school(s, "10101", district)
        teacher = await make_officer(s, Role.SCHOOL, school=school)
        grant = await make_grant(
            s,
            school=school,
            granted_by=teacher,
            secret_box=secret_box,
            phone_number=GRANT_PHONE,
            code=ACCESS_CODE,
        )
    return grant


async def registration_rows(database, grant_id: int):
    async with database.session() as s:
        registration = await s.scalar(select(Registration).where(Registration.grant_id == grant_id))
        documents = list(
            await s.scalars(
                select(Document).where(
                    Document.registration_id == registration.id, Document.replaced_at.is_(None)
                )
            )
        )
        payments = list(
            await s.scalars(select(Payment).where(Payment.registration_id == registration.id))
        )
    return registration, documents, payments


@pytest.mark.parametrize(
    ("lang", "phone", "first_message", "subjects", "test_language"),
    [
        # Kyrgyz: the sender's number is the granted phone.
        ("ky", GRANT_PHONE, "Саламатсызбы", ("math", "chemistry"), "ky"),
        # Russian: another number, with the access code the Excel's click-to-chat link fills in.
        ("ru", OTHER_PHONE, f"start {ACCESS_CODE}", ("history",), "ru"),
    ],
)
async def test_an_applicant_registers_from_greeting_to_payment_being_verified(
    start_whatsapp,
    registration_flow,
    bot_texts,
    campaign,
    database,
    filestore,
    grant,
    lang,
    phone,
    first_message,
    subjects,
    test_language,
):
    wa = await start_whatsapp(registration_flow)
    applicant = ScriptedApplicant(
        wa.user(phone), bot_texts, lang, campaign, subjects=subjects, test_language=test_language
    )

    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        last = await applicant.register(first_message)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    # The replies' language comes with them from the turn: the channel does not read the chat
    # again for each answer (only for the greeting, when no language is chosen yet).
    assert len([s for s in statements if s.startswith("SELECT linked_chats")]) <= 1
    # The whole registration, from the greeting to the receipt, in at most 22 messages.
    sent = [line for line in applicant.transcript if line.startswith("> ")]
    assert len(sent) <= 22, len(sent)

    assert bot_texts.gettext(lang, "payment.status.being_verified") in last
    registration, documents, payments = await registration_rows(database, grant.id)
    assert registration.status is RegistrationStatus.SUBMITTED
    assert (registration.language, registration.channel) == (lang, Channel.WHATSAPP)
    answers = registration.answers
    assert (answers["passport"], answers["gender"], answers["birth_date"]) == (
        "ID1234567",
        "male",
        "2007-09-05",
    )
    assert answers["test_language"] == lang
    assert {d.kind for d in documents} == {
        DocumentKind.PASSPORT_FRONT,
        DocumentKind.PASSPORT_BACK,
        DocumentKind.CERTIFICATE,
        DocumentKind.FACE,
    }
    for document in documents:
        assert await filestore.exists(document.sha256)
    [payment] = payments
    assert (payment.status, payment.receipt_number) == (
        PaymentStatus.BEING_VERIFIED,
        applicant.receipt,
    )
    # Every photo was deleted at Twilio once read.
    assert wa.twilio.deleted_media == applicant.user.media_urls
    assert len(applicant.user.media_urls) == 4
    assert not any(wa.twilio.media_exists(url) for url in applicant.user.media_urls)
    async with database.session() as s:
        chat = await s.scalar(select(LinkedChat).where(LinkedChat.chat_id == f"whatsapp:{phone}"))
    assert chat.grant_id == grant.id
    # The status command, typed as a word.
    status = await applicant.say("статус")
    assert bot_texts.gettext(lang, "status.submitted") in status


async def test_a_draft_begun_on_telegram_continues_on_whatsapp_and_back(
    start_whatsapp, registration_flow, bot_texts, campaign, database, state, grant
):
    telegram = ChatKey(Channel.TELEGRAM, "5550001")
    turns = TurnRunner(
        conversation=registration_flow, database=database, state=state, translator=bot_texts
    )

    async def on_telegram(event: Event) -> str:
        replies = await turns.handle(telegram, event)
        return "\n\n".join(r.text for r in replies)

    await on_telegram(Event(kind="command", command="start"))
    await on_telegram(Event(kind="choice", choice="lang:ky"))
    await on_telegram(Event(kind="contact", phone=GRANT_PHONE))
    await on_telegram(Event(kind="choice", choice="is_student:no"))  # not a student
    await on_telegram(Event(kind="text", text="20509200700123"))
    asked = await on_telegram(Event(kind="choice", choice="personal_confirm:yes"))
    assert bot_texts.gettext("ky", "ask.passport") in asked

    wa = await start_whatsapp(registration_flow)
    applicant = ScriptedApplicant(wa.user(GRANT_PHONE), bot_texts, "ky", campaign)
    text = await applicant.say("Салам")
    text = await applicant.answer(applicant.last_question(text), text)  # the language
    # Recognized by the sender's number: the same draft, at the question after the PIN.
    assert applicant.last_question(text) == "ask.passport"
    text = await applicant.answer("ask.passport", text)
    assert applicant.last_question(text) == "ask.city"

    back = await on_telegram(Event(kind="text", text="Бишкек"))
    assert bot_texts.gettext("ky", "ask.village") in back
    registration, _, _ = await registration_rows(database, grant.id)
    assert registration.answers["passport"] == "ID1234567"  # typed on WhatsApp
    assert registration.answers["city"] == "Бишкек"  # typed on Telegram again
    async with database.session() as s:
        chats = list(await s.scalars(select(LinkedChat).where(LinkedChat.grant_id == grant.id)))
    assert {c.channel for c in chats} == {Channel.TELEGRAM, Channel.WHATSAPP}
