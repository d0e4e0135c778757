"""One table of sample answers by field name: what every test walker answers to each question.

A walker asks the form what comes next (`flows.form.next_missing`, or the question the bot sent)
and answers with `sample_for(field name)`; a new question needs one row here, not a change in
each walker. `Samples.of(number)` gives applicant `number` answers of their own (distinct PIN,
passport and address), for tests that check each applicant kept exactly their answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

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
            city=text(f"Сокулук району {number}"),
            village=text(f"Айыл {number}"),
            street=text(f"Ленин көчөсү, {number}"),
            subjects=toggle("math" if number % 2 else "chemistry"),
            test_language=choose("ru" if number % 3 else "ky"),
        )

    def stored(self, names: list[str]) -> dict[str, Any]:
        """What the draft must hold for `names` once they are answered with these samples."""
        out = {name: self.rows[name].stored for name in names}
        if "personal_confirm" in out:
            # Confirming the PIN's data stores the gender and birth date it encodes.
            out.update(gender=SAMPLES["gender"].stored, birth_date=SAMPLES["birth_date"].stored)
        return out


def sample_for(name: str) -> Sample:
    return SAMPLES[name]
