"""A scripted applicant from /start to a payment "being verified", in Kyrgyz and in Russian."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.enums import DocumentKind, PaymentStatus, RegistrationStatus
from storage.models import Document, LinkedChat, Payment, Registration
from tests.flows.conftest import ACCESS_CODE, APPLICANT_PHONE, FULL_NAME, ChatDriver

TEXTS = {
    "ky": {
        "lang": "Кыргызча",
        "welcome": "Саламатсызбы",
        "name_note": "жол ачкан адам",
        "confirm": "Туурабы",
        "no": "Жок",
        "math": "Математика",
        "chem": "Химия",
        "lang_test": "Орус тилинде",
        "received": "кабыл алынды ✓",
        "total": "Бардыгы: 1 880 сом",
        "submitted": "жөнөтүлдү",
        "being_verified": "Текшерилип жатат",
        "requirements": "КАТЫША АЛБАЙТ",
    },
    "ru": {
        "lang": "Русский",
        "welcome": "Здравствуйте",
        "name_note": "открыл вам доступ",
        "confirm": "Верно",
        "no": "Нет",
        "math": "Математика",
        "chem": "Химия",
        "lang_test": "На русском",
        "received": "получено ✓",
        "total": "Итого: 1 880 сом",
        "submitted": "отправлен",
        "being_verified": "Проверяется",
        "requirements": "НЕ ДОПУСКАЕТСЯ",
    },
}


async def register(chat: ChatDriver, lang: str, document_photo: bytes, face_photo: bytes):
    t = TEXTS[lang]
    await chat.command("start")
    await chat.choose(chat.option(t["lang"]))
    if chat.verified_phone is None:
        assert chat.last[-1].request_contact
        await chat.contact(APPLICANT_PHONE)
    assert t["welcome"] in chat.said and FULL_NAME in chat.said
    # The greeting and the first question come as one message, with the question's buttons.
    assert len(chat.last) == 1 and chat.last[0].options
    assert t["welcome"] in chat.last[0].text
    await chat.choose("no")  # not a university student
    assert t["name_note"] in chat.said and FULL_NAME in chat.said
    # Step 1's introduction and its first question: one message.
    assert len(chat.last) == 1 and t["name_note"] in chat.last[0].text
    await chat.text("2 05092007 12345")  # PIN of a man born 5 September 2007
    assert t["confirm"] in chat.said
    await chat.choose("yes")
    await chat.text("ан 1234567")  # Cyrillic letters, lower case, a space
    await chat.text("Сокулук району")
    await chat.text("Сокулук айылы")
    await chat.text("Ленин көчөсү, 12")
    await chat.choose("skip")
    await chat.choose("math")
    assert chat.last[0].updates_previous and chat.last[0].multi
    await chat.choose("chemistry")
    await chat.choose("done")
    await chat.choose(chat.option(t["lang_test"]))
    assert chat.last[-1].expects_file
    await chat.photo(document_photo)
    await chat.photo(document_photo)
    await chat.photo(document_photo)
    await chat.choose("yes")  # has benefits
    await chat.choose("orphan")
    await chat.choose("done")
    await chat.photo(document_photo)
    await chat.choose("bdone")
    assert t["requirements"] in chat.said
    await chat.photo(face_photo)
    summary = chat.said
    assert t["received"] in summary and t["total"] in summary
    assert "AN1234567" in summary and t["math"] in summary and t["chem"] in summary
    await chat.choose("submit")
    assert t["submitted"] in chat.said
    await chat.choose("pay")
    await chat.choose("payment_amount:due")
    await chat.text("  ab-2026-0001 ")
    assert t["being_verified"] in chat.said


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_telegram_applicant_registers_and_pays(
    telegram, database, filestore, grant, lang, document_photo, face_photo
):
    await register(telegram, lang, document_photo, face_photo)

    async with database.session() as s:
        registration = await s.scalar(select(Registration))
        documents = list(await s.scalars(select(Document).order_by(Document.id)))
        payment = await s.scalar(select(Payment))
        chat = await s.scalar(select(LinkedChat))
    answers = registration.answers
    assert registration.status is RegistrationStatus.SUBMITTED
    assert registration.submitted_at is not None and registration.language == lang
    assert answers["pin"] == "20509200712345"
    assert answers["gender"] == "male" and answers["birth_date"] == "2007-09-05"
    assert answers["passport"] == "AN1234567"
    assert answers["street"] == "Ленин көчөсү, 12" and answers["extra_phone"] is None
    assert answers["subjects"] == ["math", "chemistry"] and answers["test_language"] == "ru"
    assert answers["benefit_categories"] == ["orphan"] and answers["benefit_done"] == ["orphan"]
    kinds = [d.kind for d in documents if d.replaced_at is None]
    assert kinds == [
        DocumentKind.PASSPORT_FRONT,
        DocumentKind.PASSPORT_BACK,
        DocumentKind.CERTIFICATE,
        DocumentKind.BENEFIT,
        DocumentKind.FACE,
    ]
    for document in documents:
        stored = await filestore.get(document.sha256)
        assert stored[:3] == b"\xff\xd8\xff" and document.mime == "image/jpeg"
        assert (document.width, document.height) in {(1200, 800), (500, 600)}
    assert answers["face_photo"] == documents[-1].id
    assert payment.status is PaymentStatus.BEING_VERIFIED
    assert (payment.amount, payment.receipt_number, payment.payment_type) == (
        1880,
        "AB-2026-0001",
        "bank",
    )
    assert chat.phone == APPLICANT_PHONE and chat.grant_id == grant.id and chat.language == lang


async def test_whatsapp_applicant_is_identified_by_the_sender(
    whatsapp, database, grant, document_photo, face_photo
):
    await register(whatsapp, "ru", document_photo, face_photo)
    async with database.session() as s:
        registration = await s.scalar(select(Registration))
    assert registration.channel.value == "whatsapp"
    assert registration.status is RegistrationStatus.SUBMITTED


async def test_access_code_from_the_start_link(telegram, database, grant):
    await telegram.command("start", ACCESS_CODE)
    await telegram.choose("lang:ru")
    assert FULL_NAME in telegram.said
    async with database.session() as s:
        chat = await s.scalar(select(LinkedChat))
        row = await s.get(type(grant), grant.id)
    assert chat.grant_id == grant.id and chat.phone is None
    assert row.access_code_used_at is not None
