"""The rules of the conversation where applicants met them on WhatsApp (docs/conversation.md).

Signed Twilio webhooks in, the real flow engine, the fake Twilio REST API out.
"""

from __future__ import annotations

import pytest
from factories import make_district, make_grant, make_officer, make_school
from sqlalchemy import select

from bot.turns import TurnRunner
from flows.events import ChatKey, Event
from storage.enums import Channel, Role
from storage.models import Payment, Registration

from .applicant import ScriptedApplicant
from .conftest import numbered_options

PHONE = "+996555400004"


@pytest.fixture
async def grant(database, secret_box):
    async with database.session() as s:
        district = await make_district(s)  # Сокулук району, Чүй облусу
        await make_district(s, "Ош шаары", "Ош шаары")
        school = await make_school(s, "10101", district)
        teacher = await make_officer(s, Role.SCHOOL, school=school)
        return await make_grant(
            s, school=school, granted_by=teacher, secret_box=secret_box, phone_number=PHONE
        )


@pytest.fixture
async def person(start_whatsapp, registration_flow, bot_texts, campaign, grant):
    async def _make(lang: str = "ky") -> ScriptedApplicant:
        wa = await start_whatsapp(registration_flow)
        return ScriptedApplicant(
            wa.user(PHONE), bot_texts, lang, campaign, subjects=("chemistry",), test_language="ru"
        )

    return _make


async def answers(database) -> dict:
    async with database.session() as s:
        return (await s.scalar(select(Registration))).answers


async def walk_to(applicant: ScriptedApplicant, question: str, first: str = "Салам") -> str:
    """Answer as the script does until the bot asks `question`; return what it said last."""
    text = await applicant.say(first)
    for _ in range(40):
        asked = applicant.last_question(text)
        if asked == question:
            return text
        text = await applicant.answer(asked, text)
    raise AssertionError(f"{question} never asked:\n" + "\n".join(applicant.transcript))


async def test_a_greeting_at_the_city_question_is_answered_not_stored(person, database):
    applicant = await person("ky")
    await walk_to(applicant, "ask.city")
    text = await applicant.say("Салам")
    assert applicant.t("smalltalk.greeting") in text
    assert applicant.last_question(text) == "ask.city"
    assert "city" not in await answers(database)


async def test_a_city_is_matched_with_the_codifier(person, database):
    applicant = await person("ru")
    await walk_to(applicant, "ask.city")
    text = await applicant.say("Сакулукский р-н")  # a letter off, with a Russian ending
    options = numbered_options(text)
    assert "Сокулук району" in options
    text = await applicant.say(options["Сокулук району"])
    assert applicant.last_question(text) == "ask.village"
    assert (await answers(database))["city"] == "Сокулук району"


async def test_a_city_the_codifier_does_not_know_is_kept_as_typed(person, database):
    applicant = await person("ru")
    await walk_to(applicant, "ask.city")
    text = await applicant.say("Кара-Балта")
    assert applicant.last_question(text) == "ask.village"
    assert (await answers(database))["city"] == "Кара-Балта"


@pytest.mark.parametrize("typed", ["нет", "жок", "-", "жок экен"])
async def test_no_at_the_extra_phone_is_skip(person, database, typed):
    applicant = await person("ky")
    await walk_to(applicant, "ask.extra_phone")
    text = await applicant.say(typed)
    assert applicant.last_question(text) == "ask.subjects"
    assert (await answers(database))["extra_phone"] is None


async def test_typed_yes_at_the_payment_amount_check(person, database):
    applicant = await person("ky")
    text = await walk_to(applicant, "payment.ask_amount")
    text = await applicant.say("1000")
    assert "Сумма туурабы?" in text
    # "да" in a Kyrgyz chat: not the label of a numbered option, a yes word of the catalog.
    text = await applicant.say("да")
    assert applicant.last_question(text) == "payment.ask_receipt"
    text = await applicant.say("KB-1")
    async with database.session() as s:
        [payment] = list(await s.scalars(select(Payment)))
    assert payment.amount == 1000
    assert "дагы 410 сом төлөп" in text  # of 1 410 сом


async def test_a_number_answers_only_the_list_it_was_sent_with(
    person, registration_flow, database, state, bot_texts
):
    applicant = await person("ky")
    text = await walk_to(applicant, "ask.is_student")
    yes = numbered_options(text)[applicant.t("option.yes")]
    # The applicant goes on on Telegram, up to the PIN's yes/no question...
    telegram = ChatKey(Channel.TELEGRAM, "5550001")
    for event in (
        Event(kind="command", command="start"),
        Event(kind="choice", choice="lang:ky"),
        Event(kind="contact", phone=PHONE),
        Event(kind="choice", choice="is_student:no"),
        Event(kind="text", text="20509200700123"),
    ):
        await on_telegram(registration_flow, database, state, bot_texts).handle(telegram, event)
    # ...then types on WhatsApp the "yes" of the student list still shown there.
    text = await applicant.say(yes)
    assert applicant.t("error.old_button") in text
    assert applicant.last_question(text) == "ask.personal_confirm"
    saved = await answers(database)
    assert "personal_confirm" not in saved and saved["is_student"] is False


async def test_continuing_on_whatsapp_says_where_the_form_goes_on(
    person, registration_flow, database, state, bot_texts
):
    telegram = ChatKey(Channel.TELEGRAM, "5550001")
    for event in (
        Event(kind="command", command="start"),
        Event(kind="choice", choice="lang:ru"),
        Event(kind="contact", phone=PHONE),
        Event(kind="choice", choice="is_student:no"),
        Event(kind="text", text="20509200700123"),
        Event(kind="choice", choice="personal_confirm:yes"),
        Event(kind="text", text="ID1234567"),
    ):
        await on_telegram(registration_flow, database, state, bot_texts).handle(telegram, event)
    applicant = await person("ru")
    text = await applicant.say("Здравствуйте")
    text = await applicant.answer("ask.language.both", text)
    assert "продолжим с того места" in text and "Дальше: шаг 2, «Адрес»" in text
    assert "Начнём" not in text
    assert applicant.last_question(text) == "ask.city"


async def test_choices_say_write_the_number_and_the_example_can_be_chosen(person):
    applicant = await person("ky")
    text = await walk_to(applicant, "ask.subjects")
    assert "«Даяр» номерин жазыңыз" in text and "баскыч" not in text
    options = numbered_options(text)
    hint = text.rsplit("мисалы: ", 1)[1].split(".")[0]
    mandatory = {options[name] for name in ("Негизги тест", "Мамлекеттик тил боюнча тест")}
    assert hint == "3, 4" and not mandatory & set(hint.split(", "))


def on_telegram(flow, database, state, texts) -> TurnRunner:
    """The same registration driven as the Telegram channel drives it (through a turn runner)."""
    return TurnRunner(conversation=flow, database=database, state=state, translator=texts)
