"""The form's pure validators: what is accepted, normalized, and refused with which reason."""

from __future__ import annotations

from datetime import date

import pytest

from core.validation import Accepted, Rejected
from flows.form.validators import (
    FormContext,
    decode_pin,
    validate_amount,
    validate_birth_date,
    validate_extra_phone,
    validate_passport,
    validate_pin,
    validate_place,
    validate_receipt_number,
)

CTX = FormContext(today=date(2026, 3, 1))


def rejected(result) -> str:
    assert isinstance(result, Rejected), result
    return result.message_id


def test_pin_prefills_gender_and_birth_date():
    result = validate_pin(" 1 2503 2008 00123 ", CTX)
    assert isinstance(result, Accepted)
    assert result.value == "12503200800123"
    assert result.also == {"pin_gender": "female", "pin_birth_date": "2008-03-25"}
    assert decode_pin("20101199000001") == ("male", date(1990, 1, 1))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1250320080012", "error.pin.format"),  # 13 digits
        ("125032008001234", "error.pin.format"),  # 15 digits
        ("12503200800l23", "error.pin.format"),  # a letter l for a one
        ("32503200800123", "error.pin.gender_digit"),
        ("02503200800123", "error.pin.gender_digit"),
        ("13102200800123", "error.pin.date"),  # 31.02.2008
        # Real dates, but not of an applicant's age: the age rule is the reason given.
        ("10101202000123", "error.pin.age"),  # six years old
        ("10101190000123", "error.pin.age"),  # 126 years old
    ],
)
def test_pin_refusals(text, reason):
    assert rejected(validate_pin(text, CTX)) == reason


def test_pin_with_an_odd_date_is_accepted_when_typed_again_without_prefill():
    first = validate_pin("13102200800123", CTX)
    assert isinstance(first, Rejected) and first.params == {"date": "31.02.2008"}
    again = validate_pin("13102200800123", FormContext(today=CTX.today, repeated=True))
    assert isinstance(again, Accepted)
    assert again.also == {"pin_gender": None, "pin_birth_date": None}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("05.09.2007", "2007-09-05"),
        ("5/9/2007", "2007-09-05"),
        ("29-02-2008", "2008-02-29"),
    ],
)
def test_birth_date_accepted(text, value):
    assert validate_birth_date(text, CTX) == Accepted(value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31.02.2008", "error.birth_date.format"),
        ("2007-09-05", "error.birth_date.format"),
        ("tomorrow", "error.birth_date.format"),
        ("01.01.2020", "error.birth_date.age"),
    ],
)
def test_birth_date_refused(text, reason):
    assert rejected(validate_birth_date(text, CTX)) == reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("AN1234567", "AN1234567"),
        ("an 123 45 67", "AN1234567"),
        ("АН1234567", "AN1234567"),  # typed on the Cyrillic keyboard
        ("ид1234567", "ID1234567"),
        ("ID-1234567", "ID1234567"),
        ("АС 7654321", "AC7654321"),
    ],
)
def test_passport_normalized(text, value):
    assert validate_passport(text, CTX) == Accepted(value)


@pytest.mark.parametrize("text", ["I-АН 123456", "II-KG № 1234567", "III-ан123456"])
def test_birth_certificate_refused_with_the_instructions_reason(text):
    assert rejected(validate_passport(text, CTX)) == "error.passport.birth_certificate"


@pytest.mark.parametrize("text", ["A1234567", "AN123456", "AN12345678", "1234567AN", ""])
def test_passport_bad_shape(text):
    assert rejected(validate_passport(text, CTX)) == "error.passport.format"


def test_places():
    assert validate_place("  Ак-Суу   району ", CTX) == Accepted("Ак-Суу району")
    assert validate_place("Чуй 125/3", CTX) == Accepted("Чуй 125/3")
    assert rejected(validate_place("12345", CTX)) == "error.place.letters"
    assert rejected(validate_place("-.-", CTX)) == "error.place.letters"
    assert rejected(validate_place("А", CTX)) == "error.place.letters"
    assert rejected(validate_place("а" * 101, CTX)) == "error.place.too_long"


def test_extra_phone():
    assert validate_extra_phone("0555 12 34 56", CTX) == Accepted("+996555123456")
    assert rejected(validate_extra_phone("+7 900 123 45 67", CTX)) == "error.phone.country"


def test_amount_and_receipt():
    assert validate_amount("1 880 сом", CTX) == Accepted(1880)
    assert rejected(validate_amount("-5", CTX)) == "error.amount.format"
    assert rejected(validate_amount("0", CTX)) == "error.amount.format"
    assert validate_receipt_number(" ab-2026/", CTX) == Rejected("error.receipt.format")
    assert validate_receipt_number("№ 00123456", CTX) == Accepted("00123456")
    assert validate_receipt_number("ав-123", CTX) == Accepted("AB-123")
    assert rejected(validate_receipt_number("12", CTX)) == "error.receipt.format"
    assert rejected(validate_receipt_number("1" * 31, CTX)) == "error.receipt.format"
