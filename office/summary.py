"""An entry's answers as officers read them: label and value per field, in form order.

Shared by the chat prompt and the web's detail page, so both show the same thing the
applicant saw in their own summary (`flows.form.kinds.display`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.campaign import Campaign
from core.i18n import Translator
from flows.form import current_form
from flows.form.kinds import display, documents


@dataclass(frozen=True)
class AnswerRow:
    """One answer: the field's name, its label and value, and the photos it refers to."""

    name: str
    label: str
    value: str
    document_ids: tuple[int, ...] = ()


def answer_rows(
    texts: Translator, lang: str, campaign: Campaign, answers: dict[str, Any]
) -> list[AnswerRow]:
    """Return a row for every field that applies to `answers`, in form order."""
    return [
        AnswerRow(
            field.name,
            texts.gettext(lang, field.summary_label),
            display(field, answers, texts, lang, campaign),
            documents(field, answers),
        )
        for field in current_form().editable
        if field.applies(answers)
    ]
