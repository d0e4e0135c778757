"""The school codifier: the admin uploads it (.xlsx or .csv); a bad file imports nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from access.codifier import import_codifier, list_schools, parse_codifier
from admin_web.actor import acting_officer
from admin_web.paging import Page, PageRequest
from admin_web.render import rejection_text, render, text
from admin_web.routing import WebRoute, get, post
from admin_web.uploads import read_upload
from storage.enums import Role


async def _render(request: web.Request, page: dict[str, Any]) -> web.Response:
    """Render the page with one page of the loaded schools under the upload form."""
    paging = PageRequest.from_request(request)
    async with acting_officer(request) as (session, _actor):
        rows, total = await list_schools(
            session, query=paging.query, offset=paging.offset, limit=paging.size
        )
    return render(request, "codifier.html", {**page, "page": Page(rows, total, paging)})


async def codifier_page(request: web.Request) -> web.StreamResponse:
    return await _render(request, {"error": None, "errors": [], "summary": None})


async def codifier_upload(request: web.Request) -> web.StreamResponse:
    upload = await read_upload(request)
    if upload is None:
        page = {"error": text(request, "upload.none"), "errors": [], "summary": None}
        return await _render(request, page)
    # Parsing a workbook is CPU work: keep it off the event loop.
    report = await asyncio.to_thread(parse_codifier, upload.data, upload.filename)
    if report.file_error is not None:
        error = rejection_text(request, report.file_error)
        return await _render(request, {"error": error, "errors": [], "summary": None})
    if report.errors:
        rows = [(e.line, rejection_text(request, e)) for e in report.errors]
        page = {"error": text(request, "codifier.has_errors"), "errors": rows, "summary": None}
        return await _render(request, page)
    async with acting_officer(request) as (session, actor):
        summary = await import_codifier(session, actor=actor, report=report)
    return await _render(request, {"error": None, "errors": [], "summary": summary})


ROUTES: list[WebRoute] = [
    get("/codifier", codifier_page, name="schools.codifier", roles={Role.CENTRAL}),
    post("/codifier", codifier_upload, name="schools.codifier", roles={Role.CENTRAL}),
]
