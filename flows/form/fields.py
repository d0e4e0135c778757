"""What a form field is: data (prompt, parser, options, condition), not code.

Behaviour that belongs to one field is declared here as an attribute (`resets`, `display`,
`fixed_options`, `on_change`, `per_choice`…), never written in the engine as a test of the
field's name: the engine (`flows.form.kinds`, `flows.form.apply`, the chat and the officers'
web) reads the attributes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
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
# How a stored value is shown to people (value, language) -> text, e.g. a date or a phone.
Display = Callable[[Any, str], str]
# How a stored value is written back into an input box to be edited (a date as 05.09.2007).
EditableText = Callable[[Any], str]


@dataclass(frozen=True)
class Cascade:
    """What else changes in the draft when a field gets a new value (its `on_change` rule).

    Attributes:
        changes: answers written with it.
        remove: answers dropped with it.
        set_aside: benefit categories whose documents stop counting (marked replaced).

    """

    changes: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    set_aside: tuple[str, ...] = ()


# (the draft before the change, the new value) -> what else changes.
OnChange = Callable[[dict[str, Any], Any], Cascade]
# (the draft, the label of an option in the asker's language, the language) -> values the
# question's text shows ("{birth_date}" of the date read from the PIN).
PromptParams = Callable[[dict[str, Any], Callable[[Label], str], str], dict[str, Any]]


@dataclass(frozen=True)
class PerChoice:
    """Documents asked for each option chosen in another (MULTI) field.

    A chosen option is closed when it has at least one document and was closed explicitly:
    the applicant presses "done" for it in the chat; on the web the officer uploads all pages
    of one option at once, so the upload closes it. Closing is never inferred later from the
    documents present.

    Attributes:
        choices: the MULTI field whose chosen options each need documents.
        documents: the answer key holding {option id: [document ids]}.
        closed: the answer key holding the option ids closed so far.
        declined_by: the yes / no field answered "no" when the applicant says, while asked
            for documents, that they claim none after all.

    """

    choices: str
    documents: str
    closed: str
    declined_by: str

    def open(self, answers: dict[str, Any]) -> list[str]:
        """Return the chosen options not yet closed, in the order chosen."""
        done = set(answers.get(self.closed) or [])
        return [c for c in answers.get(self.choices) or [] if c not in done]

    def documents_of(self, answers: dict[str, Any]) -> dict[str, list[int]]:
        return dict(answers.get(self.documents) or {})


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
        summary_label: message id of the field's name in the summary.
        validate: for TEXT, parses the typed text; for CHOICE, may map the chosen id to a value
            and fill related fields.
        options: for CHOICE and MULTI, (option id, label) pairs for a campaign and language.
        condition: the field is asked only when this holds for the draft.
        skippable: a "Skip" option stores None.
        document: for FILE and BENEFIT_FILES, the kind of document stored.
        min_choices: for MULTI, how many must be chosen before "done" is accepted.
        resets: fields dropped from the draft when this answer changes (they depend on it).
        suggest: for TEXT, known names the typed answer is matched against; the applicant
            picks one of the close ones or keeps their own spelling (flows.places).
        display: how the stored value is shown (a date, a phone); else the kind's default.
        editable_text: how the stored value is put back in an input box to be edited.
        fixed_options: for MULTI, options always chosen: shown ticked and not untickable,
            and listed first in the summary (the mandatory tests).
        on_change: more changes to the draft that a new value brings (`Cascade`).
        per_choice: for BENEFIT_FILES, which field's chosen options each need documents.
        prompt_params: values the question's text shows, read from the draft.
        priced: for MULTI, the chosen options are what the fee is paid for (with the
            campaign's mandatory tests).
        refuses: a "yes" (True) answer means the applicant may not register: the form stops
            there until the answer is taken back (the student rule).
        editable: shown in the summary and offered for editing.
        placeholder: an example shown in the web's empty input box.
        numeric: the web's input box opens the digits keyboard.

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
    display: Display | None = None
    editable_text: EditableText | None = None
    fixed_options: OptionsFn | None = None
    on_change: OnChange | None = None
    per_choice: PerChoice | None = None
    prompt_params: PromptParams | None = None
    priced: bool = False
    refuses: bool = False
    editable: bool = True
    placeholder: str = ""
    numeric: bool = False

    def applies(self, answers: dict[str, Any]) -> bool:
        return self.condition(answers)

    def option_ids(self, campaign: Campaign) -> list[str]:
        """Return the ids of the field's options (the same in every language)."""
        return [oid for oid, _ in self.options(campaign, "ky")] if self.options else []


class Form:
    """The fields of a form in the order they are asked, and what is still missing."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.by_name: dict[str, Field] = {f.name: f for f in fields}
        # Shown in the summary and offered for editing: what the applicant typed or chose.
        self.editable: tuple[Field, ...] = tuple(f for f in fields if f.editable)

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def is_missing(self, field: Field, answers: dict[str, Any]) -> bool:
        """Tell whether `field` applies to the draft and still has no answer."""
        if not field.applies(answers):
            return False
        if field.per_choice is not None:
            return bool(field.per_choice.open(answers))
        return field.name not in answers

    def next_missing(self, answers: dict[str, Any]) -> Field | None:
        """Return the first field still to be answered, in order (None: the form is complete)."""
        return next((f for f in self.fields if self.is_missing(f, answers)), None)

    def missing(self, answers: dict[str, Any]) -> list[Field]:
        return [f for f in self.fields if self.is_missing(f, answers)]

    def refusal(self, answers: dict[str, Any]) -> Field | None:
        """Return the answered field that stops the form (the applicant may not register)."""
        return next((f for f in self.fields if f.refuses and answers.get(f.name) is True), None)

    def storing(self, document: DocumentKind) -> Field:
        """Return the field whose answer is a document of kind `document`."""
        return next(f for f in self.fields if f.document is document)

    def priced(self, answers: dict[str, Any]) -> list[str]:
        """Return the chosen options the fee is paid for (the optional tests)."""
        return [c for f in self.fields if f.priced for c in answers.get(f.name) or []]
