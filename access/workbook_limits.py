"""Limits an uploaded .xlsx must keep before openpyxl opens it, and the row-by-row reader.

An .xlsx is a zip of XML. openpyxl trusts what the file declares: a 61 KB workbook declaring
``A1:XFD12000`` makes it build 12,000 rows of 16,384 cells, and a 2 MB sharedStrings part that
inflates to 900 MB is read whole into memory. So, before openpyxl touches the bytes, the zip's
directory is checked (number of parts, each part's declared size, its compression ratio and
the total), and the sheet is then read in read-only mode with its declared dimension ignored,
one row at a time, stopping past a row and a column limit. Python's zipfile never inflates a
part past its declared size (a part that lies fails its CRC), so the declared sizes bound the
real ones.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable, Iterator

from core.validation import Rejected

MAX_FILE_BYTES = 10 * 1024 * 1024
# A 20,000-row list of names and phones is about 3 MB of sheet XML and 2 MB of shared strings;
# our own 60,000-row export is about 20 MB inflated. These leave room and bound the harm.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_PARTS = 500
# XML of spreadsheets compresses 5-30 times; a zip bomb, thousands of times.
MAX_RATIO = 200
MAX_COLUMNS = 100


class TableTooLarge(Exception):
    """Raised when a sheet goes past a row or column limit while it is read."""

    def __init__(self, rejection: Rejected) -> None:
        super().__init__(rejection.message_id)
        self.rejection = rejection


def check_xlsx_archive(data: bytes) -> Rejected | None:
    """Return why the zip inside an .xlsx is refused, or None when its declared sizes are sane."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return Rejected("access.file.unreadable")
    if len(parts) > MAX_PARTS:
        return Rejected("access.file.too_large")
    total = 0
    for part in parts:
        total += part.file_size
        ratio_limit = max(part.compress_size, 1024) * MAX_RATIO
        shared = part.filename.lower().endswith("sharedstrings.xml")
        if (
            part.file_size > ratio_limit
            or total > MAX_INFLATED_BYTES
            or (shared and part.file_size > MAX_SHARED_STRINGS_BYTES)
        ):
            return Rejected("access.file.too_large")
    return None


def xlsx_rows(
    data: bytes,
    *,
    max_lines: int,
    cell_text: Callable[[object], str],
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` of the first sheet, at most `max_lines` lines of the file.

    Raises:
        TableTooLarge: the sheet has a line past `max_lines` or a value past `MAX_COLUMNS`.

    """
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Files saved by other programs lack styles openpyxl expects; it only warns.
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The declared dimension is the file's claim, not its content: without it openpyxl
            # yields each row as long as its last written cell, and no padding rows at the end.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                check_line(number, max_lines)
                if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
                    raise TableTooLarge(
                        Rejected("access.file.too_many_columns", {"max": MAX_COLUMNS})
                    )
                yield number, [cell_text(v) for v in values[:MAX_COLUMNS]]
        finally:
            workbook.close()


def check_line(number: int, max_lines: int) -> None:
    """Raise `TableTooLarge` when line `number` of a file lies past `max_lines`."""
    if number > max_lines:
        raise TableTooLarge(Rejected("access.file.too_many_lines", {"max": max_lines}))
