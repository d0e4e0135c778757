"""What a form field is: data (prompt, parser, options, condition), not code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from core.validation import Accepted, Rejected
from flows.form.validators import FormContext
from storage.enums import DocumentKind


class Kind(StrEnum):
    TEXT = "text"  # typed; `validate` parses it
    CHOICE = "choice"  # one Option; the option id is the value
    MULTI = "multi"  # toggles and "done"; the value is the list of option ids
    FILE = "file"  # a photo or an image file; the value is the Document id
    BENEFIT_FILES = "benefit_files"  # at least one document per claimed benefit category


@dataclass(frozen=True)
class Msg:
    """A label that is a message id of the `bot` catalog."""

    id: str


Label = str | Msg
OptionsFn = Callable[[Campaign, str], list[tuple[str, Label]]]
Validator = Callable[[Any, FormContext], Accepted[Any] | Rejected]
# The names a typed answer is matched against (e.g. the codifier's districts and cities).
SuggestionSource = Callable[[AsyncSession], Awaitable[list[str]]]


def always(answers: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Field:
    """One question of the form.

    Attributes:
        name: the key in `Registration.answers`.
        step: 0 (the student question) or the instruction's step 1 to 5.
        kind: how it is answered.
        prompt: message id of the question.
        validate: for TEXT, parses the typed text; for CHOICE, may map the chosen id to a value
            and fill related fields.
        options: for CHOICE and MULTI, (option id, label) pairs for a campaign and language.
        condition: the field is asked only when this holds for the draft.
        skippable: a "Skip" option stores None.
        document: for FILE, the kind of document stored.
        min_choices: for MULTI, how many must be chosen before "done" is accepted.
        summary_label: message id of the field's name in the summary.
        resets: fields dropped from the draft when this answer changes (they depend on it).
        suggest: for TEXT, known names the typed answer is matched against; the applicant
            picks one of the close ones or keeps their own spelling (flows.places).

    """

    name: str
    step: int
    kind: Kind
    prompt: str
    summary_label: str
    validate: Validator | None = None
    options: OptionsFn | None = None
    condition: Callable[[dict[str, Any]], bool] = always
    skippable: bool = False
    document: DocumentKind | None = None
    min_choices: int = 0
    resets: tuple[str, ...] = ()
    suggest: SuggestionSource | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        return self.condition(answers)
