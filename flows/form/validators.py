"""Pure validators of the registration form: `(value, context) -> Accepted | Rejected`.

A rejection carries a message id of the `bot` catalog; the engine renders it in the
applicant's language and asks the same question again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.people import validate_phone
from core.typed import ascii_digits, clean_text
from core.validation import Accepted, Rejected

MIN_AGE = 14
MAX_AGE = 80
PLACE_MAX_LENGTH = 100
MAX_AMOUNT = 100_000

# Phones are often left on the Cyrillic keyboard. Cyrillic letters that look like Latin ones
# become those letters, except Н: the series people type in Cyrillic are "АН" and "ИД" for the
# passports AN… and ID… (no Kyrgyz series contains H), so Н, И and Д follow the sound.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІИД", "ABEKMNOPCTYXIID")
_PASSPORT = re.compile(r"^[A-Z]{2}[0-9]{7}$")
# A Kyrgyz birth certificate: series in Roman numerals, a dash, two letters, six or seven
# digits ("I-АН 123456", "II-KG № 1234567"). The instruction refuses it as an identity document.
_BIRTH_CERTIFICATE = re.compile(r"^[IVXLCІ]{1,4}-?[A-ZА-ЯЁ]{2}[0-9]{6,7}$")
_RECEIPT = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,28}[A-Z0-9]$")
_DATE = re.compile(r"^([0-9]{1,2})[./\-\s]([0-9]{1,2})[./\-\s]([0-9]{4})$")


@dataclass(frozen=True)
class FormContext:
    """What a validator may look at besides the value itself.

    Attributes:
        answers: the draft so far (earlier validators' values are visible to later ones).
        today: the local date of the campaign, for age checks.
        repeated: the applicant sent exactly the value that was rejected just before.

    """

    answers: dict[str, Any] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    repeated: bool = False


def _typed_digits(text: str | None) -> str:
    # Digits of any script made ASCII, invisible characters dropped: what is read for its
    # digits and stored is ASCII only. "№" goes first, as NFKC would spell it "No".
    return clean_text(ascii_digits((text or "").replace("№", " ")))


def decode_pin(pin: str) -> tuple[str, date] | None:
    """Return (gender, birth date) encoded in a PIN, or None when they do not decode.

    Kyrgyzstan's personal identification number (ПИН/ИНН, 14 digits): the first digit is the
    gender, 1 = female and 2 = male (the State Registration Service's description of the PIN,
    as implemented in public Kyrgyz code that parses it), then the birth date as DDMMYYYY.
    """
    if not re.fullmatch(r"[12][0-9]{13}", pin):
        return None
    try:
        born = date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    except ValueError:
        return None
    return ("female" if pin[0] == "1" else "male"), born


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_pin(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    """Accept 14 digits starting with 1 or 2; fill `pin_gender` and `pin_birth_date`.

    A PIN whose date part is not a plausible birth date is refused once with the reason; typed
    again exactly, it is accepted without pre-filling (real PINs with odd dates exist, and an
    officer sees the mismatch), and gender and birth date are then asked explicitly.
    """
    digits = re.sub(r"[\s\-]", "", _typed_digits(text))
    if not re.fullmatch(r"[0-9]{14}", digits):
        return Rejected("error.pin.format")
    if digits[0] not in "12":
        return Rejected("error.pin.gender_digit")
    decoded = decode_pin(digits)
    if decoded is None or not MIN_AGE <= _age(decoded[1], ctx.today) <= MAX_AGE:
        if ctx.repeated:
            return Accepted(digits, also={"pin_gender": None, "pin_birth_date": None})
        shown = f"{digits[1:3]}.{digits[3:5]}.{digits[5:9]}"
        if decoded is not None:  # a real date, but of someone too young or too old
            return Rejected("error.pin.age", {"date": shown, "min": MIN_AGE, "max": MAX_AGE})
        return Rejected("error.pin.date", {"date": shown})
    gender, born = decoded
    return Accepted(digits, also={"pin_gender": gender, "pin_birth_date": born.isoformat()})


def validate_birth_date(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    """Accept DD.MM.YYYY (dots, slashes, dashes or spaces) of someone aged 14 to 80."""
    match = _DATE.match(_typed_digits(text))
    if not match:
        return Rejected("error.birth_date.format")
    day, month, year = (int(g) for g in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        return Rejected("error.birth_date.format")
    if not MIN_AGE <= _age(born, ctx.today) <= MAX_AGE:
        return Rejected("error.birth_date.age", {"min": MIN_AGE, "max": MAX_AGE})
    return Accepted(born.isoformat())


def validate_passport(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    """Accept two Latin letters and 7 digits (AN1234567, ID1234567); refuse a birth certificate."""
    compact = re.sub(r"[\s№#]", "", _typed_digits(text)).upper()
    if _BIRTH_CERTIFICATE.match(compact):
        return Rejected("error.passport.birth_certificate")
    normalized = compact.replace("-", "").translate(_LOOKALIKES)
    if not _PASSPORT.match(normalized):
        return Rejected("error.passport.format")
    return Accepted(normalized)


def validate_place(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    """Accept a city, village or street name: 2 to 100 characters with at least two letters."""
    cleaned = clean_text(text)
    if len(cleaned) > PLACE_MAX_LENGTH:
        return Rejected("error.place.too_long", {"max": PLACE_MAX_LENGTH})
    if len(cleaned) < 2 or sum(ch.isalpha() for ch in cleaned) < 2:
        return Rejected("error.place.letters")
    return Accepted(cleaned)


def validate_extra_phone(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    """Accept a Kyrgyz phone number as typed; stored in E.164."""
    return validate_phone(text)


def validate_amount(text: str, ctx: FormContext) -> Accepted[int] | Rejected:
    """Accept a whole number of som ("1 410", "1410 сом")."""
    cleaned = re.sub(r"(?i)\s|сом|som|c\.?$", "", _typed_digits(text))
    # ASCII digits only, and few: int() refuses 4,300+ digits.
    if not re.fullmatch(r"[0-9]{1,9}", cleaned) or not 0 < int(cleaned) <= MAX_AMOUNT:
        return Rejected("error.amount.format")
    return Accepted(int(cleaned))


def validate_receipt_number(text: str, ctx: FormContext) -> Accepted[str] | Rejected:
    """Accept 4 to 30 Latin letters, digits and dashes (Cyrillic look-alikes converted)."""
    compact = re.sub(r"[\s№#]", "", _typed_digits(text)).upper().translate(_LOOKALIKES)
    if not _RECEIPT.match(compact):
        return Rejected("error.receipt.format")
    return Accepted(compact)
