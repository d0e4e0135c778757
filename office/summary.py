"""An entry's answers as officers read them: label and value per field, in form order.

Shared by the chat prompt and the web's detail page, so both show the same thing the
applicant saw in their own summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date

from config.campaign import Campaign
from core.i18n import Translator
from core.people import format_phone
from flows.form import EDITABLE, FIELDS, Kind
from flows.form.fields import Field, Msg


@dataclass(frozen=True)
class AnswerRow:
    """One answer: the field's name, its label and value, and the photos it refers to."""

    name: str
    label: str
    value: str
    document_ids: tuple[int, ...] = ()


def local_date(value: date | str, lang: str) -> str:
    """Write a date the way `lang` does (as the conversation does)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, "d MMMM y" if lang == "ru" else "long", locale=lang)


def answer_rows(
    texts: Translator, lang: str, campaign: Campaign, answers: dict[str, Any]
) -> list[AnswerRow]:
    """Return a row for every field that applies to `answers`, in form order."""
    rows = []
    for name in EDITABLE:
        field = FIELDS[name]
        if field.applies(answers):
            value, documents = _value(texts, lang, campaign, field, answers)
            rows.append(AnswerRow(name, texts.gettext(lang, field.summary_label), value, documents))
    return rows


def _value(
    texts: Translator, lang: str, campaign: Campaign, field: Field, answers: dict[str, Any]
) -> tuple[str, tuple[int, ...]]:
    value = answers.get(field.name)
    if field.kind is Kind.BENEFIT_FILES:
        docs = [d for ids in (answers.get("benefit_docs") or {}).values() for d in ids]
        return texts.gettext(lang, "summary.received_n", n=len(docs)), tuple(docs)
    if field.name not in answers:
        return "—", ()
    if value is None:
        return texts.gettext(lang, "summary.skipped"), ()
    if field.kind is Kind.FILE:
        return texts.gettext(lang, "summary.received"), (int(value),)
    if field.name == "birth_date":
        return local_date(value, lang), ()
    if field.name == "extra_phone":
        return format_phone(value), ()
    labels = {}
    if field.options is not None:
        for oid, label in field.options(campaign, lang):
            labels[oid] = texts.gettext(lang, label.id) if isinstance(label, Msg) else label
    if field.kind is Kind.MULTI:
        chosen = [labels.get(v, v) for v in value]
        if field.name == "subjects":
            chosen = [t.name(lang) for t in campaign.mandatory_tests] + chosen
        return ", ".join(chosen) or "—", ()
    if isinstance(value, bool):
        return texts.gettext(lang, "option.yes" if value else "option.no"), ()
    return labels.get(value, str(value)), ()
