"""The texts of the conversation: the `bot` catalog, with the `photos` catalog behind it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.i18n import Translator

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def conversation_texts() -> Translator:
    """Return the translator every channel and the web use for the conversation's messages."""
    return Translator.load(LOCALE_DIR, "bot", "photos")
