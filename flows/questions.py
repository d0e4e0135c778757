"""Asking one form field, and writing its answer to the draft: the declarative form in a chat."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.validation import Accepted
from flows.choices import tag
from flows.form import FormContext, Kind, current_form
from flows.form.apply import apply
from flows.form.fields import Field
from flows.form.kinds import Words, unexpected
from flows.replies import Option, Reply, preceded
from flows.turn import Turn

# Option values; each option id is `<field name>:<value>` (flows.choices.tag).
DONE = "done"
SKIP = "skip"
BENEFIT_DONE = "bdone"
BENEFIT_NONE = "bno"
FIXED = "fixed:"  # options always chosen, shown as ticked toggles that cannot be unticked
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


def words(turn: Turn) -> Words:
    return Words(turn.services.translator, turn.lang, turn.campaign)


def prompt_params(turn: Turn, field: Field) -> dict[str, Any]:
    """Return the values the question of `field` may show in its text."""
    answers = turn.answers
    params: dict[str, Any] = {
        "name": turn.grant.full_name if turn.grant else "",
        "url": turn.campaign.benefits_url(turn.lang),
        "mandatory": ", ".join(t.name(turn.lang) for t in turn.campaign.mandatory_tests),
    }
    if field.prompt_params is not None:
        params.update(field.prompt_params(answers, turn.label, turn.lang))
    per_choice = field.per_choice
    if per_choice is not None and (still := per_choice.open(answers)):
        labels = dict(words(turn).options(current_form()[per_choice.choices]))
        params["category"] = labels.get(still[0], still[0])
        params["count"] = len(per_choice.documents_of(answers).get(still[0], []))
    return params


def options_of(turn: Turn, field: Field) -> list[tuple[str, str]]:
    """Return the field's (value, label) pairs; the option ids are `tag(field.name, value)`."""
    return words(turn).options(field)


def option(field: Field, value: str, label: str, **flags: Any) -> Option:
    """Return the button answering `field` with `value`."""
    return Option(tag(field.name, value), label, **flags)


def back_option(turn: Turn, editing: bool) -> tuple[Option, ...]:
    return (Option("summary", turn.t("option.back_to_summary")),) if editing else ()


async def selection(turn: Turn, field: Field) -> list[str]:
    """Return the ticked toggles: the half-made choice in state, else the saved answer."""
    saved = await turn.get_state(f"multi:{field.name}")
    if saved is None:
        saved = list(turn.answers.get(field.name) or [])
    return saved


# How each kind is asked in a chat: (turn, field, text, params, back) -> the question.
Asker = Callable[[Turn, Field, str, dict[str, Any], tuple[Option, ...]], Awaitable[Reply]]


async def _ask_text(
    turn: Turn, field: Field, text: str, params: dict[str, Any], back: tuple[Option, ...]
) -> Reply:
    skip = (option(field, SKIP, turn.t("option.skip")),) if field.skippable else ()
    return Reply(text, skip + back)


async def _ask_choice(
    turn: Turn, field: Field, text: str, params: dict[str, Any], back: tuple[Option, ...]
) -> Reply:
    options = tuple(option(field, oid, label) for oid, label in options_of(turn, field))
    return Reply(text, options + back)


async def _ask_multi(
    turn: Turn, field: Field, text: str, params: dict[str, Any], back: tuple[Option, ...]
) -> Reply:
    return await multi_reply(turn, field, text, back)


async def _ask_file(
    turn: Turn, field: Field, text: str, params: dict[str, Any], back: tuple[Option, ...]
) -> Reply:
    return Reply(text, back, expects_file=True)


async def _ask_per_choice(
    turn: Turn, field: Field, text: str, params: dict[str, Any], back: tuple[Option, ...]
) -> Reply:
    # Documents for one chosen option at a time; after the first, "done" closes the option.
    options = [option(field, BENEFIT_NONE, turn.t("option.no_benefits"))]
    if params.get("count"):
        text = turn.t("ask.benefit_document_more", **params)
        options.insert(0, option(field, BENEFIT_DONE, turn.t("option.benefit_done")))
    return Reply(text, tuple(options), expects_file=True)


ASKERS: dict[Kind, Asker] = {
    Kind.TEXT: _ask_text,
    Kind.CHOICE: _ask_choice,
    Kind.MULTI: _ask_multi,
    Kind.FILE: _ask_file,
    Kind.BENEFIT_FILES: _ask_per_choice,
}


async def ask(turn: Turn, field: Field, *, intro: bool = False, editing: bool = False):
    """Return the replies that ask `field` (with the step's introduction when entering it)."""
    params = prompt_params(turn, field)
    text = turn.t(field.prompt, **params)
    question = await ASKERS[field.kind](turn, field, text, params, back_option(turn, editing))
    introduction = turn.t(f"step.{field.step}.intro", **params) if intro and field.step else None
    return preceded(introduction, [question])


async def multi_reply(
    turn: Turn, field: Field, text: str, back: tuple[Option, ...], *, redraw: bool = False
) -> Reply:
    chosen = set(await selection(turn, field))
    if await turn.get_state(f"multi:{field.name}") is None:
        # What the buttons show is now known: "Done" can tell it from a selection lost since.
        await turn.set_state(f"multi:{field.name}", sorted(chosen))
    fixed = [
        option(field, FIXED + oid, label, selected=True, fixed=True)
        for oid, label in words(turn).fixed(field)
    ]
    toggles = [
        option(field, oid, label, selected=oid in chosen) for oid, label in options_of(turn, field)
    ]
    done = option(field, DONE, turn.t("option.done"), finishes=True)
    return Reply(text, (*fixed, *toggles, done, *back), multi=True, updates_previous=redraw)


def unexpected_message(field: Field) -> str:
    return unexpected(field)


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


async def accept(turn: Turn, field: Field, accepted: Accepted[Any]) -> Outcome:
    """Write the answer to the draft at once (the draft is the state)."""
    registration = turn.registration
    assert registration is not None
    await apply(turn.session, registration, field, accepted, turn.now)
    await turn.clear_state(f"multi:{field.name}")
    return Outcome([], accepted=True)
