"""The walkers' one table of sample answers covers the whole form, and answers it validly.

Every test walker answers the question asked with the table's row for that field, so a new
required question of the form is one row in `tests/form_samples.py`: these tests fail, naming
the field, until the row is there, instead of five walkers failing somewhere mid-form.
"""

from __future__ import annotations

import pytest

from core.texts import conversation_texts
from flows.form import FORM, Field, Kind, next_missing
from tests.form_samples import (
    SAMPLES,
    SKIP,
    Samples,
    asked_field,
    missing_samples,
    option_label,
    prompt_marker,
    text,
)


def test_every_field_of_the_form_has_a_sample_of_its_kind() -> None:
    assert missing_samples() == []
    assert set(SAMPLES) == {f.name for f in FORM}, "a row for a field the form no longer has"


def test_a_new_question_without_a_row_is_named() -> None:
    club = Field("school_club", 2, Kind.TEXT, "ask.school_club", "field.school_club")
    shoe = Field("shoe_size", 3, Kind.CHOICE, "ask.shoe_size", "field.shoe_size")
    assert missing_samples((*FORM, club, shoe)) == ["school_club", "shoe_size"]
    # A row of the wrong kind does not answer it either: a photo is no typed answer.
    photo_field = Field("city", 2, Kind.FILE, "ask.city", "field.city")
    assert missing_samples((photo_field,)) == ["city"]


@pytest.mark.parametrize("samples", [Samples(), Samples.of(1), Samples.of(2)])
def test_the_samples_fill_the_form_and_are_stored_as_the_table_says(samples: Samples) -> None:
    draft = samples.draft()
    assert next_missing(draft) is None  # the whole form is answered
    typed = [name for name in samples.path() if samples[name].how in ("text", "choose", "toggle")]
    expected = samples.stored(typed)
    assert {name: draft[name] for name in expected} == expected


def test_applicants_answer_with_their_own_private_values() -> None:
    first, second = Samples.of(1), Samples.of(2)
    for name in ("pin", "passport", "city", "village", "street"):
        assert first[name].value != second[name].value != SAMPLES[name].value, name


def test_a_refused_sample_fails_at_once() -> None:
    with pytest.raises(AssertionError, match="pin"):
        Samples().with_(pin=text("123")).draft()


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_chosen_value_is_offered_by_the_form(campaign, lang: str) -> None:
    texts = conversation_texts()
    for question in FORM:
        sample = SAMPLES[question.name]
        if sample.how in ("choose", "toggle") and sample.values != (SKIP,):
            for value in sample.values:
                label = option_label(question, value, campaign=campaign, texts=texts, lang=lang)
                assert label and label != value, (question.name, value)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_each_question_is_recognized_by_its_own_text(lang: str) -> None:
    texts = conversation_texts()
    for question in FORM:
        asked = texts.gettext(lang, question.prompt)
        assert len(prompt_marker(texts, lang, question.prompt)) >= 10, question.prompt
        assert asked_field(texts, lang, asked) is question
        # The question after the answer to the previous one: the last question counts.
        said = f"{texts.gettext(lang, FORM.fields[0].prompt)}\n\nОК.\n{asked}"
        assert asked_field(texts, lang, said) is question
    assert asked_field(texts, lang, "Салам!") is None
