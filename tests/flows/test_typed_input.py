"""Digits of every script and invisible characters: normalised once, stored as ASCII, or refused."""

from __future__ import annotations

from datetime import date

import pytest

from access.codifier import normalize_school_code, parse_codifier
from bot.whatsapp.numbering import Numbered
from core.people import validate_full_name, validate_phone
from core.typed import ascii_digits, ascii_number, clean_text
from core.validation import Accepted, Rejected
from flows.form import validators as v

CTX = v.FormContext(today=date(2026, 3, 1))
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SCRIPTS = [PERSIAN, DEVANAGARI, FULLWIDTH, ARABIC_INDIC]
# What a person cannot see: C0 and C1 controls, bidi overrides and isolates, zero-width space.
INVISIBLE = ["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x9b", "\u202e", "\u2066", "\u2069",
             "\u200b", "\u200e", "\ufeff", "\u2060"]  # fmt: skip


def value(result: Accepted | Rejected) -> object:
    assert isinstance(result, Accepted), result
    return result.value


@pytest.mark.parametrize("script", SCRIPTS, ids=["persian", "devanagari", "fullwidth", "arabic"])
def test_digits_of_any_script_are_stored_as_ascii(script: dict[int, int]) -> None:
    assert value(v.validate_passport("ID1234567".translate(script), CTX)) == "ID1234567"
    pin = value(v.validate_pin("21503200612345".translate(script), CTX))
    assert pin == "21503200612345"
    assert value(v.validate_birth_date("15.03.2006".translate(script), CTX)) == "2006-03-15"
    assert value(v.validate_amount("1 410".translate(script), CTX)) == 1410
    assert value(v.validate_receipt_number("KB-20260301".translate(script), CTX)) == "KB-20260301"
    assert value(validate_phone("0700 123 456".translate(script))) == "+996700123456"
    assert value(v.validate_extra_phone("+996 555 123 456".translate(script), CTX)) == (
        "+996555123456"
    )
    assert normalize_school_code("30 101".translate(script)) == "30101"
    assert ascii_number("42".translate(script)) == 42


def test_what_is_not_a_decimal_digit_is_refused_with_the_usual_reason() -> None:
    # Digit-like signs that are not decimal digits of any script stay what they are.
    assert isinstance(v.validate_passport("ID12345六7", CTX), Rejected)
    assert v.validate_pin("2150320061234Ⅴ", CTX) == Rejected("error.pin.format")
    assert ascii_number("²³") == 23  # NFKC: what the person meant
    assert ascii_number("9" * 19) is None
    assert ascii_number("") is None
    assert ascii_number("-1") is None


def test_the_one_function_reads_digits() -> None:
    assert ascii_digits("ID۱۲۳۴۵۶۷") == "ID1234567"
    assert ascii_digits("2१५०3२00६") == "215032006"
    assert ascii_digits("abc") == "abc"


@pytest.mark.parametrize("hidden", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_leave_free_text(hidden: str) -> None:
    assert value(v.validate_place(f"Со{hidden}кулук", CTX)) == "Сокулук"
    assert value(v.validate_place(f"{hidden}Ленин көчөсү,{hidden} 12", CTX)) == "Ленин көчөсү, 12"
    assert value(validate_full_name(f"Асанов{hidden} Асан{hidden} Асан уулу")) == (
        "Асанов Асан Асан уулу"
    )
    assert value(v.validate_passport(f"AN{hidden}1234567", CTX)) == "AN1234567"
    assert value(v.validate_pin(f"2150320061234{hidden}5", CTX)) == "21503200612345"


def test_an_answer_of_nothing_but_invisible_characters_is_refused() -> None:
    only_invisible = "".join(INVISIBLE) + "\t\r\n"
    assert clean_text(only_invisible) == ""
    assert isinstance(v.validate_place(only_invisible, CTX), Rejected)
    assert isinstance(validate_full_name(only_invisible), Rejected)


def test_letters_of_every_script_and_meaningful_joiners_stay() -> None:
    assert clean_text("  Ош\tшаары\r\n Жаңы-Жол  ") == "Ош шаары Жаңы-Жол"
    assert clean_text("مدرسه\u200cی شماره ۵") == "مدرسه\u200cی شماره ۵"  # ZWNJ inside a word
    assert clean_text("\u200cstart end\u200d") == "start end"  # at the edges it joins nothing
    assert clean_text("北京 Ёлка ñandú") == "北京 Ёлка ñandú"
    assert clean_text("e\x00\u0301") == "é"  # an accent rejoins its letter


def test_codifier_cells_lose_invisible_characters_and_foreign_digits() -> None:
    data = (
        "code,name,district,oblast\n۳۰۱۰۱,\u202e№5 гимназия\x07,Ленин\x00 району,Бишкек шаары\n"
    ).encode()
    report = parse_codifier(data, "codifier.csv")
    assert report.ok, report.errors
    [row] = report.rows
    assert (row.code, row.name, row.district) == ("30101", "№5 гимназия", "Ленин району")


def test_numbers_typed_on_whatsapp_pick_options_in_any_script() -> None:
    numbered = Numbered(ids=("a", "b", "c"), labels=("A", "B", "C"), multi=True, zero="done")
    assert numbered.resolve("١، ٣".replace("،", ",")) == ["a", "c"]
    assert numbered.resolve("２") == ["b"]
