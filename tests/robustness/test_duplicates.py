"""Duplicates: an update delivered twice is applied once, across replicas and restarts (the
applicant is shown the current question again), and an update whose handling died half-way is
handled when Telegram delivers it again.
"""

from __future__ import annotations

import asyncio

from telegram.conftest import StartChannel
from telegram.scripted_flow import ScriptedFlow

from bot.telegram import WEBHOOK_PATH
from flows.events import ChatKey, Event
from flows.replies import Reply
from storage.state import StateStore


async def post(harness, update: dict) -> int:
    """Deliver `update` as Telegram does and return the status it was answered with."""
    response = await harness.client.post(
        WEBHOOK_PATH,
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": harness.channel.secret},
    )
    return response.status


async def test_an_update_redelivered_to_another_replica_is_handled_once(
    start_channel: StartChannel, state: StateStore
) -> None:
    flow = ScriptedFlow()
    one = await start_channel(flow, "webhook")
    two = await start_channel(flow, "webhook")  # a second process on the same state store
    user = one.user()
    update = await user.send_text("Сокулук")
    assert await post(two, update) == 200
    await two.channel.wait_idle()
    assert [e.text for e in flow.of(user.chat_id)] == ["Сокулук"]
    # Not applied again: the applicant is shown what they are being asked now.
    assert user.api.texts_to(user.chat_id) == ["Жооп: Сокулук", "Жооп: Сокулук"]


class ReachedFlow(ScriptedFlow):
    """Says when the first event has reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.reached = asyncio.Event()

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        self.reached.set()
        return await super().handle(key, event)


async def test_a_redelivery_while_the_first_is_still_handled_waits_and_is_not_applied(
    start_channel: StartChannel,
) -> None:
    flow = ReachedFlow()
    flow.gate = asyncio.Event()  # the first delivery's file waits here
    one = await start_channel(flow, "webhook")
    two = await start_channel(flow, "webhook")
    user = one.user()
    file_id, unique = user.api.add_file(b"\xff\xd8\xff-photo")
    update = {
        "update_id": user.api.new_update_id(),
        "message": user._message(
            photo=[{"file_id": file_id, "file_unique_id": unique, "width": 9, "height": 9}]
        ),
    }
    first = asyncio.create_task(post(one, update))
    await flow.reached.wait()
    # Telegram lost patience and sent it again, to the other replica: it waits for the chat.
    second = asyncio.create_task(post(two, update))
    await asyncio.sleep(0.2)
    assert not second.done()
    flow.gate.set()
    assert await first == 200
    assert await second == 200
    await two.channel.wait_idle()
    assert len(flow.of(user.chat_id)) == 1
    [key] = flow.resumed  # the second delivery was answered with the current question
    assert key.chat_id == str(user.chat_id)


class CrashingFlow(ScriptedFlow):
    """Dies mid-turn on the first "crash" it sees, as a killed process would."""

    crashed = False

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        if event.text == "crash" and not self.crashed:
            self.crashed = True
            raise asyncio.CancelledError
        return await super().handle(key, event)


async def test_an_update_whose_turn_died_is_handled_when_delivered_again(
    start_channel: StartChannel,
) -> None:
    flow = CrashingFlow()
    harness = await start_channel(flow, "webhook")
    user = harness.user()
    update = {"update_id": user.api.new_update_id(), "message": user._message(text="crash")}
    assert await post(harness, update) == 200  # the turn was cancelled, not the server
    await harness.channel.wait_idle()
    assert user.api.texts_to(user.chat_id) == []

    assert await post(harness, update) == 200
    await harness.channel.wait_idle()
    assert user.api.texts_to(user.chat_id) == ["Жооп: crash"]


async def test_a_chat_held_by_a_killed_process_holds_the_update_back_until_it_expires(
    start_channel: StartChannel, state: StateStore
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, "webhook")
    user = harness.user()
    update = {"update_id": user.api.new_update_id(), "message": user._message(text="Ош")}
    # What a SIGKILL leaves: the chat's lock in the state store, until it expires.
    held, expired = asyncio.Event(), asyncio.Event()

    async def killed_holder() -> None:
        async with state.lock(f"chat:telegram:{user.chat_id}", expires_after=20):
            held.set()
            await expired.wait()

    holder = asyncio.create_task(killed_holder())
    await held.wait()
    delivery = asyncio.create_task(post(harness, update))
    await asyncio.sleep(0.2)
    assert flow.of(user.chat_id) == []
    expired.set()  # the lock's time ran out
    await holder
    assert await delivery == 200
    await harness.channel.wait_idle()
    assert [e.text for e in flow.of(user.chat_id)] == ["Ош"]


async def test_handled_updates_stay_known_after_a_restart(
    start_channel: StartChannel, state: StateStore
) -> None:
    """The delivery is recorded in the database with the turn, not in the process."""
    flow = ScriptedFlow()
    first = await start_channel(flow, "webhook")
    user = first.user()
    update = await user.send_text("Талас")
    await first.close()
    second = await start_channel(flow, "webhook")
    assert await post(second, update) == 200
    await second.channel.wait_idle()
    assert len(flow.of(user.chat_id)) == 1


async def test_an_answer_redelivered_after_its_mark_was_lost_is_not_applied_twice(
    start_app, database, secret_box, campaign, fake_api
) -> None:
    """The process died after storing the answer (and the state store was lost too): the
    update id stored with the answer stops a second turn.
    """
    from core.texts import conversation_texts
    from tests.robustness.applicants import add_applicants
    from tests.robustness.walker import Walker

    harness = await start_app("webhook")
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    # Stop at the passport question, to answer it by hand.
    walker = Walker(
        fake_api, harness.deliver, granted, texts=conversation_texts(), user_id=42, until="passport"
    )
    await walker.run()
    passport = walker.answers["passport"].value
    update = await walker.user.send_text(passport)
    # The question after it, in one message with its step's introduction.
    asked = walker.user.api.texts_to(walker.user.chat_id)[-1]

    await harness.runtime.state.flush()
    assert await post(harness, update) == 200
    await harness.channel.wait_idle()
    # The applicant sees the current question again (without the step's introduction).
    again = walker.user.api.texts_to(walker.user.chat_id)[-1]
    assert again and asked.endswith(again), (asked, again)

    from sqlalchemy import select

    from storage.models import Registration

    async with database.session() as session:
        answers = (await session.scalar(select(Registration))).answers
    assert answers["passport"] == passport
    assert "city" not in answers  # the passport number was not taken as the city
