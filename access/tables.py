"""Reading uploaded tables (.xlsx, or .csv as Excel writes it here) into rows of text.

Headers are matched case-insensitively against Kyrgyz, Russian and English synonyms, so a
sheet titled "Мектептин коду" or "Код школы" works as well as "code". Line numbers count
from the top of the file (the header is line 1), as people see them in Excel.

Rejected message ids (file level): ``access.file.*``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from access.workbook_limits import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    TableTooLarge,
    check_line,
    check_xlsx_archive,
    xlsx_rows,
)
from core.typed import clean_text
from core.validation import Rejected

MAX_FILE_ROWS = 20_000
# Blank lines between and under the data are allowed, up to this many past the row limit.
SPARE_LINES = 5_000


@dataclass(frozen=True)
class RowError:
    """A bad row: its line in the file, a message id of the access catalog and its params."""

    line: int
    message_id: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    """The data rows of a file: ``(line, {column key: text})``, empty rows left out."""

    rows: list[tuple[int, dict[str, str]]]


def header_key(text: str) -> str:
    """Fold a header cell for matching: case, punctuation and spacing do not matter."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold().replace("ё", "е")).split())


def read_table(
    data: bytes,
    filename: str,
    *,
    synonyms: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    max_rows: int = MAX_FILE_ROWS,
) -> Table | Rejected:
    """Read the first sheet of `data`; map its columns by `synonyms`; demand `required`."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in {"xlsx", "csv"}:
        return Rejected("access.file.format")
    if len(data) > MAX_FILE_BYTES:
        return Rejected("access.file.too_large")
    if not data.strip():
        return Rejected("access.file.empty")
    refused = check_xlsx_archive(data) if suffix == "xlsx" else None
    if refused is not None:
        return refused
    max_lines = max_rows + 1 + SPARE_LINES
    try:
        lines = _filled_lines(data, suffix, max_lines=max_lines, max_filled=max_rows + 1)
    except TableTooLarge as too_large:
        return too_large.rejection
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        return Rejected("access.file.unreadable")
    if lines is None:
        return Rejected("access.file.too_many_rows", {"max": max_rows})
    if not lines:
        return Rejected("access.file.empty")
    header_line, header = lines[0]
    wanted = {header_key(s): key for key, names in synonyms.items() for s in (key, *names)}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = wanted.get(header_key(cell))
        if key is not None and key not in positions:
            positions[key] = index
    for key in required:
        if key not in positions:
            return Rejected(f"access.file.missing_column.{key}")
    body = lines[1:]
    rows = [
        (n, {key: cells[i].strip() if i < len(cells) else "" for key, i in positions.items()})
        for n, cells in body
    ]
    return Table(rows=[(n, row) for n, row in rows if any(row.values())])


def _filled_lines(
    data: bytes, suffix: str, *, max_lines: int, max_filled: int
) -> list[tuple[int, list[str]]] | None:
    """Return the lines holding something, or None once there are more than `max_filled`."""
    source = (
        xlsx_rows(data, max_lines=max_lines, cell_text=_cell_text)
        if suffix == "xlsx"
        else _csv_rows(data, max_lines=max_lines)
    )
    filled: list[tuple[int, list[str]]] = []
    for number, cells in source:
        if any(cells):
            if len(filled) == max_filled:
                return None
            filled.append((number, cells))
    return filled


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # Excel keeps codes and phones typed as numbers as floats: 10101.0, 996555123456.0.
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean_text(str(value))


def _csv_rows(data: bytes, *, max_lines: int) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in a Russian locale saves "CSV" in Windows-1251.
        text = data.decode("cp1251")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for cells in reader:
        check_line(reader.line_num, max_lines)
        yield reader.line_num, [clean_text(c) for c in cells[:MAX_COLUMNS]]
