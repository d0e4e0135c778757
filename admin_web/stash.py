"""Keeps an uploaded list for half an hour, so "grant only the good rows" needs no re-upload.

The file lives in the state store (Redis in production, so any replica can finish the job)
under a random token bound to the officer who uploaded it; it is taken out once.
"""

from __future__ import annotations

import base64
import json
import secrets

from admin_web.uploads import Upload
from storage.state import StateStore

STASH_SECONDS = 30 * 60


class UploadStash:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    @staticmethod
    def _key(officer_id: int, token: str) -> str:
        return f"web:upload:{officer_id}:{token}"

    async def keep(self, officer_id: int, upload: Upload) -> str:
        """Store `upload` for `officer_id`; return the token the confirmation form carries."""
        token = secrets.token_urlsafe(16)
        value = json.dumps(
            {"filename": upload.filename, "data": base64.b64encode(upload.data).decode()}
        )
        await self._state.set(self._key(officer_id, token), value, ttl=STASH_SECONDS)
        return token

    async def take(self, officer_id: int, token: str) -> Upload | None:
        """Return and forget the upload, or None when expired or not this officer's."""
        if not token or len(token) > 64:
            return None
        key = self._key(officer_id, token)
        value = await self._state.get(key)
        if value is None:
            return None
        await self._state.delete(key)
        stored = json.loads(value)
        return Upload(filename=stored["filename"], data=base64.b64decode(stored["data"]))
