"""Hostile files where a passport photo is due: a clear answer, nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.texts import conversation_texts
from flows.events import ChatKey, Event, IncomingFile
from storage.enums import Channel
from storage.models import Document
from tests.robustness.applicants import add_applicants
from tests.robustness.hostile_files import CORPUS
from tests.robustness.registration import opening as registration_opening
from tests.robustness.registration import registration_runner
from tests.robustness.test_properties import GOOD_PATH

TEXTS = conversation_texts()


@pytest.mark.parametrize("name", list(CORPUS))
async def test_a_hostile_file_is_refused_clearly_and_nothing_is_stored(
    name, database, state, filestore, campaign, secret_box
) -> None:
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    flow = registration_runner(database, state, filestore, campaign, secret_box)
    key = ChatKey(Channel.TELEGRAM, "66001")
    # Then the text part, up to the passport photo.
    opening = [*registration_opening(granted.phone), *GOOD_PATH]
    for event in opening:
        replies = await flow.handle(key, event)
    asked = TEXTS.gettext("ru", "ask.passport_front")
    assert asked in replies[-1].text

    make, filename, mime = CORPUS[name]
    file = IncomingFile(make(), filename=filename, declared_mime=mime)
    replies = await flow.handle(key, Event(kind="file", file=file))

    said = "\n".join(r.text for r in replies)
    assert TEXTS.gettext("ru", "error.internal") not in said
    assert asked[:30] in said  # the same question again, after the reason
    assert len(said) > len(asked)  # ... and a reason
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Document)) == 0
    stored = (
        [p for p in filestore.root.rglob("*") if p.is_file()] if filestore.root.exists() else []
    )
    assert stored == []
