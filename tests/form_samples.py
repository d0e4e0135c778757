"""One table of sample answers by field name: what every test walker answers to each question.

A walker finds out which question is asked (`flows.form.next_missing` of the draft where the
test sees the database, `asked_field` of the bot's last message where it only sees the chat)
and answers with the sample of that field; a new question needs one row here, not a change in
each walker. `Samples.of(number)` gives applicant `number` answers of their own (distinct PIN,
passport and address), for tests that check each applicant kept exactly their answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from config.campaign import Campaign
from core.i18n import Translator
from core.validation import Rejected
from flows.choices import tag
from flows.form import FORM, Field, FormContext, Kind, Msg, next_missing

# Option values that are not a field's own options: closing a multi-choice, skipping an
# optional question, closing one benefit category's documents.
DONE = "done"
SKIP = "skip"
BENEFIT_DONE = "bdone"
# The answers' date for age checks: the sample applicant is of age for any campaign year.
TODAY = date(2026, 3, 1)

How = Literal["text", "choose", "toggle", "photo", "photos"]


@dataclass(frozen=True)
class Sample:
    """How to answer one question.

    how: "text" types `values[0]`; "choose" presses the option `values[0]`; "toggle" presses
    each option of `values` and then "done"; "photo" sends the sample photo named `values[0]`
    ("document" or "face"); "photos" sends one photo per pending benefit category and closes it.
    stored: the value the draft holds afterwards (None: not checked by value, e.g. photos).
    """

    how: How
    values: tuple[str, ...]
    stored: Any = None

    @property
    def value(self) -> str:
        return self.values[0]


# "Stored as typed or chosen": None is a stored value of its own (a skipped question).
_AS_GIVEN: Any = object()


def text(value: str, stored: Any = _AS_GIVEN) -> Sample:
    return Sample("text", (value,), value if stored is _AS_GIVEN else stored)


def choose(value: str, stored: Any = _AS_GIVEN) -> Sample:
    return Sample("choose", (value,), value if stored is _AS_GIVEN else stored)


def toggle(*values: str) -> Sample:
    return Sample("toggle", values, list(values))


def photo(kind: str = "document") -> Sample:
    return Sample("photo", (kind,))


SAMPLES: dict[str, Sample] = {
    "is_student": choose("no", stored=False),
    "pin": text("20509200712345"),  # a man born 5 September 2007
    "personal_confirm": choose("yes", stored=True),
    "gender": choose("male"),
    "birth_date": text("05.09.2007", stored="2007-09-05"),
    "passport": text("AN1234567"),
    "city": text("Бишкек"),
    "village": text("Бишкек"),
    "street": text("Чуй 1"),
    "extra_phone": choose("skip", stored=None),
    "subjects": toggle("math"),
    "test_language": choose("ky"),
    "passport_front": photo(),
    "passport_back": photo(),
    "certificate": photo(),
    "has_benefits": choose("no", stored=False),
    "benefit_categories": toggle("orphan"),
    "benefit_documents": Sample("photos", ("document",)),
    "face_photo": photo("face"),
}


@dataclass(frozen=True)
class Samples:
    """The answers of one applicant: the table, with some rows of their own."""

    rows: dict[str, Sample] = field(default_factory=lambda: dict(SAMPLES))

    def __getitem__(self, name: str) -> Sample:
        return self.rows[name]

    def with_(self, **rows: Sample) -> Samples:
        return replace(self, rows={**self.rows, **rows})

    @classmethod
    def of(cls, number: int) -> Samples:
        """Applicant `number`'s answers: the PIN, passport and address are theirs alone."""
        return cls().with_(
            pin=text(f"205092007{number:05d}"),
            passport=text(f"AN{number:07d}"),
            # Not close to a district of the codifier: taken as typed, with no names to pick
            # from (a person typing fast answers the next question before such a pick).
            city=text(f"Кара-Балта {number}"),
            village=text(f"Айыл {number}"),
            street=text(f"Ленин көчөсү, {number}"),
            subjects=toggle("math" if number % 2 else "chemistry"),
            test_language=choose("ru" if number % 3 else "ky"),
        )

    def draft(self, documents: dict[str, int] | None = None) -> dict[str, Any]:
        """A complete draft answered with these samples; photos are `documents`' ids."""
        answers: dict[str, Any] = {}
        while (question := next_missing(answers)) is not None:
            answers.update(accept(question, self[question.name], answers))
            if question.kind is Kind.FILE:
                answers[question.name] = (documents or {}).get(question.name, 0)
        return answers

    def path(self, until: str | None = None) -> list[str]:
        """The fields asked, in order, when every question is answered with these samples,
        up to (not including) `until`."""
        answers: dict[str, Any] = {}
        asked: list[str] = []
        while (question := next_missing(answers)) is not None and question.name != until:
            asked.append(question.name)
            answers.update(accept(question, self[question.name], answers))
        return asked

    def stored(self, names: list[str]) -> dict[str, Any]:
        """What the draft must hold for `names` once they are answered with these samples."""
        out = {name: self.rows[name].stored for name in names}
        if "personal_confirm" in out:
            # Confirming the PIN's data stores the gender and birth date it encodes.
            out.update(gender=SAMPLES["gender"].stored, birth_date=SAMPLES["birth_date"].stored)
        return out


def sample_for(name: str) -> Sample:
    return SAMPLES[name]


# What each kind of question is answered with: a new kind needs a new way to answer it.
HOW_BY_KIND: dict[Kind, How] = {
    Kind.TEXT: "text",
    Kind.CHOICE: "choose",
    Kind.MULTI: "toggle",
    Kind.FILE: "photo",
    Kind.BENEFIT_FILES: "photos",
}


def answers_field(sample: Sample | None, question: Field) -> bool:
    """Tell whether `sample` is an answer of the right kind for `question` (an optional
    question may be skipped with its "skip" button)."""
    if sample is None:
        return False
    skipped = question.skippable and sample.how == "choose" and sample.values == (SKIP,)
    return skipped or HOW_BY_KIND.get(question.kind) == sample.how


def missing_samples(form: tuple[Field, ...] = FORM) -> list[str]:
    """Return the fields of `form` the table cannot answer: no row, or a row of another kind."""
    return [q.name for q in form if not answers_field(SAMPLES.get(q.name), q)]


def accept(question: Field, sample: Sample, answers: dict[str, Any]) -> dict[str, Any]:
    """Return what the draft gains when `question` is answered with `sample`, by the field's own
    validator (a sample the form refuses fails here, not deep inside a walker).

    Photos are stored as document ids the draft does not know here: their value is None.
    """
    if question.kind is Kind.BENEFIT_FILES:
        return {"benefit_done": list(answers.get("benefit_categories") or [])}
    if question.kind is Kind.FILE:
        return {question.name: None}
    if question.kind is Kind.MULTI:
        return {question.name: list(sample.values)}
    if question.skippable and sample.values == (SKIP,):
        return {question.name: None}
    if question.validate is None:
        return {question.name: sample.value}
    result = question.validate(sample.value, FormContext(answers=dict(answers), today=TODAY))
    assert not isinstance(result, Rejected), f"{question.name}: {sample.value!r} {result}"
    return {question.name: result.value, **result.also}


def option_id(question: Field, value: str) -> str:
    """The id of the button answering `question` with `value` (`flows.choices.tag`)."""
    return tag(question.name, value)


def option_label(
    question: Field, value: str, *, campaign: Campaign, texts: Translator, lang: str
) -> str:
    """The label the bot shows for `value` of `question` in `lang`."""
    for code, label in question.options(campaign, lang) if question.options else []:
        if code == value:
            return texts.gettext(lang, label.id) if isinstance(label, Msg) else label
    generic = {DONE: "option.done", SKIP: "option.skip", BENEFIT_DONE: "option.benefit_done"}
    assert value in generic, f"{question.name} offers no {value!r}"
    return texts.gettext(lang, generic[value])


def prompt_marker(texts: Translator, lang: str, message_id: str) -> str:
    """The longest literal part of a message (between its `{placeholders}`): what is sure to be
    in the text the bot sent, whatever it filled in."""
    parts = re.split(r"\{[^{}]*\}", texts.gettext(lang, message_id))
    return max((p.strip() for p in parts), key=len)


def asked_field(texts: Translator, lang: str, text: str) -> Field | None:
    """Return the form field whose question comes last in `text` (a message of the bot)."""
    best, position = None, -1
    for question in FORM:
        found = text.rfind(prompt_marker(texts, lang, question.prompt))
        if found > position:
            best, position = question, found
    return best
