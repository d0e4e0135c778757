"""Who may register and when; the summary, editing, payments and an officer's rejection."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from flows.events import ChatKey
from storage.enums import Channel, PaymentStatus, RegistrationStatus
from storage.models import Payment, Registration
from tests.flows.conftest import ACCESS_CODE, ChatDriver
from tests.flows.script import advance, start


@pytest.fixture
def photos(document_photo, face_photo):
    return {"document": document_photo, "face": face_photo}


async def registration(database) -> Registration:
    async with database.session() as s:
        return await s.scalar(select(Registration))


async def test_a_phone_without_grant_is_told_whom_to_ask(telegram, grant):
    await telegram.command("start")
    await telegram.choose("lang:ky")
    await telegram.contact("+996555000777")
    assert "мектебиңиздеги ЖРТ боюнча жооптуу" in telegram.said
    assert "райондук (шаардык) билим берүү бөлүмүнө" in telegram.said
    await telegram.text(ACCESS_CODE.lower())  # the code still works
    assert "Саламатсызбы" in telegram.said


async def test_wrong_and_used_access_codes(telegram, make_flow, grant):
    await telegram.command("start")
    await telegram.choose("lang:ru")
    await telegram.text("hello")
    assert "не похоже на код" in telegram.said and telegram.last[-1].request_contact
    await telegram.text("AAAA-BBBB")
    assert "не найден" in telegram.said
    await telegram.text(ACCESS_CODE)
    other = ChatDriver(make_flow(), ChatKey(Channel.TELEGRAM, "6002"))
    await other.command("start", ACCESS_CODE)
    await other.choose("lang:ru")
    assert "уже использован" in other.said


@pytest.mark.parametrize(
    ("opens", "closes", "expected"),
    [
        (date(2026, 4, 1), date(2026, 5, 1), "начнётся 1 апреля 2026 и продлится до 1 мая 2026."),
        (date(2026, 1, 1), date(2026, 2, 1), "завершилась 1 февраля 2026."),
    ],
)
async def test_outside_the_window_the_dates_are_said(
    make_flow, campaign, grant, opens, closes, expected
):
    closed = campaign.model_copy(
        update={"registration_opens": opens, "registration_closes": closes}
    )
    chat = ChatDriver(make_flow(campaign=closed), ChatKey(Channel.TELEGRAM, "7001"))
    await chat.command("start")
    await chat.choose("lang:ru")
    assert expected in chat.said
    await chat.contact("+996700123456")
    assert expected in chat.said


async def test_summary_edit_returns_to_the_summary(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos)
    assert "Итого: 1 410 сом" in telegram.said
    await telegram.choose("edit")
    await telegram.choose("edit:street")
    assert "улицу" in telegram.said
    await telegram.text("Манаса 5")
    assert "Изменение сохранено" in telegram.said and "Улица: Манаса 5" in telegram.said
    await telegram.choose("edit")
    await telegram.choose("edit:subjects")
    await telegram.choose("history")
    await telegram.choose("done")
    assert "История: 470 сом" in telegram.said and "Итого: 1 880 сом" in telegram.said
    await telegram.choose("edit")
    await telegram.choose("edit:passport_front")
    await telegram.photo(photos["document"])
    assert "Паспорт, лицевая сторона: получено ✓" in telegram.said
    assert (await registration(database)).answers["street"] == "Манаса 5"


async def test_editing_the_pin_asks_to_confirm_again(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos)
    await telegram.command("edit")
    await telegram.choose("edit:pin")
    await telegram.text("10101200500123")
    assert "женский" in telegram.said.lower() and "1 января 2005" in telegram.said
    await telegram.choose("yes")
    saved = (await registration(database)).answers
    assert (saved["gender"], saved["birth_date"]) == ("female", "2005-01-01")


async def test_payment_with_another_amount_cancel_and_enter_again(
    telegram, database, grant, photos
):
    await start(telegram)
    await advance(telegram, photos)
    await telegram.send(telegram_choice("pay"))  # an old button: not offered before Submit
    assert "Сначала заполните и отправьте" in telegram.said
    await telegram.send(telegram_choice("submit"))
    await telegram.choose("pay")
    await telegram.text("1000")
    assert "1 000 сом" in telegram.said and "1 410 сом" in telegram.said
    await telegram.choose("no")
    await telegram.text("1 410")
    await telegram.text("x")
    assert "от 4 до 30" in telegram.said
    await telegram.text("Q-1")
    assert "от 4 до 30" in telegram.said
    await telegram.text("QWE-12")
    assert "Проверяется" in telegram.said
    async with database.session() as s:
        payment = await s.scalar(select(Payment))
    await telegram.choose(f"pay:cancel:{payment.id}")
    assert "Платёж отменён" in telegram.said and "Отменён" in telegram.said
    await telegram.choose("pay")
    await telegram.choose("payment_amount:due")
    await telegram.text("QWE-13")
    await telegram.command("status")
    assert (
        "QWE-12" in telegram.said and "QWE-13" in telegram.said and "Проверяется" in telegram.said
    )
    async with database.session() as s:
        rows = list(await s.scalars(select(Payment).order_by(Payment.id)))
    assert [(p.receipt_number, p.status) for p in rows] == [
        ("QWE-12", PaymentStatus.CANCELLED),
        ("QWE-13", PaymentStatus.BEING_VERIFIED),
    ]


def telegram_choice(option: str):
    from flows.events import Event

    return Event(kind="choice", choice=option)


async def test_status_lists_done_and_missing(telegram, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="subjects")
    await telegram.command("status")
    assert "✓ Шаг 2: Адрес" in telegram.said and "Шаг 3: Тесты — не заполнен" in telegram.said
    await telegram.command("help")
    assert "/status" in telegram.said and "Выберите предметные тесты" in telegram.said


async def test_a_rejected_entry_lets_the_applicant_fix_only_what_was_asked(
    telegram, database, grant, photos
):
    await start(telegram)
    await advance(telegram, photos)
    await telegram.choose("submit")
    async with database.session() as s:
        row = await s.scalar(select(Registration))
        row.status = RegistrationStatus.REJECTED
        row.rejection_reasons = ["face_photo"]
    await telegram.command("status")
    assert "фотография лица не соответствует" in telegram.said
    await telegram.choose("edit")
    assert [o.id for o in telegram.last[-1].options] == ["edit:face_photo", "summary"]
    await telegram.send(telegram_choice("edit:street"))
    assert "нельзя" in telegram.said
    await telegram.choose("edit")
    await telegram.choose("edit:face_photo")
    await telegram.photo(photos["face"])
    await telegram.choose("menu")
    await telegram.choose("submit")
    assert "отправлен" in telegram.said
    row = await registration(database)
    assert row.status is RegistrationStatus.SUBMITTED and row.rejection_reasons == []
