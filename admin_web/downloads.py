"""Sending an export to the browser without holding it in memory.

The export functions write an .xlsx into a binary file; a spooled temporary file keeps small
files in memory and moves big ones (60,000 rows) to disk, and the response streams it out in
chunks after the database transaction has ended:

    with new_spool() as out:
        async with acting_officer(request) as (session, actor):
            filename = await export_grants(session, ..., out=out)
        return await stream_file(request, out, filename)
"""

from __future__ import annotations

import tempfile
from typing import IO
from urllib.parse import quote

from aiohttp import web

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_IN_MEMORY = 4 * 1024 * 1024
CHUNK = 256 * 1024


def new_spool() -> IO[bytes]:
    """Return a file for one export: in memory while small, on disk once large."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - caller closes


async def stream_file(request: web.Request, out: IO[bytes], filename: str) -> web.StreamResponse:
    """Stream the written file `out` to the browser as the attachment `filename`."""
    size = out.tell()
    out.seek(0)
    response = web.StreamResponse(
        headers={
            "Content-Type": XLSX,
            "Content-Disposition": _disposition(filename),
            "Content-Length": str(size),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
    )
    await response.prepare(request)
    while chunk := out.read(CHUNK):
        await response.write(chunk)
    await response.write_eof()
    return response


def _disposition(filename: str) -> str:
    # An ASCII fallback for old browsers, and the real (possibly Cyrillic) name per RFC 6266.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
