"""The texts of the conversation: the `bot` catalog, with the `photos` catalog behind it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flows.i18n import Translator

FLOWS_LOCALE = Path(__file__).resolve().parent / "locale"


@cache
def conversation_texts() -> Translator:
    """Return the translator every channel and the web use for the conversation's messages."""
    return Translator.load(FLOWS_LOCALE, "bot", "photos")
