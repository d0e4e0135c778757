"""Each step's happy path and re-ask, unexpected inputs, leaving and returning, two channels."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from flows.events import ChatKey, Event
from storage.enums import Channel, DocumentKind
from storage.models import Document, LinkedChat, Registration
from tests.flows.conftest import APPLICANT_PHONE, ChatDriver
from tests.flows.script import advance, start
from tests.photos.photo_samples import astronaut, jpeg


@pytest.fixture
def photos(document_photo, face_photo):
    return {"document": document_photo, "face": face_photo}


async def answers(database) -> dict:
    async with database.session() as s:
        return (await s.scalar(select(Registration))).answers


async def test_every_answer_is_in_the_database_at_once(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="city")
    assert (await answers(database))["passport"] == "AN1234567"
    await telegram.text("Ош")
    assert (await answers(database))["city"] == "Ош"


@pytest.mark.parametrize(
    ("field", "wrong", "reason"),
    [
        ("pin", "123", "14 цифр"),
        ("passport", "I-АН 123456", "свидетельства о рождении"),
        ("city", "12345", "буквами"),
        ("village", "!!", "буквами"),
        ("street", "7", "буквами"),
        ("extra_phone", "12", "Неверный номер"),
    ],
)
async def test_a_wrong_typed_answer_is_explained_and_asked_again(
    telegram, database, grant, photos, field, wrong, reason
):
    await start(telegram)
    await advance(telegram, photos, until=field)
    before = telegram.said
    await telegram.text(wrong)
    assert reason in telegram.said
    assert telegram.last[-1].text.endswith(before.split("\n")[-1])  # the same question again
    assert field not in await answers(database)


async def test_personal_data_asked_when_the_pin_is_not_confirmed(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="personal_confirm")
    assert "мужской" in telegram.said.lower() and "5 сентября 2007" in telegram.said
    await telegram.choose("no")
    assert "пол" in telegram.said
    await telegram.choose("female")
    await telegram.text("31.02.2007")
    assert "ДД.ММ.ГГГГ" in telegram.said
    await telegram.text("06.09.2007")
    saved = await answers(database)
    assert (saved["gender"], saved["birth_date"], saved["personal_confirm"]) == (
        "female",
        "2007-09-06",
        False,
    )
    assert "паспорта" in telegram.said


async def test_a_pin_with_an_odd_date_is_taken_the_second_time(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="pin")
    await telegram.text("13102200800123")
    assert "31.02.2008" in telegram.said
    await telegram.text("13102200800123")
    assert "пол" in telegram.said  # not pre-filled: both are asked
    assert "personal_confirm" not in await answers(database)


async def test_subjects_toggle_and_mandatory_tests_stay(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="subjects")
    reply = telegram.last[-1]
    fixed = [o for o in reply.options if o.fixed]
    assert [o.selected for o in fixed] == [True, True]
    await telegram.choose("math")
    await telegram.choose("physics")
    await telegram.choose("math")
    await telegram.choose(fixed[0].id)
    assert "обязательный" in telegram.said
    assert {o.id for o in telegram.last[-1].options if o.selected} == {
        "subjects:fixed:main",
        "subjects:fixed:state_language",
        "subjects:physics",
    }
    await telegram.text("Химия")  # a typed label toggles too (WhatsApp users type)
    await telegram.choose("done")
    assert (await answers(database))["subjects"] == ["physics", "chemistry"]


@pytest.mark.parametrize("field", ["passport_front", "certificate", "face_photo"])
async def test_text_where_a_photo_is_due(telegram, database, grant, photos, field):
    await start(telegram)
    await advance(telegram, photos, until=field)
    await telegram.text("вот мой паспорт")
    assert "нужна фотография" in telegram.said and telegram.last[-1].expects_file


async def test_bad_photos_are_refused_with_the_reason(
    telegram, database, grant, photos, tiny_photo, grey_face_photo
):
    await start(telegram)
    await advance(telegram, photos, until="passport_front")
    await telegram.photo(b"%PDF-1.4 not an image")
    assert "не является изображением" in telegram.said
    await telegram.photo(tiny_photo)
    assert "600×400" in telegram.said
    await advance(telegram, photos, until="face_photo", begin="passport_front")
    await telegram.photo(grey_face_photo)
    assert "цветной" in telegram.said
    await telegram.photo(photos["document"])  # a page of print: no face on it
    assert "не найдено лицо" in telegram.said
    await telegram.photo(photos["face"])
    assert "Итого" in telegram.said


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (Event(kind="unsupported", unsupported="sticker"), "стикер"),
        (Event(kind="unsupported", unsupported="voice"), "голосовое"),
        (Event(kind="unsupported", unsupported="something new"), "не могу понять"),
        (Event(kind="choice", choice="subj:from-an-old-message"), "предыдущему вопросу"),
        (Event(kind="contact", phone="+996555000777"), "Выберите один из вариантов"),
    ],
)
async def test_unexpected_input_is_answered_and_the_question_repeated(
    telegram, database, grant, photos, event, reason
):
    await start(telegram)
    await advance(telegram, photos, until="test_language")
    await telegram.send(event)
    assert reason in telegram.said
    assert "язык тестирования" in telegram.last[-1].text


async def test_a_photo_where_text_is_due(telegram, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="street")
    await telegram.photo(photos["document"])
    assert "Напишите ответ текстом" in telegram.said and "улицу" in telegram.said


async def test_leave_and_return_with_transient_state_lost(
    make_flow, state, database, grant, photos
):
    key = ChatKey(Channel.TELEGRAM, "5001")
    chat = ChatDriver(make_flow(), key, database=database)
    await start(chat)
    await advance(chat, photos, until="subjects")
    await chat.choose("biology")  # a half-made multi-choice, in transient state only
    if hasattr(state, "flush"):
        await state.flush()
    again = ChatDriver(make_flow(), key)  # a new process
    await again.command("start")
    assert "С возвращением" in again.said and "Шаг 3" in again.said
    assert not any(o.selected for o in again.last[-1].options if not o.fixed)
    await again.choose("done")
    assert "язык тестирования" in again.said


async def test_telegram_and_whatsapp_share_one_draft(telegram, whatsapp, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="city")
    await whatsapp.command("start")
    await whatsapp.choose("lang:ky")
    assert "шаар" in whatsapp.said.lower()
    await whatsapp.text("Талас")
    await telegram.command("start")
    assert "село" in telegram.said  # Telegram continues where WhatsApp stopped, in Russian
    async with database.session() as s:
        registrations = list(await s.scalars(select(Registration)))
        chats = list(await s.scalars(select(LinkedChat).order_by(LinkedChat.id)))
    assert len(registrations) == 1 and registrations[0].answers["city"] == "Талас"
    assert [(c.channel, c.phone) for c in chats] == [
        (Channel.TELEGRAM, APPLICANT_PHONE),
        (Channel.WHATSAPP, APPLICANT_PHONE),
    ]


async def test_benefits_need_a_document_per_category_or_saying_no(
    telegram, database, grant, photos
):
    await start(telegram)
    await advance(telegram, photos, until="has_benefits")
    assert "https://" in telegram.said
    await telegram.choose("yes")
    await telegram.choose("done")
    assert "хотя бы один" in telegram.said
    await telegram.choose("orphan")
    await telegram.choose("kairylman")
    await telegram.choose("done")
    assert "Сирота" in telegram.said
    assert "bdone" not in [o.id for o in telegram.last[-1].options]
    await telegram.photo(photos["document"])
    await telegram.photo(photos["document"])
    assert "получено: 2" in telegram.said
    await telegram.choose("bdone")
    assert "кайрылман" in telegram.said
    await telegram.choose("bno")  # no document after all: go back and say no
    assert "Шаг 5" in telegram.said
    saved = await answers(database)
    assert saved["has_benefits"] is False and "benefit_categories" not in saved
    async with database.session() as s:
        benefit = list(
            await s.scalars(select(Document).where(Document.kind == DocumentKind.BENEFIT))
        )
    assert len(benefit) == 2 and all(d.replaced_at is not None for d in benefit)


async def test_a_university_student_is_refused_kindly(telegram, database, grant):
    await start(telegram)
    await telegram.choose("yes")
    assert "нельзя зарегистрировать" in telegram.said
    await telegram.text("20509200712345")
    assert "нельзя зарегистрировать" in telegram.said
    assert "pin" not in await answers(database)
    await telegram.choose("student:change")
    assert "вузе" in telegram.said


async def test_face_photo_with_warnings_is_kept_and_can_be_sent_again(
    telegram, database, grant, photos
):
    busy_background = jpeg(astronaut())  # a real face in front of a studio backdrop
    await start(telegram)
    await advance(telegram, photos, until="face_photo")
    await telegram.photo(busy_background)
    assert "белым или близким к белому" in telegram.said
    assert "Итого" in telegram.said  # kept: the applicant may override a warning
    await telegram.choose("edit:face_photo")
    await telegram.photo(photos["face"])
    assert "белым" not in telegram.said
    async with database.session() as session:
        faces = (
            (
                await session.execute(
                    select(Document).where(Document.kind == DocumentKind.FACE).order_by(Document.id)
                )
            )
            .scalars()
            .all()
        )
    assert [f.replaced_at is not None for f in faces] == [True, False]
    assert {r["code"] for r in faces[0].check_results} >= {"photo.background_not_white"}
    assert faces[1].check_results == []
