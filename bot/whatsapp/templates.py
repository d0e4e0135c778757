"""Content template SIDs from configuration: one for every language, or one per language."""

from __future__ import annotations

from core.i18n import DEFAULT_LANGUAGE


def parse_template_sids(value: str | None) -> dict[str, str]:
    """Read ``"HX…"`` (every language) or ``"ky:HX…,ru:HX…"`` into {language: sid}.

    The key "*" holds a SID meant for every language.
    """
    sids: dict[str, str] = {}
    for item in (value or "").split(","):
        language, separator, sid = item.strip().rpartition(":")
        if sid.strip():
            sids[language.strip() if separator else "*"] = sid.strip()
    return sids


def template_for(sids: dict[str, str], language: str) -> str | None:
    """Return the SID to use for `language`, falling back to the shared or default one."""
    return sids.get(language) or sids.get("*") or sids.get(DEFAULT_LANGUAGE)
