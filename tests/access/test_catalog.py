"""Every message id the access package returns has a Kyrgyz and a Russian text."""

from __future__ import annotations

import re
import string
from pathlib import Path

from access.codifier import SYNONYMS as CODIFIER_COLUMNS
from access.grant_lists import SYNONYMS as LIST_COLUMNS
from access.i18n import access_texts, render
from storage.enums import GrantKind, MzhbCheck, Role

PACKAGE = Path(__file__).resolve().parents[2] / "access"


def used_ids() -> set[str]:
    literal = set()
    for path in PACKAGE.glob("*.py"):
        literal |= set(re.findall(r'"(access\.[a-z_]+\.[a-z_.]+[a-z_])"', path.read_text()))
    dynamic = {f"access.file.missing_column.{c}" for c in {*CODIFIER_COLUMNS, *LIST_COLUMNS}}
    for column in ("name", "district", "oblast"):
        dynamic |= {f"access.codifier.{column}_missing", f"access.codifier.{column}_too_long"}
    dynamic |= {f"access.export.sheet.{k.value}" for k in GrantKind}
    dynamic |= {f"access.kind.{k.value}" for k in GrantKind}
    dynamic |= {f"access.check.{c.value}" for c in MzhbCheck}
    dynamic |= {f"access.role.{r.value}" for r in Role}
    return literal | dynamic


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_id_with_the_same_placeholders() -> None:
    texts = access_texts()
    ids = used_ids()
    assert len(ids) > 50
    missing = {lang: sorted(i for i in ids if not texts.has(lang, i)) for lang in ("ky", "ru")}
    assert missing == {"ky": [], "ru": []}
    assert texts.message_ids("ky") == texts.message_ids("ru")
    for message_id in texts.message_ids("ru") - {""}:
        ky, ru = texts.gettext("ky", message_id), texts.gettext("ru", message_id)
        assert placeholders(ky) == placeholders(ru), message_id


def test_render_falls_back_to_the_bot_catalog_for_shared_validators() -> None:
    assert "+996" in render("ky", "error.phone.format")
    assert render("ru", "access.grant.phone_repeated", {"line": 7}).endswith("строке 7 файла.")
