"""A photo's warnings say what is wrong (blurred, background, tilt…) wherever an officer meets
them: the review page, the chat prompt and the officer-filled form before it is submitted.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.turns import TurnRunner
from flows.events import ChatKey, Event
from flows.notifications import ReviewPrompt
from flows.photos import Code, photo_messages
from office.chat_review import ReviewFlow
from office.chat_router import ChatRouter
from office.outbound import NoticeComposer
from storage.enums import Channel, DocumentKind, RegistrationStatus
from storage.models import Document
from tests.factories import make_grant
from tests.review.conftest import ReviewWorld, add_entry
from tests.review.test_chat_router import Applicants
from tests.web.conftest import login

BLURRED = {"code": Code.BLURRED, "severity": "warning", "params": {}}
TILTED = {"code": Code.FACE_TILTED, "severity": "warning", "params": {"degrees": 12}}


async def _warn(database, registration_id: int) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        face = await s.scalar(
            select(Document).where(
                Document.registration_id == registration_id, Document.kind == DocumentKind.FACE
            )
        )
        face.check_results = [BLURRED, TILTED]


def _sentence(code: str, lang: str, **params) -> str:  # type: ignore[no-untyped-def]
    return photo_messages().gettext(lang, code, **params)


async def test_the_review_page_and_the_chat_prompt_name_the_warning(
    make_client, database, state, campaign, runtime, review_world: ReviewWorld
) -> None:
    entry = review_world.mzhb_entry
    await _warn(database, entry.id)
    client = await make_client()
    await login(client, review_world.web.coordinator_a)
    page = await (await client.get(f"/review/{entry.id}")).text()
    assert _sentence(Code.BLURRED, "ky") in page
    assert _sentence(Code.FACE_TILTED, "ky", degrees=12) in page
    assert "Эскертүү бар" not in page

    texts = runtime.bot_texts
    coordinator = review_world.web.coordinator_a
    review = ReviewFlow(state=state, campaign=campaign, translator=texts)
    router = TurnRunner(
        conversation=ChatRouter(registration=Applicants(), review=review),
        database=database,
        state=state,
        translator=texts,
    )
    key = ChatKey(Channel.WHATSAPP, f"whatsapp:{coordinator.phone}")
    await router.handle(key, Event(kind="text", text="салам", verified_phone=coordinator.phone))
    async with database.session() as session:
        [message] = await NoticeComposer(texts=texts, campaign=campaign).compose(
            session, ReviewPrompt(entry.id)
        )
    assert _sentence(Code.BLURRED, "ky") in message.reply.text
    assert _sentence(Code.FACE_TILTED, "ky", degrees=12) in message.reply.text


async def test_the_officer_filled_form_shows_the_warnings_before_submitting(
    make_client, database, filestore, secret_box, review_world: ReviewWorld
) -> None:
    web = review_world.web
    async with database.session() as s:
        grant = await make_grant(
            s, school=web.school_a, granted_by=web.teacher_a, secret_box=secret_box
        )
    draft = await add_entry(database, filestore, grant, status=RegistrationStatus.DRAFT)
    await _warn(database, draft.id)
    client = await make_client()
    await login(client, web.teacher_a)
    page = await (await client.get(f"/fill/{draft.grant_id}")).text()
    assert 'data-testid="photo-warnings"' in page
    assert _sentence(Code.BLURRED, "ky") in page
