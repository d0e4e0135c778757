"""Short-lived signed links to document photos, for WhatsApp (Twilio fetches media by URL).

`GET /media/<token>` serves one photo when the token's signature (keyed with SECRET_KEY) is
right and it has not expired; anything else is a 404. Mounted only with PUBLIC_BASE_URL: Twilio
can fetch only a public address. Links live minutes, not days: a forwarded link soon stops
working, and the photo is never cached on the way.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from aiohttp import web

from admin_web.routing import get, install_routes
from storage.credentials import SecretBox
from storage.database import Database
from storage.filestore import FileStore
from storage.models import Document

MEDIA_PATH = "/media/{token}"
LINK_SECONDS = 15 * 60


class MediaLinks:
    """Signs and checks `/media/<token>` links."""

    def __init__(
        self,
        secret_box: SecretBox,
        *,
        base_url: str,
        lifetime: float = LINK_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._box = secret_box
        self._base = base_url.rstrip("/")
        self._lifetime = lifetime
        self._clock = clock

    def _signature(self, document_id: int, expires: int) -> str:
        return self._box.keyed_hash(f"media:{document_id}:{expires}")[:40]

    def url(self, document_id: int) -> str:
        """Return a public link to the document's photo, valid for the link lifetime."""
        expires = int(self._clock() + self._lifetime)
        token = f"{document_id}.{expires}.{self._signature(document_id, expires)}"
        return f"{self._base}/media/{token}"

    def document_id(self, token: str) -> int | None:
        """Return the document a token names, or None when forged, malformed or expired."""
        parts = token.split(".")
        # ASCII digits only: `isdigit()` alone lets "²" through to `int()`, which fails on it.
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
            return None
        document_id, expires = int(parts[0]), int(parts[1])
        if not hmac.compare_digest(parts[2], self._signature(document_id, expires)):
            return None
        if expires < self._clock():
            return None
        return document_id


def mount_media(
    app: web.Application, *, links: MediaLinks, database: Database, filestore: FileStore
) -> None:
    """Serve `GET /media/<token>` on `app` (a public route: the signature is the check)."""

    async def serve(request: web.Request) -> web.StreamResponse:
        document_id = links.document_id(request.match_info["token"])
        if document_id is None:
            raise web.HTTPNotFound()
        async with database.session() as session:
            document = await session.get(Document, document_id)
        if document is None or document.replaced_at is not None:
            raise web.HTTPNotFound()
        try:
            data = await filestore.get(document.sha256)
        except FileNotFoundError:
            raise web.HTTPNotFound() from None
        return web.Response(
            body=data,
            content_type=document.mime,
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    install_routes(app, [get(MEDIA_PATH, serve, name="media.photo", roles=None)])
