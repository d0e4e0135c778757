"""Gettext catalogs (ky, ru) compiled with Babel at load time, looked up by message id.

Message ids are stable keys such as ``ask.pin``; the `.po` files hold the Kyrgyz and Russian
texts. Compiling in memory means a changed `.po` can never be shadowed by a stale `.mo`.
"""

from __future__ import annotations

import io
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("ky", "ru")
DEFAULT_LANGUAGE = "ky"


class Translator:
    """Looks up message ids in one catalog domain for each language."""

    def __init__(self, catalogs: dict[str, GNUTranslations]) -> None:
        self._catalogs = catalogs

    @classmethod
    def load(cls, locale_dir: Path, domain: str, *more_domains: str) -> Translator:
        """Load `domain` for every language; ids missing there are looked up in `more_domains`."""
        catalogs: dict[str, GNUTranslations] = {}
        for lang in LANGUAGES:
            first, *rest = (_compile(locale_dir, lang, d) for d in (domain, *more_domains))
            for fallback in rest:
                first.add_fallback(fallback)
            catalogs[lang] = first
        return cls(catalogs)

    def has(self, lang: str, message_id: str) -> bool:
        return self._catalogs[_lang(lang)].gettext(message_id) != message_id

    def gettext(self, lang: str, message_id: str, **params: Any) -> str:
        """Return the text for `message_id` in `lang`, with `{name}` placeholders filled."""
        text = self._catalogs[_lang(lang)].gettext(message_id)
        return text.format(**params) if params else text

    def ngettext(self, lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._catalogs[_lang(lang)].ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def message_ids(self, lang: str) -> set[str]:
        ids: set[str] = set()
        catalog: GNUTranslations | None = self._catalogs[_lang(lang)]
        while catalog is not None:
            ids |= set(catalog._catalog)  # noqa: SLF001 - gettext keeps no API for this
            catalog = catalog._fallback  # noqa: SLF001
        return ids


def _compile(locale_dir: Path, lang: str, domain: str) -> GNUTranslations:
    po_path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return GNUTranslations(buffer)


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
