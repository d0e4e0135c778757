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


_TYPED_PHONE = re.compile(r"^\+?[\d\s\-().]+$")
# Fewer digits than this match too many phones to be a search by phone.
MIN_PHONE_SEARCH_DIGITS = 3


def phone_search_digits(text: str) -> str | None:
    """Return the digits a stored phone must hold after ``+996`` to match what was typed.

    The one search rule of every list: a number typed in any of the forms people use
    (``+996 700 510 010``, ``996700510010``, ``0700 510 010``, ``700510010``, with spaces,
    dashes, dots or brackets) becomes the national digits (``700510010``); a part of a number
    stays the part (``510 010`` → ``510010``). The trunk ``0`` and the country code are dropped
    because no Kyrgyz national number starts with 0, and a stored phone is E.164. Returns None
    when the text is not a phone (letters) or too short to search by.
    """
    raw = ascii_digits((text or "").strip())
    if not raw or not _TYPED_PHONE.match(raw):
        return None
    digits = "".join(ch for ch in raw if "0" <= ch <= "9")
    if raw.startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0")
        if not digits.startswith("996"):
            return None
        digits = digits[3:]
    elif digits.startswith("996") and len(digits) == 12:
        digits = digits[3:]
    else:
        digits = digits.lstrip("0")
    return digits if len(digits) >= MIN_PHONE_SEARCH_DIGITS else None


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
    # Characters first: a name with a digit or a sign is refused for that, whatever its length.
    for part in parts:
        if not _NAME_PART.match(part) or not all(_script_ok(ch) for ch in part):
            return Rejected("error.name.letters")
    if len(parts) > 4 or len(cleaned) > 200:
        return Rejected("error.name.too_long")
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
