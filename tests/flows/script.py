"""A valid path through the form, to bring a test applicant to the step it is about.

The path is not written here: at each turn the draft says which question comes next
(`flows.form.next_missing`) and the applicant answers it from the table of sample answers
(`tests/form_samples.py`), so a new question of the form needs a row there, nothing here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from flows.form import Field, Kind, next_missing
from storage.models import LinkedChat, Registration
from tests.flows.conftest import APPLICANT_PHONE, ChatDriver
from tests.form_samples import BENEFIT_DONE, DONE, Samples, option_id

# More turns than the form has questions: a walk that does not end is a failing answer.
MAX_TURNS = 60


async def start(chat: ChatDriver, lang: str = "ru") -> None:
    await chat.command("start")
    await chat.choose(f"lang:{lang}")
    if chat.verified_phone is None:
        await chat.contact(APPLICANT_PHONE)


async def draft(chat: ChatDriver) -> dict[str, Any]:
    """The answers of the registration this chat is linked to."""
    assert chat.database is not None, "a ChatDriver(..., database=database) walks the form"
    async with chat.database.session() as s:
        registration = await s.scalar(
            select(Registration)
            .join(LinkedChat, LinkedChat.grant_id == Registration.grant_id)
            .where(LinkedChat.channel == chat.key.channel, LinkedChat.chat_id == chat.key.chat_id)
        )
    assert registration is not None, "the chat has no registration yet: start() first"
    return dict(registration.answers)


async def answer(
    chat: ChatDriver, question: Field, samples: Samples, photos: dict[str, bytes]
) -> None:
    """Answer `question` as the table says."""
    sample = samples[question.name]
    if sample.how == "text":
        await chat.text(sample.value)
    elif sample.how == "choose":
        await chat.choose(option_id(question, sample.value))
    elif sample.how == "toggle":
        for value in sample.values:
            await chat.choose(option_id(question, value))
        await chat.choose(option_id(question, DONE))
    elif sample.how == "photo":
        await chat.photo(photos[sample.value])
    else:  # one document for the pending benefit category, which it then closes
        assert question.kind is Kind.BENEFIT_FILES, question.name
        await chat.photo(photos[sample.value])
        await chat.choose(option_id(question, BENEFIT_DONE))


async def advance(
    chat: ChatDriver,
    photos: dict[str, bytes],
    *,
    until: str | None = None,
    begin: str = "",
    samples: Samples | None = None,
) -> None:
    """Answer the form up to, not including, field `until` (None: to the end of the form).

    `begin`: the question the draft must be at now (the walk goes on from a test's detour).
    """
    samples = samples or Samples()
    asked: list[str] = []
    for _ in range(MAX_TURNS):
        question = next_missing(await draft(chat))
        if begin and not asked:
            assert question is not None and question.name == begin, (begin, question, chat.said)
        if question is None or question.name == until:
            assert question is not None or until is None, f"{until} never asked after {asked}"
            return
        if asked[-1:] == [question.name] and question.kind is not Kind.BENEFIT_FILES:
            raise AssertionError(f"{question.name}: the sample was refused:\n{chat.said}")
        asked.append(question.name)
        await answer(chat, question, samples, photos)
    raise AssertionError(f"the form did not end: {asked}")
