"""The `access` message catalog (Kyrgyz and Russian) used by the web and the exports."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from core.i18n import Translator
from core.texts import conversation_texts

ACCESS_LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "access"


@cache
def access_texts() -> Translator:
    """Return the `access` catalog, loaded once per process."""
    return Translator.load(ACCESS_LOCALE_DIR, DOMAIN)


@cache
def _bot_texts() -> Translator:
    return conversation_texts()


def render(lang: str, message_id: str, params: dict[str, Any] | None = None) -> str:
    """Return the text of a message id of this package in `lang`.

    Ids are looked up in the `access` catalog, then in the `bot` catalog (``error.phone.*``
    and ``error.name.*`` come from the shared validators). Params that are not simple values
    (the error list of ``access.bulk.has_errors``) are left out of formatting.
    """
    simple = {k: v for k, v in (params or {}).items() if isinstance(v, str | int | float)}
    texts = access_texts()
    if not texts.has(lang, message_id) and _bot_texts().has(lang, message_id):
        texts = _bot_texts()
    return texts.gettext(lang, message_id, **simple)
