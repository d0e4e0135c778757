"""Which question a button belongs to, and the typed words that stand for a button.

Rules of the conversation (docs/conversation.md):

- Every answer option carries its question: ``<question>:<value>``. A press whose question is
  not the one asked now is an old button: it answers nothing, the current question is asked
  again. Navigation (``edit``, ``submit``, ``pay``, ``lang:ky``…) is not an answer and is
  untagged.
- Typed words count wherever the buttons do: a button's own label, and the yes / no / skip
  words of the catalog (both languages: people mix them).
- Greetings, thanks and the like (the ``words.*`` lists of the catalog) are never an answer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from core.i18n import LANGUAGES, Translator
from flows.replies import Option

# What typed small talk means: a command to run, or a courtesy to answer before the question.
SMALL_TALK = ("status", "help", "menu", "greeting", "thanks", "ack")
_STRIP = " .,!?;:)(«»\"'-–—"


def tag(question: str, value: str) -> str:
    """Return the option id answering `question` with `value`."""
    return f"{question}:{value}"


def untag(choice: str | None) -> tuple[str, str]:
    """Return (question, value) of an option id; ("", choice) when it carries no question."""
    question, separator, value = (choice or "").partition(":")
    return (question, value) if separator else ("", choice or "")


def fold(text: str) -> str:
    """Return `text` as compared with labels and word lists: one case, no edge punctuation."""
    folded = " ".join(text.replace("✅", "").replace("⬜", "").split()).casefold()
    return folded.replace("ё", "е").strip(_STRIP) or folded.strip()


# Every typed answer is compared with the word lists: folded once per catalog, not per turn.
# The catalogs do not change while a translator lives.
@functools.lru_cache(maxsize=256)
def words(translator: Translator, kind: str) -> frozenset[str]:
    """Return the typed words of `kind` (catalog id ``words.<kind>``) in every language."""
    found: set[str] = set()
    for lang in LANGUAGES:
        message_id = f"words.{kind}"
        if translator.has(lang, message_id):
            found |= {fold(w) for w in translator.gettext(lang, message_id).split("|") if w}
    found.discard("")
    return frozenset(found)


def is_word(translator: Translator, kind: str, text: str) -> bool:
    """Tell whether the typed `text` is one of the ``words.<kind>`` of the catalog."""
    typed = fold(text)
    return bool(typed) and typed in words(translator, kind)


def small_talk(translator: Translator, text: str) -> str | None:
    """Return the kind of small talk `text` is (see SMALL_TALK), or None for a real answer."""
    typed = fold(text)
    if not typed:
        return None
    return next((k for k in SMALL_TALK if typed in words(translator, k)), None)


def match_typed(translator: Translator, text: str, options: Iterable[Option]) -> Option | None:
    """Return the option a typed `text` stands for: its label, or a yes / no / skip word."""
    typed = fold(text)
    offered = list(options)
    for option in offered:
        if typed and typed == fold(option.label):
            return option
    for option in offered:
        value = untag(option.id)[1]
        if value in ("yes", "no", "skip") and typed in words(translator, value):
            return option
    return None
