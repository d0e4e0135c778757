"""Texts of the web in Kyrgyz and Russian, and the choice of language for each request.

Pages use the `web` catalog; rejections coming from the business layer carry message ids of
the `access` catalog (or of the `bot` catalog for phone and name errors, shared with the
conversation), so one lookup tries the three catalogs in that order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from access.i18n import access_texts
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator

WEB_LOCALE = Path(__file__).resolve().parent / "locale"
LANG_COOKIE = "ortweb_lang"


class Message(Protocol):
    """A rejection or a bad row of a file: a message id and its parameters."""

    message_id: str
    params: dict[str, Any]


class WebTexts:
    """Looks a message id up in the web, access and bot catalogs, in that order."""

    def __init__(self, catalogs: list[Translator]) -> None:
        self._catalogs = catalogs

    @classmethod
    def load(cls, bot_texts: Translator) -> WebTexts:
        return cls([Translator.load(WEB_LOCALE, "web"), access_texts(), bot_texts])

    def text(self, lang: str, message_id: str, **params: Any) -> str:
        """Return the text of `message_id` in `lang` (the id itself when no catalog has it).

        Only plain values fill placeholders; lists (the rows of a bulk rejection) are the
        page's business, not the sentence's.
        """
        simple = {k: v for k, v in params.items() if isinstance(v, str | int | float)}
        for catalog in self._catalogs:
            if catalog.has(lang, message_id):
                try:
                    return catalog.gettext(lang, message_id, **simple)
                except (KeyError, IndexError):
                    return catalog.gettext(lang, message_id)
        return message_id

    def has(self, lang: str, message_id: str) -> bool:
        return any(catalog.has(lang, message_id) for catalog in self._catalogs)

    def rejection(self, lang: str, rejected: Message) -> str:
        """Render a business-layer rejection (or a bad row) as a sentence the officer reads."""
        return self.text(lang, rejected.message_id, **rejected.params)


def normalize_language(value: str | None) -> str | None:
    return value if value in LANGUAGES else None


def cookie_language(request: web.Request) -> str:
    """Return the language of a visitor not logged in: the cookie's, else Kyrgyz."""
    return normalize_language(request.cookies.get(LANG_COOKIE)) or DEFAULT_LANGUAGE
