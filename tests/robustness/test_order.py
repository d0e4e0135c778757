"""Order: an album of photos and fast typing, arriving together, are handled one at a time and
in order by the real flow: no answer or document lost, doubled or swapped.
"""

from __future__ import annotations

from sqlalchemy import select

from core.texts import conversation_texts
from storage.enums import DocumentKind
from storage.models import Document, Registration
from tests.robustness.applicants import add_applicants
from tests.robustness.walker import Walker
from tests.sample_photos import document_photo_jpeg


def message(user, **content) -> dict:
    return {"update_id": user.api.new_update_id(), "message": user._message(**content)}


async def test_fast_typing_and_an_album_keep_their_order(
    start_app, database, secret_box, campaign, fake_api
) -> None:
    harness = await start_app("polling")
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    # Walk to the city question, then type the address in one go, as fast as thumbs allow.
    texts = conversation_texts()
    walker = Walker(fake_api, harness.deliver, granted, texts=texts, user_id=4242, until="city")
    await walker.run()
    user, mine = walker.user, walker.answers
    typed = [mine["city"].value, mine["village"].value, mine["street"].value]
    sizes = [(1200, 800), (1240, 800), (1280, 800)]  # three photos told apart by their size
    updates = [
        {"update_id": fake_api.new_update_id(), "message": user._message(text=t)} for t in typed
    ]
    updates.append({"update_id": fake_api.new_update_id(), "message": user._message(text="/start")})
    for update in updates:
        await fake_api.push_update(update)  # one getUpdates batch: all at once
    await fake_api.wait_confirmed(updates[-1]["update_id"])
    await harness.channel.wait_idle()
    # Then skip the extra phone and the tests, to reach the documents.
    walker.done, walker.until = False, "passport_front"
    await walker.run()

    album = []
    for width, height in sizes:
        file_id, unique = fake_api.add_file(document_photo_jpeg((width, height)))
        size = {"file_id": file_id, "file_unique_id": unique, "width": width, "height": height}
        album.append(message(user, media_group_id="album-1", photo=[size]))
    for update in album:
        await fake_api.push_update(update)
    await fake_api.wait_confirmed(album[-1]["update_id"])
    await harness.channel.wait_idle()

    async with database.session() as session:
        answers = (await session.scalar(select(Registration))).answers
        documents = list(await session.scalars(select(Document).order_by(Document.id)))
    assert [answers["city"], answers["village"], answers["street"]] == typed
    assert [(d.kind, d.width) for d in documents] == [
        (DocumentKind.PASSPORT_FRONT, 1200),
        (DocumentKind.PASSPORT_BACK, 1240),
        (DocumentKind.CERTIFICATE, 1280),
    ]
