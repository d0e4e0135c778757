"""Transient state lost mid-choice (Redis flushed, or a restart without Redis): "Done" never
stores fewer subjects than the applicant saw ticked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.turns import TurnRunner
from core.texts import conversation_texts
from flows.engine import RegistrationFlow
from flows.events import ChatKey, Event
from flows.turn import chat_state_key
from storage.enums import Channel
from storage.models import Registration
from tests.robustness.applicants import add_applicants
from tests.robustness.test_properties import GOOD_PATH


def _runner(database, state, filestore, campaign, secret_box) -> TurnRunner:
    """The registration behind the turn runner every channel uses."""
    texts = conversation_texts()
    return TurnRunner(
        conversation=RegistrationFlow(
            state=state,
            filestore=filestore,
            campaign=campaign,
            translator=texts,
            secret_box=secret_box,
            clock=lambda: datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        ),
        database=database,
        state=state,
        translator=texts,
    )


async def test_done_after_the_ticks_were_lost_shows_the_choice_again(
    database, state, filestore, campaign, secret_box
) -> None:
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    texts = conversation_texts()
    flow = _runner(database, state, filestore, campaign, secret_box)
    key = ChatKey(Channel.TELEGRAM, "77001")
    opening = [
        Event(kind="command", command="start"),
        Event(kind="choice", choice="lang:ru"),
        Event(kind="contact", phone=granted.phone),
        *GOOD_PATH[:8],  # up to the subjects
        Event(kind="choice", choice="subjects:chemistry"),
    ]
    for event in opening:
        replies = await flow.handle(key, event)
    ticked = [o.id for o in replies[-1].options if o.selected]
    assert "subjects:chemistry" in ticked

    await state.flush()
    replies = await flow.handle(key, Event(kind="choice", choice="subjects:done"))

    assert texts.gettext("ru", "ask.subjects")[:30] in replies[-1].text
    assert not [o.id for o in replies[-1].options if o.selected and o.id == "subjects:chemistry"]
    async with database.session() as session:
        answers = (await session.scalar(select(Registration))).answers
    assert "subjects" not in answers  # not stored as "none"
    await flow.handle(key, Event(kind="choice", choice="subjects:chemistry"))
    await flow.handle(key, Event(kind="choice", choice="subjects:done"))
    async with database.session() as session:
        answers = (await session.scalar(select(Registration))).answers
    assert answers["subjects"] == ["chemistry"]


async def test_a_tick_is_stored_before_the_reply_that_shows_it_goes_out(
    database, state, filestore, campaign, secret_box
) -> None:
    # A process killed after showing the tick but before the end of its hold must not leave
    # the half-made choice as it was before the tick: "Done" would then store it without.
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    flow = _runner(database, state, filestore, campaign, secret_box)
    key = ChatKey(Channel.TELEGRAM, "77002")
    opening = [
        Event(kind="command", command="start"),
        Event(kind="choice", choice="lang:ru"),
        Event(kind="contact", phone=granted.phone),
        *GOOD_PATH[:8],  # up to the subjects
    ]
    for event in opening:
        await flow.handle(key, event)

    async with flow.hold(key):
        turn = await flow.run(key, [Event(kind="choice", choice="subjects:chemistry")])
        ticked = [o.id for o in turn[-1].options if o.selected]
        assert "subjects:chemistry" in ticked
        # The reply is about to be sent; the hold has not ended. What the store holds now:
        stored = await state.get_map(chat_state_key(key))
    assert json.loads(stored["multi:subjects"]) == ["chemistry"]
