"""What each kind of field does with a value, the same in the chat and the officers' web.

One handler per `Kind`: how a chosen, typed or posted raw value becomes the stored value
(`parse`), how a stored value is shown to people (`display`), how it goes back into an input
box (`editable_text`), and the message when an event does not fit the kind. Behaviour of a
single field is declared on it (`Field.display`, `fixed_options`…), never tested by name here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.campaign import Campaign
from core.i18n import Translator
from core.validation import Accepted, Rejected
from flows.form.fields import Field, Kind, Label, Msg
from flows.form.validators import FormContext

Parsed = Accepted[Any] | Rejected


@dataclass(frozen=True)
class Words:
    """The texts a value is shown with: a translator, a language and the campaign's options."""

    texts: Translator
    lang: str
    campaign: Campaign

    def t(self, message_id: str, **params: Any) -> str:
        return self.texts.gettext(self.lang, message_id, **params)

    def label(self, label: Label) -> str:
        return self.t(label.id) if isinstance(label, Msg) else label

    def options(self, field: Field) -> list[tuple[str, str]]:
        """Return the field's (option id, label) pairs in this language."""
        if field.options is None:
            return []
        return [(oid, self.label(label)) for oid, label in field.options(self.campaign, self.lang)]

    def fixed(self, field: Field) -> list[tuple[str, str]]:
        """Return the options always chosen (shown ticked, listed first)."""
        if field.fixed_options is None:
            return []
        pairs = field.fixed_options(self.campaign, self.lang)
        return [(oid, self.label(label)) for oid, label in pairs]


def _parse_text(field: Field, raw: Any, ctx: FormContext, campaign: Campaign) -> Parsed:
    assert field.validate is not None  # noqa: S101 - every TEXT field declares its parser
    return field.validate(raw, ctx)


def _parse_choice(field: Field, raw: Any, ctx: FormContext, campaign: Campaign) -> Parsed:
    if raw not in field.option_ids(campaign):
        return Rejected("error.expected_choice")
    return field.validate(raw, ctx) if field.validate else Accepted(raw)


def _parse_multi(field: Field, raw: Any, ctx: FormContext, campaign: Campaign) -> Parsed:
    picked = set(raw or ())
    chosen = [oid for oid in field.option_ids(campaign) if oid in picked]
    if len(chosen) < field.min_choices:
        return Rejected("error.choose_at_least_one")
    return Accepted(chosen)


def _show_text(field: Field, value: Any, words: Words) -> str:
    return str(value)


def _show_choice(field: Field, value: Any, words: Words) -> str:
    if isinstance(value, bool):  # a yes / no question whose validator stores a boolean
        return words.t("option.yes" if value else "option.no")
    return dict(words.options(field)).get(value, str(value))


def _show_multi(field: Field, value: Any, words: Words) -> str:
    labels = dict(words.options(field))
    chosen = [label for _, label in words.fixed(field)] + [labels.get(v, v) for v in value]
    return ", ".join(chosen) or "—"


def _show_file(field: Field, value: Any, words: Words) -> str:
    return words.t("summary.received")


@dataclass(frozen=True)
class KindHandler:
    """What one kind of field does with values.

    Attributes:
        unexpected: message id when the answer sent does not fit (a photo to a text question).
        parse: a raw value (typed text, chosen id, list of ids) to the stored value; None for
            uploads, which are stored (`flows.form.upload`), not parsed.
        show: a stored, present, non-skipped value as people read it.
        multiple: the raw value is a list (a web form posts the field's name once per tick).

    """

    unexpected: str
    parse: Callable[[Field, Any, FormContext, Campaign], Parsed] | None
    show: Callable[[Field, Any, Words], str]
    multiple: bool = False

    @property
    def uploaded(self) -> bool:
        """The answer is a photo (stored by `flows.form.upload`), not a typed or chosen value."""
        return self.parse is None


HANDLERS: dict[Kind, KindHandler] = {
    Kind.TEXT: KindHandler("error.expected_text", _parse_text, _show_text),
    Kind.CHOICE: KindHandler("error.expected_choice", _parse_choice, _show_choice),
    Kind.MULTI: KindHandler("error.expected_multi", _parse_multi, _show_multi, multiple=True),
    Kind.FILE: KindHandler("error.expected_file", None, _show_file),
    Kind.BENEFIT_FILES: KindHandler("error.expected_file", None, _show_file),
}


def parse(field: Field, raw: Any, ctx: FormContext, campaign: Campaign) -> Parsed:
    """Return what a typed, chosen or posted raw value of `field` becomes, or why it is refused."""
    handler = HANDLERS[field.kind].parse
    assert handler is not None, f"{field.kind} answers are uploads"  # noqa: S101
    return handler(field, raw, ctx, campaign)


def unexpected(field: Field) -> str:
    """Return the message id for an answer that does not fit the field's kind."""
    return HANDLERS[field.kind].unexpected


def display(
    field: Field, answers: dict[str, Any], texts: Translator, lang: str, campaign: Campaign
) -> str:
    """Return the field's answer as people read it: the chat's summary, the officers' pages."""
    words = Words(texts, lang, campaign)
    if field.per_choice is not None:
        count = sum(len(ids) for ids in field.per_choice.documents_of(answers).values())
        return words.t("summary.received_n", n=count)
    if field.name not in answers:
        return "—"
    value = answers[field.name]
    if value is None:
        return words.t("summary.skipped")
    if field.display is not None:
        return field.display(value, lang)
    return HANDLERS[field.kind].show(field, value, words)


def editable_text(field: Field, answers: dict[str, Any]) -> str:
    """Return the answer as it goes back into an input box to be edited ("" when none)."""
    value = answers.get(field.name)
    if value is None:
        return ""
    return field.editable_text(value) if field.editable_text else str(value)


def documents(field: Field, answers: dict[str, Any]) -> tuple[int, ...]:
    """Return the ids of the documents the answer refers to (photos), in order."""
    if field.per_choice is not None:
        return tuple(d for ids in field.per_choice.documents_of(answers).values() for d in ids)
    value = answers.get(field.name)
    if field.kind is Kind.FILE and value is not None:
        return (int(value),)
    return ()
