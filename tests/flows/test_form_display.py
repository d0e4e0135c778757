"""One way to show an answer: what the applicant's summary and the officers' pages both read."""

from __future__ import annotations

import pytest

from core.texts import conversation_texts
from flows.form import current_form
from flows.form.kinds import display, editable_text
from office.summary import answer_rows

ANSWERS = {
    "birth_date": "2007-09-05",
    "extra_phone": "+996555123456",
    "subjects": ["math"],
    "has_benefits": True,
    "benefit_categories": ["orphan"],
    "benefit_docs": {"orphan": [7, 8]},
    "street": None,
}


def shown(name: str, lang: str, campaign) -> str:  # type: ignore[no-untyped-def]
    return display(current_form()[name], ANSWERS, conversation_texts(), lang, campaign)


@pytest.mark.parametrize(
    ("name", "lang", "expected"),
    [
        ("birth_date", "ky", "05.09.2007"),  # not CLDR's "2007-ж., 5-сен."
        ("birth_date", "ru", "5 сентября 2007"),
        ("extra_phone", "ru", "+996 555 123 456"),
        ("has_benefits", "ru", "Да"),
        ("street", "ru", "не указан"),
        ("village", "ru", "—"),
    ],
)
def test_an_answer_is_shown_the_same_way_everywhere(campaign, name, lang, expected) -> None:
    assert shown(name, lang, campaign) == expected


def test_the_mandatory_tests_come_first_among_the_chosen_ones(campaign) -> None:
    mandatory = [t.name("ru") for t in campaign.mandatory_tests]
    math = campaign.subjects_by_code["math"].name("ru")
    assert shown("subjects", "ru", campaign) == ", ".join([*mandatory, math])


def test_the_officers_rows_carry_the_same_text_and_the_photos(campaign) -> None:
    rows = {r.name: r for r in answer_rows(conversation_texts(), "ky", campaign, ANSWERS)}
    assert rows["birth_date"].value == "05.09.2007"
    assert rows["benefit_documents"].document_ids == (7, 8)
    assert rows["benefit_documents"].value == shown("benefit_documents", "ky", campaign)
    assert "is_student" not in rows  # asked, but not an answer to show or edit


def test_a_date_goes_back_into_the_input_box_as_it_is_typed() -> None:
    assert editable_text(current_form()["birth_date"], ANSWERS) == "05.09.2007"
    assert editable_text(current_form()["village"], ANSWERS) == ""
