"""Validators for who a person is: phone numbers and full names (used by the bot and the web)."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from core.typed import ascii_digits, clean_text
from core.validation import Accepted, Rejected

REGION = "KG"
_NAME_PART = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
_ALLOWED_SCRIPTS = ("CYRILLIC", "LATIN")


def validate_phone(text: str) -> Accepted[str] | Rejected:
    """Accept a Kyrgyz mobile or fixed number as typed (+996, 0-prefix, spaces, dashes).

    Returns it in E.164 (``+996555123456``).
    """
    raw = clean_text(ascii_digits(text))
    if not raw or len(raw) > 32 or re.search(r"[^0-9\s()+\-.]", raw):
        return Rejected("error.phone.format")
    digits = re.sub(r"[^0-9]", "", raw)
    if raw.startswith("00"):
        raw = "+" + digits[2:]
    elif not raw.startswith("+") and digits.startswith("996") and len(digits) == 12:
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        return Rejected("error.phone.format")
    if number.country_code != 996:
        return Rejected("error.phone.country")
    if not phonenumbers.is_valid_number(number):
        return Rejected("error.phone.format")
    return Accepted(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def format_phone(e164: str) -> str:
    """Return a stored phone in the spaced international form people read: +996 555 123 456."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_full_name(text: str) -> Accepted[str] | Rejected:
    """Accept a surname, name and optional patronymic in Cyrillic or Latin letters.

    Parts may contain a hyphen or an apostrophe; each is capitalized, the rest kept as typed
    (Kyrgyz patronymics such as "Асан уулу" make three or four words).
    """
    cleaned = clean_text(text)
    parts = cleaned.split(" ") if cleaned else []
    if len(parts) < 2:
        return Rejected("error.name.parts")
    if len(parts) > 4 or len(cleaned) > 200:
        return Rejected("error.name.too_long")
    for part in parts:
        if not _NAME_PART.match(part) or not all(_script_ok(ch) for ch in part):
            return Rejected("error.name.letters")
    return Accepted(" ".join(_capitalize(p) for p in parts))


def _script_ok(ch: str) -> bool:
    if not ch.isalpha():
        return True
    name = unicodedata.name(ch, "")
    return name.startswith(_ALLOWED_SCRIPTS)


def _capitalize(part: str) -> str:
    # "уулу"/"кызы" stay lower case: they are particles of a Kyrgyz patronymic.
    if part.lower() in {"уулу", "кызы", "uulu", "kyzy"}:
        return part.lower()
    return "-".join(p[:1].upper() + p[1:].lower() for p in part.split("-"))
