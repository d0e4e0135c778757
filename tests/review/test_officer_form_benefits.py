"""Benefit documents on the officers' web form follow the chat's rule for closing a category.

A category is done when it has documents and was closed explicitly: the officer's upload of a
category's pages closes it, a document the applicant sent in the chat without saying "done"
does not, and a new choice of categories keeps only the closings of those still chosen.
"""

from __future__ import annotations

from aiohttp import FormData
from sqlalchemy import select

from storage.enums import DocumentKind, RegistrationStatus
from storage.models import Document, Registration
from tests.sample_photos import document_photo_jpeg
from tests.web.conftest import WebWorld, csrf_token, login


async def _save(client, grant_id: int, values: dict, files: dict[str, bytes]) -> str:  # type: ignore[no-untyped-def]
    token = await csrf_token(client, f"/fill/{grant_id}")
    form = FormData()
    form.add_field("csrf_token", token)
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            form.add_field(name, item)
    for name, data in files.items():
        form.add_field(name, data, filename="page.jpg", content_type="image/jpeg")
    form.add_field("action", "save")
    return await (await client.post(f"/fill/{grant_id}", data=form)).text()


async def _answers(database) -> dict:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        return dict((await s.scalar(select(Registration))).answers)


async def test_an_upload_closes_its_category_and_a_new_choice_keeps_the_others_closed(
    make_client, database, runtime, web_world: WebWorld
) -> None:
    needs_document = runtime.bot_texts.gettext("ky", "error.benefit_needs_document")
    client = await make_client()
    await login(client, web_world.teacher_a)
    grant = web_world.graduate_a
    claimed = {"has_benefits": "yes", "benefit_categories": ["orphan", "kairylman"]}
    page = await _save(
        client, grant.id, claimed, {"benefit_documents:orphan": document_photo_jpeg()}
    )
    assert needs_document in page  # the second category has no document yet
    assert runtime.bot_texts.gettext("ky", "summary.received_n", n=1) in page
    answers = await _answers(database)
    assert answers["benefit_done"] == ["orphan"] and len(answers["benefit_docs"]["orphan"]) == 1

    page = await _save(
        client, grant.id, claimed, {"benefit_documents:kairylman": document_photo_jpeg()}
    )
    assert needs_document not in page
    assert (await _answers(database))["benefit_done"] == ["orphan", "kairylman"]

    await _save(client, grant.id, {**claimed, "benefit_categories": ["kairylman"]}, {})
    answers = await _answers(database)
    assert answers["benefit_done"] == ["kairylman"] and list(answers["benefit_docs"]) == [
        "kairylman"
    ]
    async with database.session() as s:
        live = list(
            await s.scalars(
                select(Document.benefit_code).where(
                    Document.kind == DocumentKind.BENEFIT, Document.replaced_at.is_(None)
                )
            )
        )
    assert live == ["kairylman"]  # the withdrawn category's page is set aside


async def test_a_chat_document_not_closed_by_the_applicant_does_not_close_the_category(
    make_client, database, runtime, web_world: WebWorld
) -> None:
    needs_document = runtime.bot_texts.gettext("ky", "error.benefit_needs_document")
    client = await make_client()
    await login(client, web_world.teacher_a)
    grant = web_world.graduate_a
    await client.get(f"/fill/{grant.id}")  # opens the draft
    async with database.session() as s:
        draft = await s.scalar(select(Registration))
        assert draft.status is RegistrationStatus.DRAFT
        # The applicant chose one category in the chat and sent one page without "done".
        draft.answers = {
            "has_benefits": True,
            "benefit_categories": ["orphan"],
            "benefit_docs": {"orphan": [999]},
            "benefit_done": [],
        }
    page = await _save(client, grant.id, {"benefit_categories": ["orphan", "kairylman"]}, {})
    assert needs_document in page
    answers = await _answers(database)
    assert answers["benefit_done"] == [] and answers["benefit_docs"] == {"orphan": [999]}
