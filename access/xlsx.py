"""A streaming Excel sheet: openpyxl write-only, bold frozen header, widths fitted to a sample.

Rows go to openpyxl's temporary file as they come, so a 60,000-row export never holds its rows
in memory; column widths are fitted from the first batch, since a write-only sheet must know
them before its first row.

Every row of every export goes through `text_cells`: a value that a spreadsheet could read as a
formula (OWASP's CSV-injection rule: it starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR)
is written as a text cell. Setting the cell's type to string, rather than prefixing ``'``,
keeps what the officer sees identical to what was typed (``+996 555 123 456`` stays readable
and searchable, ``=HYPERLINK(…)`` shows as those characters) while Excel and LibreOffice never
evaluate it. openpyxl alone would turn any string starting with ``=`` into a formula.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

TIMEZONE = ZoneInfo("Asia/Bishkek")
_MIN_WIDTH, _MAX_WIDTH = 8, 60
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LATIN = "a b v g d e yo zh z i y k l m n ng o o p r s t u u f kh ts ch sh shch _ y _ e yu ya"
_TRANSLIT = {
    ch: ("" if latin == "_" else latin)
    for ch, latin in zip("абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя", _LATIN.split(), strict=True)
}


class StreamingSheet:
    """One sheet of a new workbook: `start` with the header and a sample, `append`, `save`."""

    def __init__(self, title: str) -> None:
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title[:31])
        self.rows = 0

    def start(self, header: Sequence[str], sample: Sequence[Sequence[object]]) -> None:
        fit_columns(self._sheet, header, sample)
        self._sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for title in header:
            cell = WriteOnlyCell(self._sheet, value=title)
            cell.font = bold
            cells.append(cell)
        self._sheet.append(cells)

    def append(self, row: Sequence[object]) -> None:
        self._sheet.append(text_cells(self._sheet, row))
        self.rows += 1

    async def save(self, out: BinaryIO) -> None:
        # Zipping a large sheet takes a while: keep the event loop free.
        await asyncio.to_thread(self._book.save, out)


def fit_columns(sheet: Any, header: Sequence[str], sample: Sequence[Sequence[object]]) -> None:
    """Set each column's width to its longest text in `header` and `sample` (8 to 60 wide).

    A write-only sheet takes widths only before its first row is appended.
    """
    for index, title in enumerate(header, start=1):
        longest = max([len(title), *(len(str(row[index - 1] or "")) for row in sample)])
        width = min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def text_cells(sheet: WriteOnlyWorksheet, row: Sequence[object]) -> list[object]:
    """Return `row` with every value a spreadsheet could evaluate made a plain text cell."""
    return [
        _text_cell(sheet, value)
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
        else value
        for value in row
    ]


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def slug(text: str) -> str:
    """Latin, lower-case, hyphenated form of a name for file names: "Ош шаары" -> "osh-shaary"."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in text.casefold())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-") or "all"


def export_filename(kind: str, scope_name: str) -> str:
    today = datetime.now(TIMEZONE).date().isoformat()
    return f"{kind}_{slug(scope_name)}_{today}.xlsx"


def spaced_phone(e164: str) -> str:
    """+996555123456 -> "+996 555 123 456" (cheap enough for 60,000 rows)."""
    if e164.startswith("+996") and len(e164) == 13:
        return f"{e164[:4]} {e164[4:7]} {e164[7:10]} {e164[10:]}"
    return e164
