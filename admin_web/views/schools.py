"""The school codifier: the admin uploads it (.xlsx or .csv); a bad file imports nothing."""

from __future__ import annotations

import asyncio

from aiohttp import web

from access.codifier import import_codifier, parse_codifier
from admin_web.actor import acting_officer
from admin_web.render import rejection_text, render, text
from admin_web.routing import WebRoute, get, post
from admin_web.uploads import read_upload
from storage.enums import Role


async def codifier_page(request: web.Request) -> web.StreamResponse:
    return render(request, "codifier.html", {"error": None, "errors": [], "summary": None})


async def codifier_upload(request: web.Request) -> web.StreamResponse:
    upload = await read_upload(request)
    if upload is None:
        page = {"error": text(request, "upload.none"), "errors": [], "summary": None}
        return render(request, "codifier.html", page)
    # Parsing a workbook is CPU work: keep it off the event loop.
    report = await asyncio.to_thread(parse_codifier, upload.data, upload.filename)
    if report.file_error is not None:
        error = rejection_text(request, report.file_error)
        return render(request, "codifier.html", {"error": error, "errors": [], "summary": None})
    if report.errors:
        rows = [(e.line, rejection_text(request, e)) for e in report.errors]
        page = {"error": text(request, "codifier.has_errors"), "errors": rows, "summary": None}
        return render(request, "codifier.html", page)
    async with acting_officer(request) as (session, actor):
        summary = await import_codifier(session, actor=actor, report=report)
    return render(request, "codifier.html", {"error": None, "errors": [], "summary": summary})


ROUTES: list[WebRoute] = [
    get("/codifier", codifier_page, name="schools.codifier", roles={Role.CENTRAL}),
    post("/codifier", codifier_upload, name="schools.codifier", roles={Role.CENTRAL}),
]
