"""Asking one form field, and writing its answer to the draft: the declarative form in a chat."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flows.choices import tag
from flows.form import FIELDS, FormContext, Kind
from flows.form.definition import benefit_categories_missing_documents
from flows.form.fields import Field
from flows.replies import Option, Reply
from flows.turn import Turn
from storage.repositories.documents import replace_benefit_documents
from storage.repositories.registrations import update_answers

# Option values; each option id is `<field name>:<value>` (flows.choices.tag).
DONE = "done"
SKIP = "skip"
BENEFIT_DONE = "bdone"
BENEFIT_NONE = "bno"
FIXED = "fixed:"  # mandatory tests shown as ticked toggles that cannot be unticked
PICK = "pick:"  # one of the known places matching what was typed
KEEP = "keep"  # the place as typed
MAX_SUGGESTIONS = 5
# Courtesies answered before the current question is asked again (flows.choices.SMALL_TALK).
COURTESIES = ("greeting", "thanks", "ack")


@dataclass
class Outcome:
    """What became of an event at a field: replies to send, and whether the field got answered."""

    replies: list[Reply]
    accepted: bool = False
    # Photo warnings the applicant may override: shown with the next question, with an offer
    # to send the photo again.
    warnings: list[str] = dataclasses.field(default_factory=list)


def with_error(turn: Turn, message_id: str, params: dict[str, Any], replies: list[Reply]):
    text = turn.t(message_id, **params)
    return [dataclasses.replace(replies[0], text=f"{text}\n\n{replies[0].text}"), *replies[1:]]


def prompt_params(turn: Turn) -> dict[str, Any]:
    answers = turn.answers
    params: dict[str, Any] = {
        "name": turn.grant.full_name if turn.grant else "",
        "url": turn.campaign.benefits_url(turn.lang),
        "mandatory": ", ".join(t.name(turn.lang) for t in turn.campaign.mandatory_tests),
    }
    if answers.get("pin_gender"):
        # Mid-sentence ("пол — мужской"): the button's label in lower case.
        params["gender"] = turn.t(f"gender.{answers['pin_gender']}").lower()
    if answers.get("pin_birth_date"):
        params["birth_date"] = turn.date(answers["pin_birth_date"])
    missing = benefit_categories_missing_documents(answers)
    if missing:
        benefit = next((b for b in turn.campaign.benefits if b.code == missing[0]), None)
        params["category"] = benefit.name(turn.lang) if benefit else missing[0]
        params["count"] = len((answers.get("benefit_docs") or {}).get(missing[0], []))
    return params


def options_of(turn: Turn, field: Field) -> list[tuple[str, str]]:
    """Return the field's (value, label) pairs; the option ids are `tag(field.name, value)`."""
    if field.options is None:
        return []
    return [(oid, turn.label(label)) for oid, label in field.options(turn.campaign, turn.lang)]


def option(field: Field, value: str, label: str, **flags: Any) -> Option:
    """Return the button answering `field` with `value`."""
    return Option(tag(field.name, value), label, **flags)


async def selection(turn: Turn, field: Field) -> list[str]:
    """Return the ticked toggles: the half-made choice in state, else the saved answer."""
    saved = await turn.get_state(f"multi:{field.name}")
    if saved is None:
        saved = list(turn.answers.get(field.name) or [])
    return saved


async def ask(turn: Turn, field: Field, *, intro: bool = False, editing: bool = False):
    """Return the replies that ask `field` (with the step's introduction when entering it)."""
    replies: list[Reply] = []
    params = prompt_params(turn)
    if intro and field.step:
        replies.append(Reply(turn.t(f"step.{field.step}.intro", **params)))
    text = turn.t(field.prompt, **params)
    back = (Option("summary", turn.t("option.back_to_summary")),) if editing else ()
    if field.kind is Kind.TEXT:
        skip = (option(field, SKIP, turn.t("option.skip")),) if field.skippable else ()
        replies.append(Reply(text, skip + back))
    elif field.kind is Kind.CHOICE:
        options = tuple(option(field, oid, label) for oid, label in options_of(turn, field))
        replies.append(Reply(text, options + back))
    elif field.kind is Kind.MULTI:
        replies.append(await multi_reply(turn, field, text, back))
    elif field.kind is Kind.FILE:
        replies.append(Reply(text, back, expects_file=True))
    else:
        options = [option(field, BENEFIT_NONE, turn.t("option.no_benefits"))]
        if params.get("count"):
            text = turn.t("ask.benefit_document_more", **params)
            options.insert(0, option(field, BENEFIT_DONE, turn.t("option.benefit_done")))
        replies.append(Reply(text, tuple(options), expects_file=True))
    return replies


async def multi_reply(
    turn: Turn, field: Field, text: str, back: tuple[Option, ...], *, redraw: bool = False
) -> Reply:
    chosen = set(await selection(turn, field))
    if await turn.get_state(f"multi:{field.name}") is None:
        # What the buttons show is now known: "Done" can tell it from a selection lost since.
        await turn.set_state(f"multi:{field.name}", sorted(chosen))
    fixed = (
        [
            option(field, FIXED + t.code, t.name(turn.lang), selected=True, fixed=True)
            for t in turn.campaign.mandatory_tests
        ]
        if field.name == "subjects"
        else []
    )
    toggles = [
        option(field, oid, label, selected=oid in chosen) for oid, label in options_of(turn, field)
    ]
    done = option(field, DONE, turn.t("option.done"), finishes=True)
    return Reply(text, (*fixed, *toggles, done, *back), multi=True, updates_previous=redraw)


def unexpected_message(field: Field) -> str:
    return {
        Kind.TEXT: "error.expected_text",
        Kind.CHOICE: "error.expected_choice",
        Kind.MULTI: "error.expected_multi",
        Kind.FILE: "error.expected_file",
        Kind.BENEFIT_FILES: "error.expected_file",
    }[field.kind]


async def reask(
    turn: Turn,
    field: Field,
    message_id: str,
    params: dict[str, Any] | None = None,
    *,
    editing: bool = False,
) -> Outcome:
    return Outcome(
        with_error(turn, message_id, params or {}, await ask(turn, field, editing=editing))
    )


def context(turn: Turn, *, repeated: bool = False) -> FormContext:
    return FormContext(answers=turn.answers, today=turn.today, repeated=repeated)


async def accept_value(turn: Turn, name: str, value: Any) -> Outcome:
    return await accept(turn, FIELDS[name], value)


async def accept(turn: Turn, field: Field, value: Any, also: dict[str, Any] | None = None):
    """Write the answer to the draft at once (the draft is the state)."""
    registration = turn.registration
    assert registration is not None
    answers = turn.answers
    changed = field.name in answers and answers[field.name] != value
    remove: tuple[str, ...] = field.resets if changed else ()
    changes: dict[str, Any] = {field.name: value, **(also or {})}
    if field.name == "has_benefits" and value is False:
        remove += ("benefit_categories", "benefit_docs", "benefit_done")
        dropped = list(answers.get("benefit_categories") or [])
        await replace_benefit_documents(turn.session, registration.id, dropped, turn.now)
    if field.name == "benefit_categories":
        dropped = [c for c in answers.get("benefit_categories") or [] if c not in value]
        docs = {k: v for k, v in (answers.get("benefit_docs") or {}).items() if k in value}
        done = [c for c in answers.get("benefit_done") or [] if c in value]
        changes.update(benefit_docs=docs, benefit_done=done)
        await replace_benefit_documents(turn.session, registration.id, dropped, turn.now)
    update_answers(registration, changes, remove=remove)
    registration.channel = turn.key.channel
    await turn.clear_state(f"multi:{field.name}")
    return Outcome([], accepted=True)
