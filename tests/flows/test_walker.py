"""The walker of `tests.flows.script` fills the whole form from the table of sample answers,
through every kind of question (benefits too), and the draft holds what the table says."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from flows.form import FIELDS, next_missing
from storage.enums import DocumentKind
from storage.models import Document
from tests.flows.script import advance, draft, start
from tests.form_samples import Samples, choose


@pytest.fixture
def photos(document_photo, face_photo):
    return {"document": document_photo, "face": face_photo}


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_the_whole_form_with_benefits_is_answered_from_the_table(
    telegram, database, grant, photos, lang
):
    samples = Samples.of(7).with_(has_benefits=choose("yes", stored=True))
    await start(telegram, lang)
    await advance(telegram, photos, samples=samples)
    answers = await draft(telegram)
    assert next_missing(answers) is None
    typed = [n for n in samples.path() if samples[n].how in ("text", "choose", "toggle")]
    assert "benefit_categories" in typed
    expected = samples.stored(typed)
    assert {name: answers[name] for name in expected} == expected
    async with database.session() as s:
        kinds = list(await s.scalars(select(Document.kind).where(Document.replaced_at.is_(None))))
    assert sorted(kinds) == sorted(
        [FIELDS[n].document for n in samples.path() if FIELDS[n].document is not None]
    )
    assert DocumentKind.BENEFIT in kinds


async def test_a_walk_to_a_question_never_asked_fails(telegram, grant, photos):
    await start(telegram)
    with pytest.raises(AssertionError, match="benefit_categories never asked"):
        await advance(telegram, photos, until="benefit_categories")  # no benefits claimed
