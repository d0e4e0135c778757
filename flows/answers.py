"""Taking an event as the answer to the question asked.

Buttons of that question only, typed words standing for its buttons, small talk answered,
places matched with the codifier. What a value becomes is the kind's rule
(`flows.form.kinds.parse`), the same as on the officers' web form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.validation import Accepted, Rejected
from flows import places
from flows.choices import match_typed, small_talk, untag
from flows.form import Kind
from flows.form.fields import Field
from flows.form.kinds import parse
from flows.questions import (
    BENEFIT_DONE,
    BENEFIT_NONE,
    COURTESIES,
    DONE,
    FIXED,
    KEEP,
    MAX_SUGGESTIONS,
    PICK,
    SKIP,
    Outcome,
    accept,
    back_option,
    context,
    multi_reply,
    option,
    options_of,
    prompt_params,
    reask,
    selection,
    unexpected_message,
)
from flows.replies import Option, Reply
from flows.turn import Turn
from flows.uploads import per_choice_option, take_file

# How each kind takes an event: (turn, field, the pressed or typed-for option value, editing).
Taker = Callable[[Turn, Field, str | None, bool], Awaitable[Outcome]]


async def take(turn: Turn, field: Field, *, editing: bool = False) -> Outcome:
    """Take the event as the answer to `field`; re-ask with the reason when it does not fit.

    A button answers only the question it was sent with; typed words stand for a button
    where they match one; small talk is answered and the question asked again.
    """
    event = turn.event
    choice: str | None = None
    if event.kind == "choice":
        question, choice = untag(event.choice)
        if question != field.name:
            return await reask(turn, field, "error.old_button", editing=editing)
    elif event.kind == "text":
        typed = event.text or ""
        offered = await _offered(turn, field)
        matched = match_typed(turn.services.translator, typed, offered)
        if matched is not None:
            choice = untag(matched.id)[1]
        else:
            talk = small_talk(turn.services.translator, typed)
            if talk in COURTESIES:
                return await reask(turn, field, f"smalltalk.{talk}", editing=editing)
    return await TAKERS[field.kind](turn, field, choice, editing)


async def _take_text(turn: Turn, field: Field, choice: str | None, editing: bool) -> Outcome:
    event = turn.event
    if choice == SKIP and field.skippable:
        return await accept(turn, field, Accepted(None))
    if choice == KEEP or (choice or "").startswith(PICK):
        return await _take_suggestion(turn, field, choice or "", editing)
    if event.kind != "text" or choice is not None:
        return await reask(turn, field, unexpected_message(field), editing=editing)
    return await _take_typed(turn, field, event.text or "", editing)


async def _take_choice(turn: Turn, field: Field, choice: str | None, editing: bool) -> Outcome:
    if choice is None:
        return await reask(turn, field, unexpected_message(field), editing=editing)
    result = parse(field, choice, context(turn), turn.campaign)
    if isinstance(result, Rejected):
        return await reask(turn, field, result.message_id, result.params, editing=editing)
    return await accept(turn, field, result)


async def _take_files(turn: Turn, field: Field, choice: str | None, editing: bool) -> Outcome:
    event = turn.event
    if event.kind != "file" or event.file is None:
        if field.per_choice is not None and choice in (BENEFIT_DONE, BENEFIT_NONE):
            return await per_choice_option(turn, field, choice)
        return await reask(turn, field, unexpected_message(field), editing=editing)
    return await take_file(turn, field, editing)


async def _offered(turn: Turn, field: Field) -> list[Option]:
    """Return the answer buttons of the question (what a typed word may stand for)."""
    values = [(oid, label) for oid, label in options_of(turn, field)]
    if field.kind is Kind.MULTI:
        values.append((DONE, turn.t("option.done")))
    if field.kind is Kind.TEXT and field.skippable:
        values.append((SKIP, turn.t("option.skip")))
    if field.per_choice is not None:
        values += [(BENEFIT_DONE, turn.t("option.benefit_done"))]
        values += [(BENEFIT_NONE, turn.t("option.no_benefits"))]
    return [option(field, value, label) for value, label in values]


async def _take_typed(turn: Turn, field: Field, text: str, editing: bool) -> Outcome:
    fingerprint = turn.services.secret_box.keyed_hash(f"{field.name}:{text.strip()}")
    repeated = await turn.get_state(f"rejected:{field.name}") == fingerprint
    result = parse(field, text, context(turn, repeated=repeated), turn.campaign)
    if isinstance(result, Rejected):
        await turn.set_state(f"rejected:{field.name}", fingerprint)
        return await reask(turn, field, result.message_id, result.params, editing=editing)
    await turn.clear_state(f"rejected:{field.name}")
    if field.suggest is not None:
        return await _suggest(turn, field, result.value, result.also, editing)
    return await accept(turn, field, result)


async def _suggest(
    turn: Turn, field: Field, typed: str, also: dict[str, Any], editing: bool
) -> Outcome:
    """Match a typed place against the known ones (the field's `suggest` source).

    One exact match is taken as spelled there, close ones are offered to pick from, and with
    none the applicant's own spelling stays.
    """
    assert field.suggest is not None
    known = await field.suggest(turn.session)
    exact = places.exact(typed, known)
    if exact is not None:
        return await accept(turn, field, Accepted(exact, also=also))
    close = places.close(typed, known)[:MAX_SUGGESTIONS]
    if not close:
        return await accept(turn, field, Accepted(typed, also=also))
    await turn.set_state(f"suggest:{field.name}", [typed, *close])
    options = [option(field, f"{PICK}{n}", name) for n, name in enumerate(close)]
    options.append(option(field, KEEP, turn.t("option.keep_typed", typed=typed)))
    text = turn.t("ask.place_pick", typed=typed)
    return Outcome([Reply(text, (*options, *back_option(turn, editing)))])


async def _take_suggestion(turn: Turn, field: Field, choice: str, editing: bool) -> Outcome:
    shown = await turn.get_state(f"suggest:{field.name}")
    index = choice.removeprefix(PICK)
    if not shown:  # the offer is gone (state lost): the question is asked again
        return await reask(turn, field, "error.old_button", editing=editing)
    await turn.clear_state(f"suggest:{field.name}")
    if choice == KEEP:
        return await accept(turn, field, Accepted(shown[0]))
    if index.isdigit() and int(index) + 1 < len(shown):
        return await accept(turn, field, Accepted(shown[int(index) + 1]))
    return await reask(turn, field, "error.old_button", editing=editing)


async def _take_multi(turn: Turn, field: Field, choice: str | None, editing: bool) -> Outcome:
    ids = [oid for oid, _ in options_of(turn, field)]
    text = turn.t(field.prompt, **prompt_params(turn, field))
    back = back_option(turn, editing)
    if choice == DONE:
        if await turn.get_state(f"multi:{field.name}") is None:
            # The half-made choice is gone (Redis flushed, or a restart without Redis): the
            # buttons pressed may show ticks no longer known. Show the choice again, as it is
            # now, rather than store less than the applicant ticked.
            return Outcome([await multi_reply(turn, field, text, back)])
        result = parse(field, await selection(turn, field), context(turn), turn.campaign)
        if isinstance(result, Rejected):
            return await reask(turn, field, result.message_id, result.params, editing=editing)
        return await accept(turn, field, result)
    if choice and choice.startswith(FIXED):
        note = turn.t("note.mandatory_test")
        reply = await multi_reply(turn, field, f"{note}\n\n{text}", back, redraw=True)
        return Outcome([reply])
    if choice not in ids:
        return await reask(turn, field, unexpected_message(field), editing=editing)
    chosen = await selection(turn, field)
    chosen = [c for c in chosen if c != choice] if choice in chosen else [*chosen, choice]
    await turn.set_state(f"multi:{field.name}", chosen)
    return Outcome([await multi_reply(turn, field, text, back, redraw=True)])


TAKERS: dict[Kind, Taker] = {
    Kind.TEXT: _take_text,
    Kind.CHOICE: _take_choice,
    Kind.MULTI: _take_multi,
    Kind.FILE: _take_files,
    Kind.BENEFIT_FILES: _take_files,
}
