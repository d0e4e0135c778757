"""Officers' chats at the flow level: a WhatsApp sender that is an officer's phone is linked to
the officer; the prompt composed for that chat carries numbered-ready options and a web link.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.turns import TurnRunner
from flows.events import ChatKey, Event
from flows.notifications import ReviewPrompt
from flows.replies import Reply
from office.chat_review import ReviewFlow
from office.chat_router import ChatRouter
from office.outbound import NoticeComposer
from storage.enums import Channel, RegistrationStatus
from storage.models import LinkedChat, Registration
from tests.review.conftest import ReviewWorld


class Applicants:
    """Stands in for the registration flow: records what reached it."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def respond(self, session: object, key: ChatKey, event: Event) -> list[Reply]:
        self.events.append(event)
        return [Reply("registration")]

    async def resume(self, session: object, key: ChatKey, event: Event) -> list[Reply]:
        return [Reply("registration")]


def runner(database, state, texts, registration, review: ReviewFlow) -> TurnRunner:
    router = ChatRouter(registration=registration, review=review)
    return TurnRunner(conversation=router, database=database, state=state, translator=texts)


async def test_whatsapp_officer_is_linked_prompted_and_approves(
    database, state, campaign, runtime, review_world: ReviewWorld
) -> None:
    texts = runtime.bot_texts
    coordinator = review_world.web.coordinator_a
    applicants = Applicants()
    review = ReviewFlow(state=state, campaign=campaign, translator=texts)
    router = runner(database, state, texts, applicants, review)
    key = ChatKey(Channel.WHATSAPP, f"whatsapp:{coordinator.phone}")

    hello = await router.handle(
        key, Event(kind="text", text="салам", verified_phone=coordinator.phone)
    )
    assert hello[0].text == texts.gettext("ky", "review.linked", name=coordinator.full_name)
    assert applicants.events == []
    # An applicant's number is not an officer's: the registration conversation answers.
    stranger = ChatKey(Channel.WHATSAPP, "whatsapp:+996700999888")
    await router.handle(stranger, Event(kind="text", text="салам", verified_phone="+996700999888"))
    assert len(applicants.events) == 1

    async with database.session() as session:
        chat = await session.scalar(select(LinkedChat).where(LinkedChat.chat_id == key.chat_id))
        prompt = await NoticeComposer(texts=texts, campaign=campaign).compose(
            session, ReviewPrompt(review_world.mzhb_entry.id)
        )
    assert chat.officer_id == coordinator.id
    [message] = prompt  # the district's coordinator: the МЖБ entry is theirs
    assert message.chat_id == key.chat_id and len(message.photos) == 4
    assert message.detail_path == f"/review/{review_world.mzhb_entry.id}"
    approve, reject = (o.id for o in message.reply.options)

    await router.handle(key, Event(kind="choice", choice=reject, verified_phone=coordinator.phone))
    await router.handle(
        key, Event(kind="choice", choice="rv:stop", verified_phone=coordinator.phone)
    )
    done = await router.handle(
        key, Event(kind="choice", choice=approve, verified_phone=coordinator.phone)
    )
    name = review_world.web.mzhb_a.full_name
    assert done[0].text == texts.gettext("ky", "review.approved_done", name=name)
    async with database.session() as session:
        entry = await session.get(Registration, review_world.mzhb_entry.id)
    assert entry.status is RegistrationStatus.APPROVED
    # Pressed again (a stale button): told it is decided, nothing changes.
    again = await router.handle(
        key, Event(kind="choice", choice=approve, verified_phone=coordinator.phone)
    )
    assert again[0].text == texts.gettext("ky", "review.error.not_submitted")


async def test_another_districts_officer_cannot_decide_in_chat(
    database, state, campaign, runtime, review_world: ReviewWorld
) -> None:
    texts = runtime.bot_texts
    outsider = review_world.web.coordinator_b
    review = ReviewFlow(state=state, campaign=campaign, translator=texts)
    router = runner(database, state, texts, Applicants(), review)
    key = ChatKey(Channel.WHATSAPP, f"whatsapp:{outsider.phone}")
    await router.handle(key, Event(kind="text", text="салам", verified_phone=outsider.phone))
    choice = f"rv:ok:{review_world.mzhb_entry.id}"
    refused = await router.handle(
        key, Event(kind="choice", choice=choice, verified_phone=outsider.phone)
    )
    assert refused[0].text == texts.gettext("ky", "review.error.not_found")
    async with database.session() as session:
        entry = await session.get(Registration, review_world.mzhb_entry.id)
    assert entry.status is RegistrationStatus.SUBMITTED
