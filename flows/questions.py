"""Asking one form field and taking its answer: the declarative form brought to a chat."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from core.validation import Accepted, Rejected
from flows import places
from flows.choices import match_typed, small_talk, tag, untag
from flows.form import FIELDS, FormContext, Kind
from flows.form.definition import benefit_categories_missing_documents
from flows.form.fields import Field
from flows.photos import UploadAnalysis, analyse_upload
from flows.replies import Option, Reply
from flows.turn import Turn
from storage.repositories.documents import add_document, replace_benefit_documents
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


def _with_error(turn: Turn, message_id: str, params: dict[str, Any], replies: list[Reply]):
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
        replies.append(await _multi_reply(turn, field, text, back))
    elif field.kind is Kind.FILE:
        replies.append(Reply(text, back, expects_file=True))
    else:
        options = [option(field, BENEFIT_NONE, turn.t("option.no_benefits"))]
        if params.get("count"):
            text = turn.t("ask.benefit_document_more", **params)
            options.insert(0, option(field, BENEFIT_DONE, turn.t("option.benefit_done")))
        replies.append(Reply(text, tuple(options), expects_file=True))
    return replies


async def _multi_reply(
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
            if field.kind in (Kind.CHOICE, Kind.MULTI):
                return await reask(turn, field, unexpected_message(field), editing=editing)
    if field.kind is Kind.TEXT:
        if choice == SKIP and field.skippable:
            return await accept(turn, field, None)
        if choice == KEEP or (choice or "").startswith(PICK):
            return await _take_suggestion(turn, field, choice or "", editing)
        if event.kind != "text" or choice is not None:
            return await reask(turn, field, unexpected_message(field), editing=editing)
        return await _take_text(turn, field, event.text or "", editing)
    if field.kind is Kind.CHOICE:
        ids = {oid for oid, _ in options_of(turn, field)}
        if choice not in ids:
            return await reask(turn, field, unexpected_message(field), editing=editing)
        result = field.validate(choice, _context(turn)) if field.validate else Accepted(choice)
        if isinstance(result, Rejected):
            return await reask(turn, field, result.message_id, result.params, editing=editing)
        return await accept(turn, field, result.value, result.also)
    if field.kind is Kind.MULTI:
        return await _take_multi(turn, field, choice, editing)
    if event.kind != "file" or event.file is None:
        if field.kind is Kind.BENEFIT_FILES and choice in (BENEFIT_DONE, BENEFIT_NONE):
            return await _benefit_choice(turn, field, choice)
        return await reask(turn, field, unexpected_message(field), editing=editing)
    return await _take_file(turn, field, editing)


async def _offered(turn: Turn, field: Field) -> list[Option]:
    """Return the answer buttons of the question (what a typed word may stand for)."""
    values = [(oid, label) for oid, label in options_of(turn, field)]
    if field.kind is Kind.MULTI:
        values.append((DONE, turn.t("option.done")))
    if field.kind is Kind.TEXT and field.skippable:
        values.append((SKIP, turn.t("option.skip")))
    if field.kind is Kind.BENEFIT_FILES:
        values += [(BENEFIT_DONE, turn.t("option.benefit_done"))]
        values += [(BENEFIT_NONE, turn.t("option.no_benefits"))]
    return [option(field, value, label) for value, label in values]


async def reask(
    turn: Turn,
    field: Field,
    message_id: str,
    params: dict[str, Any] | None = None,
    *,
    editing: bool = False,
) -> Outcome:
    return Outcome(
        _with_error(turn, message_id, params or {}, await ask(turn, field, editing=editing))
    )


def _context(turn: Turn, *, repeated: bool = False) -> FormContext:
    return FormContext(answers=turn.answers, today=turn.today, repeated=repeated)


async def _take_text(turn: Turn, field: Field, text: str, editing: bool) -> Outcome:
    assert field.validate is not None  # every TEXT field declares its parser
    fingerprint = turn.services.secret_box.keyed_hash(f"{field.name}:{text.strip()}")
    repeated = await turn.get_state(f"rejected:{field.name}") == fingerprint
    result = field.validate(text, _context(turn, repeated=repeated))
    if isinstance(result, Rejected):
        await turn.set_state(f"rejected:{field.name}", fingerprint)
        return await reask(turn, field, result.message_id, result.params, editing=editing)
    await turn.clear_state(f"rejected:{field.name}")
    if field.suggest is not None:
        return await _suggest(turn, field, result.value, result.also, editing)
    return await accept(turn, field, result.value, result.also)


async def _suggest(
    turn: Turn, field: Field, typed: str, also: dict[str, Any], editing: bool
) -> Outcome:
    """Match a typed place against the known ones: one exact match is taken as spelled there,
    close ones are offered to pick from, and with none the applicant's own spelling stays."""
    assert field.suggest is not None
    known = await field.suggest(turn.session)
    exact = places.exact(typed, known)
    if exact is not None:
        return await accept(turn, field, exact, also)
    close = places.close(typed, known)[:MAX_SUGGESTIONS]
    if not close:
        return await accept(turn, field, typed, also)
    await turn.set_state(f"suggest:{field.name}", [typed, *close])
    options = [option(field, f"{PICK}{n}", name) for n, name in enumerate(close)]
    options.append(option(field, KEEP, turn.t("option.keep_typed", typed=typed)))
    back = (Option("summary", turn.t("option.back_to_summary")),) if editing else ()
    text = turn.t("ask.place_pick", typed=typed)
    return Outcome([Reply(text, (*options, *back))])


async def _take_suggestion(turn: Turn, field: Field, choice: str, editing: bool) -> Outcome:
    shown = await turn.get_state(f"suggest:{field.name}")
    index = choice.removeprefix(PICK)
    if not shown:  # the offer is gone (state lost): the question is asked again
        return await reask(turn, field, "error.old_button", editing=editing)
    await turn.clear_state(f"suggest:{field.name}")
    if choice == KEEP:
        return await accept(turn, field, shown[0])
    if index.isdigit() and int(index) + 1 < len(shown):
        return await accept(turn, field, shown[int(index) + 1])
    return await reask(turn, field, "error.old_button", editing=editing)


async def _take_multi(turn: Turn, field: Field, choice: str | None, editing: bool) -> Outcome:
    ids = [oid for oid, _ in options_of(turn, field)]
    text = turn.t(field.prompt, **prompt_params(turn))
    back = (Option("summary", turn.t("option.back_to_summary")),) if editing else ()
    if choice == DONE:
        if await turn.get_state(f"multi:{field.name}") is None:
            # The half-made choice is gone (Redis flushed, or a restart without Redis): the
            # buttons pressed may show ticks no longer known. Show the choice again, as it is
            # now, rather than store less than the applicant ticked.
            return Outcome([await _multi_reply(turn, field, text, back)])
        chosen = set(await selection(turn, field))
        if len(chosen) < field.min_choices:
            return await reask(turn, field, "error.choose_at_least_one", editing=editing)
        await turn.clear_state(f"multi:{field.name}")
        return await accept(turn, field, [oid for oid in ids if oid in chosen])
    if choice and choice.startswith(FIXED):
        note = turn.t("note.mandatory_test")
        reply = await _multi_reply(turn, field, f"{note}\n\n{text}", back, redraw=True)
        return Outcome([reply])
    if choice not in ids:
        return await reask(turn, field, unexpected_message(field), editing=editing)
    chosen = await selection(turn, field)
    chosen = [c for c in chosen if c != choice] if choice in chosen else [*chosen, choice]
    await turn.set_state(f"multi:{field.name}", chosen)
    return Outcome([await _multi_reply(turn, field, text, back, redraw=True)])


async def _store(turn: Turn, field: Field, analysis: UploadAnalysis, benefit: str | None) -> int:
    assert turn.registration is not None and field.document is not None
    image = analysis.image
    assert image is not None  # only accepted uploads are stored
    key = await turn.services.filestore.put(image.jpeg_bytes)
    document = await add_document(
        turn.session,
        registration_id=turn.registration.id,
        kind=field.document,
        benefit_code=benefit,
        sha256=key,
        mime=image.mime,
        size=image.size,
        width=image.width,
        height=image.height,
        now=turn.now,
        check_results=analysis.check_results(),
        replaces_previous=benefit is None,
    )
    return document.id


async def _take_file(turn: Turn, field: Field, editing: bool) -> Outcome:
    assert field.document is not None and turn.event.file is not None
    # Decoding and the checks run in a worker thread (DESIGN.md principle 7).
    analysis = await analyse_upload(turn.event.file.data, kind=field.document.value)
    if not analysis.accepted:
        refusal = analysis.blocking[0]
        return await reask(turn, field, refusal.code, refusal.params, editing=editing)
    warnings = [turn.t(w.code, **w.params) for w in analysis.warnings]
    if field.kind is Kind.FILE:
        outcome = await accept(turn, field, await _store(turn, field, analysis, None))
        outcome.warnings = warnings
        return outcome
    category = benefit_categories_missing_documents(turn.answers)[0]
    document_id = await _store(turn, field, analysis, category)
    docs = dict(turn.answers.get("benefit_docs") or {})
    docs[category] = [*docs.get(category, []), document_id]
    update_answers(turn.registration, {"benefit_docs": docs})
    replies = await ask(turn, field)
    notes = [turn.t("note.benefit_received"), *warnings, replies[0].text]
    return Outcome([dataclasses.replace(replies[0], text="\n\n".join(notes)), *replies[1:]])


def with_photo_warnings(turn: Turn, field: Field, warnings: list[str], replies: list[Reply]):
    """Show a kept photo's warnings before the next question, offering to send it again."""
    if not warnings or not replies:
        return replies
    again = Option(f"edit:{field.name}", turn.t("option.photo_again"))
    first = dataclasses.replace(replies[0], text="\n\n".join([*warnings, replies[0].text]))
    replies = [first, *replies[1:]]
    last = replies[-1]
    replies[-1] = dataclasses.replace(last, options=(*last.options, again))
    return replies


async def _benefit_choice(turn: Turn, field: Field, choice: str) -> Outcome:
    answers = turn.answers
    if choice == BENEFIT_NONE:
        return await accept_value(turn, "has_benefits", False)
    category = benefit_categories_missing_documents(answers)[0]
    if not (answers.get("benefit_docs") or {}).get(category):
        return await reask(turn, field, "error.benefit_needs_document")
    done = [*(answers.get("benefit_done") or []), category]
    update_answers(turn.registration, {"benefit_done": done})
    if benefit_categories_missing_documents(turn.answers):
        return Outcome(await ask(turn, field))
    return Outcome([], accepted=True)


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
