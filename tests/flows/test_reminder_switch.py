"""«STOP» / «токтот» / «стоп» turn the bot's reminders off for the grant; «START» back on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import AccessGrant, Registration
from tests.flows.script import advance, start


@pytest.fixture
def photos(document_photo, face_photo):  # type: ignore[no-untyped-def]
    return {"document": document_photo, "face": face_photo}


async def stopped_at(database):  # type: ignore[no-untyped-def]
    async with database.session() as s:
        return await s.scalar(select(AccessGrant.reminders_stopped_at))


async def test_stop_words_in_either_language_and_start_again(whatsapp, database, grant, photos):
    await start(whatsapp, lang="ky")
    await whatsapp.text("токтот")
    assert "Эскертмелер токтотулду" in whatsapp.said
    assert await stopped_at(database) is not None
    await whatsapp.text("START")
    assert "Эскертмелер кайра күйгүзүлдү" in whatsapp.said
    assert await stopped_at(database) is None
    await whatsapp.text("Стоп!")  # a Russian word in a Kyrgyz chat, with a mark
    assert await stopped_at(database) is not None


async def test_stop_in_russian_and_the_form_goes_on(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="city")
    await telegram.text("STOP")
    assert "Напоминания отключены" in telegram.said
    assert await stopped_at(database) is not None
    await telegram.text("Бишкек")  # the form goes on where it was
    async with database.session() as s:
        answers = await s.scalar(select(Registration.answers))
    assert answers["city"] == "Бишкек"


async def test_a_word_inside_an_answer_is_an_answer(telegram, database, grant, photos):
    await start(telegram)
    await advance(telegram, photos, until="street")
    await telegram.text("Стоп көчөсү, 5")
    assert await stopped_at(database) is None
