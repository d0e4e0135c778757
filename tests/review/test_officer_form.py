"""An officer fills the form for an applicant in the web: same validators, same photo checks."""

from __future__ import annotations

from aiohttp import FormData
from sqlalchemy import select

from storage.enums import Channel, DocumentKind, RegistrationStatus
from storage.models import Document, Registration, RegistrationEvent
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg, grey_face_photo_jpeg
from tests.web.conftest import WebWorld, csrf_token, login


def _form(token: str, values: dict[str, str | list[str]], files: dict[str, bytes]) -> FormData:
    form = FormData()
    form.add_field("csrf_token", token)
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            form.add_field(name, item)
    for name, data in files.items():
        form.add_field(name, data, filename=f"{name}.jpg", content_type="image/jpeg")
    return form


async def test_officer_fills_and_submits_with_the_bots_validators(
    make_client, database, runtime, web_world: WebWorld
) -> None:
    texts = runtime.bot_texts
    client = await make_client()
    await login(client, web_world.teacher_a)
    grant = web_world.graduate_a
    page = await (await client.get(f"/fill/{grant.id}")).text()
    assert grant.full_name in page and 'name="pin"' in page
    token = await csrf_token(client, f"/fill/{grant.id}")
    values = {
        "is_student": "no",
        "pin": "2 05092007 12345",
        "personal_confirm": "yes",
        "passport": "I-АН 123456",  # a birth certificate: refused, as in the bot
        "city": "Сокулук району",
        "village": "Сокулук айылы",
        "street": "Ленин көчөсү, 12",
        "subjects": ["math", "physics"],
        "test_language": "ru",
        "has_benefits": "no",
        "action": "submit",
    }
    files = {
        "passport_front": document_photo_jpeg(),
        "passport_back": document_photo_jpeg(),
        "certificate": document_photo_jpeg(),
        "face_photo": grey_face_photo_jpeg(),  # refused: not in colour
    }
    answer = await (await client.post(f"/fill/{grant.id}", data=_form(token, values, files))).text()
    assert texts.gettext("ky", "error.passport.birth_certificate") in answer
    async with database.session() as s:
        draft = await s.scalar(select(Registration).where(Registration.grant_id == grant.id))
    # What was right is kept (the draft is the state): the PIN filled gender and birth date.
    assert draft.status is RegistrationStatus.DRAFT
    assert (draft.answers["gender"], draft.answers["birth_date"]) == ("male", "2007-09-05")
    assert draft.answers["subjects"] == ["math", "physics"] and "passport" not in draft.answers
    assert "face_photo" not in draft.answers and draft.answers["certificate"]

    token = await csrf_token(client, f"/fill/{grant.id}")
    fixed = {**values, "passport": "ан 1234567"}
    response = await client.post(
        f"/fill/{grant.id}",
        data=_form(token, fixed, {"face_photo": face_photo_jpeg()}),
        allow_redirects=False,
    )
    assert response.status == 302
    async with database.session() as s:
        entry = await s.scalar(select(Registration).where(Registration.grant_id == grant.id))
        kinds = list(
            await s.scalars(
                select(Document.kind).where(
                    Document.registration_id == entry.id, Document.replaced_at.is_(None)
                )
            )
        )
        events = list(await s.scalars(select(RegistrationEvent.kind)))
    assert entry.status is RegistrationStatus.SUBMITTED
    assert entry.answers["passport"] == "AN1234567"
    assert entry.filled_by_officer_id == web_world.teacher_a.id and entry.channel is Channel.WEB
    assert sorted(kinds) == sorted(
        [
            DocumentKind.PASSPORT_FRONT,
            DocumentKind.PASSPORT_BACK,
            DocumentKind.CERTIFICATE,
            DocumentKind.FACE,
        ]
    )
    assert events == ["submitted"]


async def test_another_scope_cannot_fill(make_client, web_world: WebWorld) -> None:
    client = await make_client()
    await login(client, web_world.coordinator_b)
    assert (await client.get(f"/fill/{web_world.graduate_a.id}")).status == 404
    listing = await (await client.get("/fill")).text()
    assert web_world.graduate_a.full_name not in listing
