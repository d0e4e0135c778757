r"""What people type, made safe to read and to store: digits of any script, invisible characters.

Two rules, used by every validator of the chat, the officers' web and the uploaded lists:

* `ascii_digits`: a value read for its digits (PIN, passport, phone, amount, receipt, date,
  school code, an id) is NFKC-normalised, then every Unicode decimal digit (category Nd:
  Persian ۱۲۳, Devanagari १२३, fullwidth １２３…) becomes its ASCII digit. Python's `\d`,
  `str.isdigit()` and `int()` accept all of them, so a validator that checks the result against
  ASCII-only patterns stores only ASCII and refuses the rest (superscripts such as ² are not
  decimal digits: NFKC makes them 2, which is what the person meant).
* `clean_text`: free text (names, places, comments, reasons, school names) loses what a person
  cannot see or did not mean: C0 and C1 controls, bidirectional overrides and isolates, other
  invisible format characters and lone surrogates. Zero-width (non-)joiners stay between two
  letters, where they shape Persian and Indic words; elsewhere they go. Every run of whitespace
  (tabs, line breaks and Unicode spaces) becomes one space. Letters of every script stay.
"""

from __future__ import annotations

import unicodedata

ZWNJ, ZWJ = "\u200c", "\u200d"
_ASCII_DIGITS = "0123456789"
_GAPS = "\t\n\r"


def ascii_digits(text: str | None) -> str:
    """Return `text` NFKC-normalised with every Unicode decimal digit made its ASCII digit."""
    normalized = unicodedata.normalize("NFKC", text or "")
    if normalized.isascii():
        return normalized
    return "".join(
        _ASCII_DIGITS[unicodedata.decimal(ch)] if ch.isdecimal() else ch for ch in normalized
    )


def ascii_number(text: str | None, *, max_digits: int = 18) -> int | None:
    """Return the whole number `text` holds (any script's digits), or None.

    At most `max_digits` digits, so that an id from a chat or a form always fits a BIGINT and
    `int()` never meets a 5,000-digit string.
    """
    digits = ascii_digits(text).strip()
    if not 0 < len(digits) <= max_digits or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


def clean_text(text: str | None) -> str:
    """Return free text without invisible characters, its whitespace collapsed to single spaces.

    An empty result means the answer held nothing to store: the caller refuses it.
    """
    normalized = unicodedata.normalize("NFC", text or "")
    if normalized.isascii() and normalized.isprintable():
        return " ".join(normalized.split())
    # Tab, CR and LF are typed as gaps (a message on several lines); the other C0/C1 controls
    # Python counts as whitespace (VT, FF, the separators 0x1C-0x1F, NEL) nobody types: dropped.
    typed = "".join(ch for ch in normalized if ch in _GAPS or unicodedata.category(ch) != "Cc")
    spaced = " ".join(typed.split())
    kept: list[str] = []
    for i, ch in enumerate(spaced):
        if ch.isprintable() or ch == " ":
            kept.append(ch)
        elif ch in (ZWJ, ZWNJ) and _joins_letters(spaced, i):
            kept.append(ch)
    # Dropping a control between a letter and its accent can leave a sequence NFC composes.
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))


def _joins_letters(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return _is_letter(before) and _is_letter(after)


def _is_letter(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch)[0] in "LM"
