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
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.validation import Rejected

MAX_FILE_ROWS = 20_000


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
    if not data.strip():
        return Rejected("access.file.empty")
    try:
        lines = list(_xlsx_rows(data) if suffix == "xlsx" else _csv_rows(data))
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        return Rejected("access.file.unreadable")
    lines = [(n, cells) for n, cells in lines if any(cells)]
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
    if len(body) > max_rows:
        return Rejected("access.file.too_many_rows", {"max": max_rows})
    rows = [
        (n, {key: cells[i].strip() if i < len(cells) else "" for key, i in positions.items()})
        for n, cells in body
    ]
    return Table(rows=[(n, row) for n, row in rows if any(row.values())])


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
    return " ".join(str(value).split())


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Files saved by other programs lack styles openpyxl expects; it only warns.
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        finally:
            workbook.close()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in a Russian locale saves "CSV" in Windows-1251.
        text = data.decode("cp1251")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for cells in reader:
        yield reader.line_num, [" ".join(c.split()) for c in cells]
