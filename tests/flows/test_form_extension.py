"""Adding questions to the form changes the form definition only.

The test puts a form with two more questions in the product's place (a typed class with its
validator, a chosen shift with its options) and adds their texts to the catalog. Nothing else
changes, and both the Telegram chat (through the fake Bot API) and the officers' web form ask
them, refuse a bad value with the validator's reason, show the value in the summary and the
detail page, and store it in `Registration.answers`.
"""

# Fixtures imported from the Telegram and web conftests are parameters of the tests below.
# ruff: noqa: F811

from __future__ import annotations

import re
from datetime import UTC, datetime
from gettext import NullTranslations
from typing import Any

import pytest
from aiohttp import FormData
from sqlalchemy import select

from core.texts import conversation_texts
from core.validation import Accepted, Rejected
from flows.engine import RegistrationFlow
from flows.form import definition
from flows.form.fields import Field, Form, Kind, Label
from flows.form.validators import FormContext
from storage.models import Registration
from tests.flows.conftest import APPLICANT_PHONE
from tests.telegram.conftest import (  # noqa: F401 - the fake Bot API's fixtures
    fake_api,
    start_channel,
    telegram_settings,
)
from tests.web.conftest import (  # noqa: F401 - the officers' web fixtures
    WebWorld,
    csrf_token,
    login,
    make_client,
    runtime,
    server,
    web_world,
)

TEXTS = {
    "ru": {
        "ask.school_class": "В каком классе вы учились? Например: 11А",
        "field.school_class": "Класс",
        "error.school_class": "Класс пишется числом от 9 до 11 и буквой, например 11А.",
        "ask.shift": "В какую смену вы учились?",
        "field.shift": "Смена",
    },
    "ky": {
        "ask.school_class": "Кайсы класста окудуңуз? Мисалы: 11А",
        "field.school_class": "Класс",
        "error.school_class": "Класс 9дан 11ге чейинки сан жана тамга менен жазылат, мисалы 11А.",
        "ask.shift": "Кайсы сменада окудуңуз?",
        "field.shift": "Смена",
    },
}
SHIFTS = {"ru": ("Первая", "Вторая"), "ky": ("Биринчи", "Экинчи")}


def validate_class(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    match = re.fullmatch(r"\s*(9|10|11)\s*-?\s*([А-ЯA-Z])\s*", text.upper())
    if match is None:
        return Rejected("error.school_class")
    return Accepted(f"{match[1]}{match[2]}")


def shifts(campaign: Any, lang: str) -> list[tuple[str, Label]]:
    first, second = SHIFTS[lang]
    return [("first", first), ("second", second)]


EXTENDED = Form(
    tuple(
        item
        for field in definition.FORM
        for item in (
            (
                field,
                Field("school_class", 2, Kind.TEXT, "ask.school_class", "field.school_class",
                      validate=validate_class),
                Field("shift", 2, Kind.CHOICE, "ask.shift", "field.shift", options=shifts),
            )
            if field.name == "street"
            else (field,)
        )
    )
)  # fmt: skip


class _Texts(NullTranslations):
    """The two questions' texts in one language, looked up after the product's catalog."""

    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__()
        self._catalog = texts

    def gettext(self, message: str) -> str:
        return self._catalog.get(message, message)


@pytest.fixture
def extended_form(monkeypatch: pytest.MonkeyPatch) -> Form:
    """Put the extended form in the product's place, with its texts in the catalog."""
    monkeypatch.setattr(definition, "FORM", EXTENDED)
    translator = conversation_texts()
    for lang, texts in TEXTS.items():
        catalog = translator._catalogs[lang]  # noqa: SLF001 - a test adds its own texts
        while catalog._fallback is not None:  # noqa: SLF001
            catalog = catalog._fallback  # noqa: SLF001
        monkeypatch.setattr(catalog, "_fallback", _Texts(texts))
    return EXTENDED


async def _answers(database) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        return dict((await s.scalar(select(Registration))).answers)


async def test_the_telegram_chat_asks_checks_shows_and_stores_the_new_questions(
    extended_form,
    start_channel,
    database,
    grant,
    state,
    filestore,
    campaign,
    secret_box,
) -> None:
    flow = RegistrationFlow(
        state=state,
        filestore=filestore,
        campaign=campaign,
        translator=conversation_texts(),
        secret_box=secret_box,
        clock=lambda: datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )
    harness = await start_channel(flow)
    user = harness.user(language_code="ru")
    ru = TEXTS["ru"]
    await user.send_text("/start")
    await user.press("Русский")
    await user.share_contact(APPLICANT_PHONE)
    await user.press("Нет")  # not a university student
    await user.send_text("20509200712345")
    await user.press("Да")  # the PIN's gender and birth date are right
    for typed in ("AN1234567", "Бишкек", "Бишкек", "Чуй 1"):
        await user.send_text(typed)
    assert ru["ask.school_class"] in user.last_text()

    await user.send_text("первый")
    assert ru["error.school_class"] in user.last_text()
    assert user.last_text().endswith(ru["ask.school_class"])  # the same question again
    assert "school_class" not in await _answers(database)

    await user.send_text("11 а")
    assert ru["ask.shift"] in user.last_text()
    await user.press("Вторая")
    answers = await _answers(database)
    assert (answers["school_class"], answers["shift"]) == ("11А", "second")
    assert "Дополнительный номер телефона" in user.last_text()  # the form goes on

    await user.send_text("/edit")
    summary = "\n".join(m.text for m in user.new_messages()[-2:])
    assert "Класс: 11А" in summary and "Смена: Вторая" in summary


def _post(token: str, values: dict[str, str]) -> FormData:
    form = FormData()
    form.add_field("csrf_token", token)
    for name, value in values.items():
        form.add_field(name, value)
    return form


async def test_the_officers_web_form_asks_checks_shows_and_stores_the_new_questions(
    extended_form,
    make_client,
    database,
    web_world: WebWorld,
) -> None:
    ky = TEXTS["ky"]
    client = await make_client()
    await login(client, web_world.teacher_a)
    grant = web_world.graduate_a
    page = await (await client.get(f"/fill/{grant.id}")).text()
    assert ky["field.school_class"] in page and 'name="school_class"' in page
    assert 'name="shift" value="first"' in page and "Экинчи" in page

    token = await csrf_token(client, f"/fill/{grant.id}")
    posted = {"school_class": "бешинчи", "shift": "second", "action": "save"}
    answer = await (await client.post(f"/fill/{grant.id}", data=_post(token, posted))).text()
    assert ky["error.school_class"] in answer
    answers = await _answers(database)
    assert "school_class" not in answers and answers["shift"] == "second"

    token = await csrf_token(client, f"/fill/{grant.id}")
    posted = {"school_class": "10б", "action": "save"}
    response = await client.post(
        f"/fill/{grant.id}", data=_post(token, posted), allow_redirects=False
    )
    assert response.status == 302
    assert (await _answers(database))["school_class"] == "10Б"

    page = await (await client.get(f"/fill/{grant.id}")).text()
    assert 'name="school_class" value="10Б"' in page
    assert re.search(r'name="shift" value="second"\s+checked', page)
    async with database.session() as s:
        registration_id = await s.scalar(select(Registration.id))
    detail = await (await client.get(f"/review/{registration_id}")).text()
    assert ky["field.school_class"] in detail and "10Б" in detail
    assert ky["field.shift"] in detail and "Экинчи" in detail
