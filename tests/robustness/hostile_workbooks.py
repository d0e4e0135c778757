"""Spreadsheets built to take a server's memory: a lying dimension, a zip bomb, a wide sheet."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

HEADER = ["code", "name", "district", "oblast"]
ROW = ["30101", "№5 гимназия", "Ленин району", "Бишкек шаары"]


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes], *, extra: dict[str, int]) -> bytes:
    """Copy the zip, replacing parts; `extra` parts are streamed as `size` repetitive bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = replace.get(info.filename) or src.read(info.filename)
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
        for name, size in extra.items():
            _stream_shared_strings(dst, name, size)
    return out.getvalue()


def _stream_shared_strings(archive: zipfile.ZipFile, name: str, size: int) -> None:
    item = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    count = size // len(item)
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (count, count)
    )
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as part:
        part.write(head)
        chunk = item * 1000
        for _ in range(count // 1000):
            part.write(chunk)
        part.write(b"</sst>")


def lying_dimension() -> bytes:
    """Three rows (the last on line 12,000) in a sheet declaring A1:XFD12000 (196 M cells)."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROW)
    for column, text in enumerate(["30102", *ROW[1:]], start=1):
        sheet.cell(row=12_000, column=column, value=text)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD12000"/>', sheet)
    assert b"XFD12000" in sheet
    return _rewrite(data, {"xl/worksheets/sheet1.xml": sheet}, extra={})


def shared_strings_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A workbook whose sharedStrings part inflates to `inflated` bytes from a few hundred KB."""
    data = _workbook([HEADER, ROW])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    # openpyxl writes inline strings; the manifest must name the part for a reader to load it.
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    types = types.replace(b"</Types>", override + b"</Types>")
    return _rewrite(data, {"[Content_Types].xml": types}, extra={"xl/sharedStrings.xml": inflated})


def cells_far_right(rows: int = 200) -> bytes:
    """Each row holds a value in column XFD, the last one Excel has."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append(ROW)
        sheet.cell(row=n + 2, column=16_384, value="x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def many_rows(rows: int) -> bytes:
    """A plain codifier of `rows` data rows."""
    return _workbook([HEADER, *([f"{30000 + n}", *ROW[1:]] for n in range(rows))])
