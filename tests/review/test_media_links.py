"""Signed photo links for WhatsApp: served while valid, 404 when forged, altered or expired."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.notifications.media import MediaLinks, mount_media
from storage.credentials import SecretBox
from tests.review.conftest import ReviewWorld


async def test_signed_links_serve_the_photo_until_they_expire(
    database, filestore, secret_box: SecretBox, review_world: ReviewWorld
) -> None:
    now = [1_000_000.0]
    links = MediaLinks(
        secret_box, base_url="https://ort.example.kg", lifetime=600, clock=lambda: now[0]
    )
    app = web.Application()
    mount_media(app, links=links, database=database, filestore=filestore)
    document = await review_world.document_of(database, review_world.mzhb_entry)
    url = links.url(document.id)
    assert url.startswith("https://ort.example.kg/media/")
    path = url.removeprefix("https://ort.example.kg")
    async with TestClient(TestServer(app)) as client:
        served = await client.get(path)
        assert served.status == 200 and served.headers["Cache-Control"] == "no-store"
        assert (await served.read())[:3] == b"\xff\xd8\xff"
        document_id, expires, signature = path.removeprefix("/media/").split(".")
        other = int(document_id) + 1
        assert (await client.get(f"/media/{other}.{expires}.{signature}")).status == 404
        assert (
            await client.get(f"/media/{document_id}.{int(expires) + 60}.{signature}")
        ).status == 404
        assert (await client.get("/media/nonsense")).status == 404
        assert (await client.get(f"/media/²{document_id}.{expires}.{signature}")).status == 404
        now[0] += 601
        assert (await client.get(path)).status == 404
