"""The dashboard of a scope: charts drawn on the server (inline SVG), and their Excel export."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import IO, Any

from aiohttp import web
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from access.xlsx import text_cells
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.downloads import new_spool, stream_file
from admin_web.keys import LANG
from admin_web.render import render, text
from admin_web.routing import ALL_ROLES, WebRoute, get
from office.stats import Dashboard, dashboard
from storage.enums import RegistrationStatus


def bars(rows: list[tuple[str, int]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart: label, value and bar width (0-100) per row."""
    top = max((value for _, value in rows), default=0) or 1
    return {
        "rows": [(label, value, round(100 * value / top, 1)) for label, value in rows],
        "height": 26 * max(len(rows), 1),
    }


def _charts(request: web.Request, figures: Dashboard) -> dict[str, Any]:
    statuses = [
        (text(request, f"review.status.{s.value}"), n) for s, n in figures.by_status.items()
    ]
    schools = [(f"{row.code} {row.name}", row.total) for row in figures.by_school]
    days = [(day.strftime("%d.%m"), n) for day, n in figures.per_day]
    funnel = [(text(request, f"dashboard.funnel.{step}"), n) for step, n in figures.funnel]
    return {
        "status_chart": bars(statuses),
        "school_chart": bars(schools),
        "day_chart": bars(days),
        "funnel_chart": bars(funnel),
    }


async def page(request: web.Request) -> web.StreamResponse:
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        figures = await dashboard(session, actor=actor, campaign=context.campaign)
    return render(
        request,
        "dashboard.html",
        {"figures": figures, "statuses": list(RegistrationStatus), **_charts(request, figures)},
    )


def _write(out: IO[bytes], sheets: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append(text_cells(sheet, row))
    workbook.save(out)


async def export(request: web.Request) -> web.StreamResponse:
    """Download the dashboard's figures as an Excel workbook (one sheet per chart)."""
    context = request.app[WEB_CONTEXT]
    lang = request[LANG]
    async with acting_officer(request) as (session, actor):
        figures = await dashboard(session, actor=actor, campaign=context.campaign)
    statuses = list(RegistrationStatus)
    status_names = [text(request, f"review.status.{s.value}") for s in statuses]
    sheets = [
        (
            text(request, "dashboard.by_status"),
            [text(request, "review.col.status"), text(request, "dashboard.count")],
            [[text(request, f"review.status.{s.value}"), n] for s, n in figures.by_status.items()],
        ),
        (
            text(request, "dashboard.by_school"),
            [text(request, "field.school_code"), text(request, "dashboard.school"), *status_names],
            [[r.code, r.name, *[r.counts.get(s, 0) for s in statuses]] for r in figures.by_school],
        ),
        (
            text(request, "dashboard.per_day"),
            [text(request, "dashboard.day"), text(request, "dashboard.count")],
            [[day.isoformat(), n] for day, n in figures.per_day],
        ),
        (
            text(request, "dashboard.funnel"),
            [text(request, "dashboard.step"), text(request, "dashboard.count")],
            [[text(request, f"dashboard.funnel.{step}"), n] for step, n in figures.funnel],
        ),
    ]
    filename = f"dashboard-{lang}-{datetime.now(UTC):%Y-%m-%d}.xlsx"
    with new_spool() as out:
        await asyncio.to_thread(_write, out, sheets)
        return await stream_file(request, out, filename)


ROUTES: list[WebRoute] = [
    get("/dashboard", page, name="dashboard", roles=ALL_ROLES),
    get("/dashboard/export", export, name="dashboard.export", roles=ALL_ROLES),
]
