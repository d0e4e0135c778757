"""Crashes on WhatsApp: `ortbot serve` killed with SIGKILL while applicants are mid-form.

Twilio's side is played by the test (`whatsapp_serving`): webhooks signed as Twilio signs them,
each MessageSid posted again until answered 2xx, and the server's REST calls answered by a fake
Twilio API that records what each phone receives. Every applicant still completes the text part
of the form with exactly the answers they gave, none applied twice, and the process's log holds
none of their private data, at the production log level and at DEBUG.

A repeated MessageSid after a crash (the server died after the commit, before Twilio got its
200) is not applied again, and the applicant is shown the current question.

A message Twilio was answered for before its turn committed (a media download slower than the
webhook's 10 s, a chat still held) is not lost when the server dies before that commit: the
next start applies it, before the applicant's next message.

20 applicants, two kills and a state flush by default; ORTBOT_SOAK=1 runs 60 and five kills.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select
from whatsapp.conftest import ACCOUNT_SID, AUTH_TOKEN, document_jpeg

from config.campaign import Campaign, load_campaign
from config.settings import PROJECT_ROOT
from core.texts import conversation_texts
from flows.form import FORM
from storage.database import Database
from storage.enums import DocumentKind, MessageDirection
from storage.models import ChannelMessage, Document, ParkedMessage, Registration
from storage.state.redis import RedisStateStore
from tests.conftest import TEST_REDIS_URL, TEST_SECRET_KEY
from tests.robustness.applicants import add_applicants
from tests.robustness.serving import ServerProcess
from tests.robustness.whatsapp_serving import ObservedTwilioApi, TwilioDelivery, whatsapp_env
from tests.robustness.whatsapp_walker import (
    LANGUAGE_QUESTION,
    PLACE_PICK,
    WhatsAppWalker,
    Wording,
)

SOAK = os.environ.get("ORTBOT_SOAK") == "1"
APPLICANTS, KILLS = (60, 5) if SOAK else (20, 2)
SEED = 20261203
# A Redis database of its own for the server processes (their keys use the default prefix);
# the Telegram crash test uses 11.
WA_CRASH_REDIS_DB = 12
DEMO_CAMPAIGN = PROJECT_ROOT / "campaigns" / "demo.toml"
# Each start of the server logs at another level and format: production's, then DEBUG.
LOGGING = [("INFO", "text"), ("DEBUG", "json"), ("DEBUG", "text")]


def redis_url() -> str:
    assert TEST_REDIS_URL
    return TEST_REDIS_URL.rsplit("/", 1)[0] + f"/{WA_CRASH_REDIS_DB}"


async def flush_server_state() -> None:
    if TEST_REDIS_URL:
        store = RedisStateStore.from_url(redis_url())
        await store.flush()
        await store.close()


@pytest.fixture
async def server_state():
    await flush_server_state()
    yield
    await flush_server_state()


class Server(ServerProcess):
    """`ortbot serve` with WhatsApp only; each start logs at the next of `LOGGING`."""

    async def start(self) -> None:
        level, fmt = LOGGING[min(self.starts, len(LOGGING) - 1)]
        self.env.update(LOG_LEVEL=level, LOG_FORMAT=fmt)
        await super().start()


def server(database_url: str, twilio: ObservedTwilioApi, tmp_path: Path) -> Server:
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "MEDIA_DIR": str(tmp_path / "media"),
        "CAMPAIGN": str(DEMO_CAMPAIGN),
        "ORTBOT_ENV": "development",
        **whatsapp_env(twilio),
    }
    if TEST_REDIS_URL:
        env["REDIS_URL"] = redis_url()
    return Server(env, log_path=tmp_path / "serve.log")


@pytest.fixture
def demo_campaign() -> Campaign:
    return load_campaign(DEMO_CAMPAIGN)


async def stored_answers(database: Database) -> dict[int, dict]:
    async with database.session() as session:
        rows = await session.scalars(select(Registration))
        return {row.grant_id: dict(row.answers) for row in rows}


def private_values(walkers: list[WhatsAppWalker]) -> list[str]:
    values = []
    for walker in walkers:
        values += [walker.samples["pin"].value, walker.samples["passport"].value]
        values += [walker.granted.phone, walker.granted.phone.removeprefix("+")]
        values += [walker.granted.phone.removeprefix("+996"), walker.granted.code]
    return values


def form_order() -> dict[str, float]:
    order: dict[str, float] = {LANGUAGE_QUESTION: -1}
    for index, field in enumerate(FORM):
        order[field.name] = index
        if field.name == "city":
            order[PLACE_PICK] = index + 0.5
    return order


def questions_seen(walker: WhatsAppWalker) -> list[str]:
    """The question each message to the applicant ended with, repeats of one question merged."""
    seen: list[str] = []
    for body in walker.inbox():
        asked = walker.words.asked(body)
        if asked is not None and (not seen or seen[-1] != asked):
            seen.append(asked)
    return seen


def assert_never_went_back(walker: WhatsAppWalker) -> None:
    """No step of the form was shown again after a later one: no answer was taken twice."""
    order = form_order()
    ranks = [order[q] for q in questions_seen(walker)]
    assert ranks == sorted(ranks), (walker.granted.number, questions_seen(walker))


async def test_whatsapp_applicants_complete_through_kills_and_a_state_flush(
    database: Database,
    database_url,
    secret_box,
    campaign,
    demo_campaign,
    observed_twilio,
    tmp_path,
    server_state,
) -> None:
    twilio = observed_twilio
    granted = await add_applicants(database, secret_box, APPLICANTS, campaign_year=campaign.year)
    process = server(database_url, twilio, tmp_path)
    await process.start()
    rng = random.Random(SEED)
    wording = Wording(conversation_texts(), demo_campaign)
    try:
        async with TwilioDelivery([process]) as deliver:
            walkers = [
                WhatsAppWalker(twilio, deliver, process, g, wording=wording) for g in granted
            ]
            total = 14 * len(walkers)  # about the messages the text part takes
            moments = sorted(rng.sample(range(total // 10, total * 8 // 10), KILLS + 1))
            kill_at, flush_at = moments[:KILLS], moments[KILLS]

            async def faults() -> None:
                for moment in sorted([*kill_at, flush_at]):
                    await deliver.wait_delivered(moment)
                    if moment == flush_at:
                        await flush_server_state()  # Redis lost (in memory: the restart is)
                        continue
                    process.kill()
                    await process.start()

            runs = [asyncio.create_task(w.run()) for w in walkers]
            fault_task = asyncio.create_task(faults())
            await asyncio.gather(*runs)
            fault_task.cancel()
    finally:
        process.stop()

    assert process.starts >= 2  # it really was killed mid-form
    lost, stale = sum(w.log.lost for w in walkers), sum(w.log.stale for w in walkers)
    print(f"answers repeated on request: {sum(w.log.repeated for w in walkers)}")
    print(f"{deliver.delivered} messages, {deliver.attempts} posts, {lost} lost, {stale} stale")
    stored = await stored_answers(database)
    for walker in walkers:
        answers = stored[walker.granted.grant_id]
        mine = {key: answers.get(key) for key in walker.stored()}
        assert mine == walker.stored(), walker.granted.number
        assert_never_went_back(walker)
    log = process.log_path.read_text()
    assert '"level": "DEBUG"' in log and " INFO " in log  # both levels were really in force
    for value in private_values(walkers):
        assert value not in log


class HoldingTwilioApi(ObservedTwilioApi):
    """The fake Twilio API, able to hold a message to one number unanswered and unsent."""

    held_to: str | None = None
    holding: asyncio.Event | None = None  # set once a message is held
    released: asyncio.Event | None = None  # then it is refused (its sender is gone by then)

    async def _create_message(self, request: web.Request) -> web.Response:
        if self.held_to is not None and self.holding and self.released:
            form = await request.post()
            if form.get("To") == self.held_to:
                self.held_to = None
                self.holding.set()
                await self.released.wait()
                return web.Response(status=503)
        return await super()._create_message(request)


@pytest.fixture
async def observed_twilio():
    async with ObservedTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
async def holding_twilio():
    async with HoldingTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.mark.parametrize("killed", ["while_sending_the_reply", "after_sending_the_reply"])
async def test_a_message_sid_posted_again_after_a_crash_is_not_applied_twice(
    database: Database,
    database_url,
    secret_box,
    campaign,
    demo_campaign,
    holding_twilio,
    tmp_path,
    server_state,
    killed,
) -> None:
    """The server committed the passport number and died before Twilio got its 200: Twilio
    posts the same MessageSid again. The answer is not taken again (not as the city either),
    and the applicant is shown the question now asked, the city.
    """
    twilio = holding_twilio
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    process = server(database_url, twilio, tmp_path)
    await process.start()
    wording = Wording(conversation_texts(), demo_campaign)
    try:
        async with TwilioDelivery([process]) as deliver:
            walker = WhatsAppWalker(twilio, deliver, process, granted, wording=wording)
            walker.stop_at = "passport"
            await walker.run()
            assert wording.asked(walker.inbox()[-1]) == "passport"
            before = len(walker.inbox())
            passport = walker.samples["passport"].value
            form = deliver.form(granted.phone, passport, f"SM{uuid.uuid4().hex}")

            if killed == "while_sending_the_reply":
                twilio.held_to = walker.address
                twilio.holding, twilio.released = asyncio.Event(), asyncio.Event()
                # Answered 200, but Twilio never got it: the connection died with the process.
                assert await deliver.attempt(process, form) == 200
                await asyncio.wait_for(twilio.holding.wait(), timeout=30)
            else:
                assert await deliver.attempt(process, form) == 200
                await walker.wait_for_messages(before + 1)
            process.kill()
            if twilio.released is not None:
                twilio.released.set()
            await process.start()
            shown = len(walker.inbox())
            assert await deliver.attempt(process, form) == 200  # Twilio's retry
            await walker.wait_for_messages(shown + 1)
            assert wording.asked(walker.inbox()[-1]) == "city"
            assert len(walker.inbox()) == shown + 1  # shown once, not once per attempt

            async with database.session() as session:
                answers = (await session.scalar(select(Registration))).answers
            assert answers["passport"] == passport
            assert "city" not in answers  # the passport number was not taken as the city

            walker.stop_at = "street"
            await walker.run()  # and the form goes on from there
    finally:
        process.stop()
    answers = (await stored_answers(database))[granted.grant_id]
    assert (answers["passport"], answers["city"]) == (passport, walker.samples["city"].value)
    assert_never_went_back(walker)


class SlowMediaTwilioApi(ObservedTwilioApi):
    """The fake Twilio API, able to keep a media download unanswered until released."""

    hold_media: asyncio.Event | None = None  # while set and not yet released: downloads hang
    fetching: asyncio.Event | None = None  # set once a held download began

    async def _get_media(self, request: web.Request) -> web.StreamResponse:
        if self.hold_media is not None and self.fetching is not None:
            self.fetching.set()
            await self.hold_media.wait()
        return await super()._get_media(request)


@pytest.fixture
async def slow_media_twilio():
    async with SlowMediaTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


async def documents_of(database: Database, kind: DocumentKind) -> list[Document]:
    async with database.session() as session:
        return list(await session.scalars(select(Document).where(Document.kind == kind)))


async def inbound_with(database: Database, sid: str) -> list[ChannelMessage]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(ChannelMessage).where(
                    ChannelMessage.direction == MessageDirection.INBOUND,
                    ChannelMessage.provider_sid == sid,
                )
            )
        )


async def test_a_photo_answered_before_its_commit_is_applied_once_after_the_server_was_killed(
    database: Database,
    database_url,
    secret_box,
    campaign,
    demo_campaign,
    slow_media_twilio,
    tmp_path,
    server_state,
) -> None:
    """The passport photo's download outlasts the 10 s Twilio waits for the webhook: the
    server answers 200 with the turn still running, and is killed before the turn commits.
    Twilio will not post it again; the next start of the server applies it, once, and the
    applicant gets its answer. Twilio's own retry of that MessageSid changes nothing.
    """
    twilio = slow_media_twilio
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    process = server(database_url, twilio, tmp_path)
    await process.start()
    wording = Wording(conversation_texts(), demo_campaign)
    try:
        async with TwilioDelivery([process]) as deliver:
            walker = WhatsAppWalker(twilio, deliver, process, granted, wording=wording)
            await walker.run()  # the text part: up to the passport photo
            assert wording.asked(walker.inbox()[-1]) == "passport_front"
            sid = f"MM{uuid.uuid4().hex}"
            url = twilio.add_media(document_jpeg(), "image/jpeg", message_sid=sid)
            form = {
                **deliver.form(granted.phone, "", sid),
                "NumMedia": "1",
                "MediaUrl0": url,
                "MediaContentType0": "image/jpeg",
            }
            twilio.hold_media, twilio.fetching = asyncio.Event(), asyncio.Event()
            before = len(walker.inbox())

            assert await deliver.attempt(process, form) == 200  # before the turn committed
            assert twilio.fetching.is_set()  # the turn was still downloading the photo
            process.kill()
            twilio.hold_media.set()
            assert await documents_of(database, DocumentKind.PASSPORT_FRONT) == []

            await process.start()
            # The dead server's lease on the message runs out, and the new one applies it.
            await walker.wait_for_messages(before + 1, within=90)
            assert wording.asked(walker.inbox()[-1]) != "passport_front"
            assert len(walker.inbox()) == before + 1

            assert await deliver.attempt(process, form) == 200  # Twilio's retry, all the same
            await asyncio.sleep(2)
            assert len(walker.inbox()) <= before + 2  # at most the current question again
    finally:
        process.stop()

    assert len(await documents_of(database, DocumentKind.PASSPORT_FRONT)) == 1
    assert len(await inbound_with(database, sid)) == 1
    async with database.session() as session:
        assert list(await session.scalars(select(ParkedMessage))) == []
    assert twilio.media_exists(url) is False  # deleted at Twilio once read
    log = process.log_path.read_text()
    for value in private_values([walker]):
        assert value not in log


@pytest.mark.skipif(not TEST_REDIS_URL, reason="a chat held across processes needs Redis")
async def test_an_answer_parked_behind_a_held_chat_goes_before_the_next_message_after_a_kill(
    database: Database,
    database_url,
    secret_box,
    campaign,
    demo_campaign,
    observed_twilio,
    tmp_path,
    server_state,
) -> None:
    """The chat is held (as by a replica killed mid-turn, until its lock expires): the
    passport number waits, is answered 200 after 10 s and parked, and the server is killed.
    The applicant, having no reply, types "start" to the next start of the server: the
    passport number is applied first, as the passport number, and "start" after it.
    """
    twilio = observed_twilio
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    process = server(database_url, twilio, tmp_path)
    await process.start()
    wording = Wording(conversation_texts(), demo_campaign)
    store = RedisStateStore.from_url(redis_url())
    try:
        async with TwilioDelivery([process]) as deliver:
            walker = WhatsAppWalker(twilio, deliver, process, granted, wording=wording)
            walker.stop_at = "passport"
            await walker.run()
            before = len(walker.inbox())
            passport = walker.samples["passport"].value
            form = deliver.form(granted.phone, passport, f"SM{uuid.uuid4().hex}")

            async with store.lock(f"chat:whatsapp:{walker.address}", expires_after=60):
                assert await deliver.attempt(process, form) == 200  # the chat still held
                assert len(walker.inbox()) == before  # not applied: answered before that
                process.kill()
            await process.start()
            again = deliver.form(granted.phone, "start", f"SM{uuid.uuid4().hex}")
            assert await deliver.attempt(process, again) == 200
            await walker.wait_for_messages(before + 2, within=90)

            first, second = walker.inbox()[before:]
            assert wording.asked(first) == "city"  # the passport number was taken
            assert wording.restarted in second and wording.asked(second) == "city"
    finally:
        process.stop()
        await store.close()
    answers = (await stored_answers(database))[granted.grant_id]
    assert answers["passport"] == passport
    assert "city" not in answers
    async with database.session() as session:
        assert list(await session.scalars(select(ParkedMessage))) == []
