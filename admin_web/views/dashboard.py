"""The dashboard of a scope: charts drawn on the server (inline SVG), and their Excel export."""

from __future__ import annotations

import asyncio
from typing import IO, Any

from aiohttp import web
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from access.exports import scope_name
from access.scope import Scope
from access.xlsx import export_filename, fit_columns, text_cells
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.downloads import new_spool, stream_file
from admin_web.keys import LANG
from admin_web.render import render, text
from admin_web.routing import ALL_ROLES, WebRoute, get
from office.reminder_stats import reminder_figures
from office.stats import SCHOOL_COLUMNS, Dashboard, dashboard, sort_schools


def bars(rows: list[tuple[str, int]]) -> dict[str, Any]:
    """Return a horizontal bar chart: label and value per row, and the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    return {"rows": rows, "top": top}


def _school_order(request: web.Request) -> tuple[str, bool]:
    column = request.query.get("sort", "code")
    return (column if column in SCHOOL_COLUMNS else "code"), request.query.get("dir") == "desc"


def _charts(request: web.Request, figures: Dashboard) -> dict[str, Any]:
    statuses = [
        (text(request, f"review.status.{s.value}"), n) for s, n in figures.by_status.items()
    ]
    days = [(day.strftime("%d.%m"), n) for day, n in figures.per_day]
    funnel = [(text(request, f"dashboard.funnel.{step}"), n) for step, n in figures.funnel]
    return {
        "status_chart": bars(statuses),
        "day_chart": bars(days),
        "funnel_chart": bars(funnel),
    }


def reminder_label(request: web.Request, rule: str) -> str:
    """Name a reminder rule in the officer's language ("closing_3": 3 days before closing)."""
    if rule.startswith("closing_"):
        return text(request, "dashboard.reminders.rule.closing", n=rule.removeprefix("closing_"))
    return text(request, f"dashboard.reminders.rule.{rule}")


async def page(request: web.Request) -> web.StreamResponse:
    context = request.app[WEB_CONTEXT]
    async with acting_officer(request) as (session, actor):
        figures = await dashboard(session, actor=actor, campaign=context.campaign)
        reminders = await reminder_figures(session, actor=actor, campaign=context.campaign)
    column, descending = _school_order(request)
    schools = sort_schools(figures.by_school, column, descending=descending)
    reminder_rows = [
        {
            "label": reminder_label(request, r.rule),
            "reminded": r.reminded,
            "moved": r.moved,
            "share": r.share,
        }
        for r in reminders
    ]
    return render(
        request,
        "dashboard.html",
        {
            "figures": figures,
            "schools": schools,
            "sort": column,
            "descending": descending,
            "columns": SCHOOL_COLUMNS,
            "reminder_rows": reminder_rows,
            **_charts(request, figures),
        },
    )


def _write(out: IO[bytes], sheets: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        fit_columns(sheet, header, rows)
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
        scope = await scope_name(session, Scope.of(actor))
    column, descending = _school_order(request)
    schools = sort_schools(figures.by_school, column, descending=descending)
    sheets = [
        (
            text(request, "dashboard.by_status"),
            [text(request, "review.col.status"), text(request, "dashboard.count")],
            [[text(request, f"review.status.{s.value}"), n] for s, n in figures.by_status.items()],
        ),
        (
            text(request, "dashboard.by_school"),
            [text(request, f"dashboard.col.{name}") for name in SCHOOL_COLUMNS],
            [[getattr(row, name) for name in SCHOOL_COLUMNS] for row in schools],
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
    filename = export_filename(f"dashboard-{lang}", scope)
    with new_spool() as out:
        await asyncio.to_thread(_write, out, sheets)
        return await stream_file(request, out, filename)


ROUTES: list[WebRoute] = [
    get("/dashboard", page, name="dashboard", roles=ALL_ROLES),
    get("/dashboard/export", export, name="dashboard.export", roles=ALL_ROLES),
]
