"""Reading the one file of an upload form, with a size limit and a polite refusal."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


async def read_upload(request: web.Request, field: str = "file") -> Upload | None:
    """Return the uploaded file, or None when the form carries none (or an empty one)."""
    form = await request.post()
    item = form.get(field)
    if not isinstance(item, web.FileField):
        return None
    data = item.file.read(MAX_UPLOAD_BYTES + 1)
    if not data or len(data) > MAX_UPLOAD_BYTES:
        return None
    return Upload(filename=item.filename or "", data=data)
