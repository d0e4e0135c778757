"""Hostile spreadsheets are refused clearly (or read for what they hold) in bounded memory.

Each file is parsed in a fresh subprocess that reports its peak resident memory before and after
the parse; the address space is capped, so a parser that believes the file fails instead of
taking the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from access.codifier import parse_codifier
from access.tables import MAX_FILE_ROWS
from access.workbook_limits import MAX_COLUMNS, MAX_FILE_BYTES
from core.validation import Rejected
from office.statement import parse_statement
from tests.robustness import hostile_workbooks as hostile

# Generous: parsing a small sheet costs a few MB; the attacks cost 0.3 to 1.5 GB.
MAX_GROWTH_MB = 100
PARSE = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))
from access.codifier import parse_codifier
data = Path(sys.argv[1]).read_bytes()
parse_codifier(b"code,name,district,oblast\\n1,a,b,c\\n", "warm.csv")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    report = parse_codifier(data, "codifier.xlsx")
    error = report.file_error.message_id if report.file_error else None
    outcome = {"error": error, "rows": len(report.rows)}
except MemoryError:
    outcome = {"error": "MemoryError", "rows": 0}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({**outcome, "growth_mb": (after - before) / 1024}))
"""


def parse_in_subprocess(data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", PARSE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_sheet_declaring_a1_xfd12000_is_read_for_what_it_holds(tmp_path: Path) -> None:
    data = hostile.lying_dimension()
    assert len(data) < 64 * 1024
    outcome = parse_in_subprocess(data, tmp_path)
    assert outcome["error"] is None, outcome
    assert outcome["rows"] == 2
    assert outcome["growth_mb"] < MAX_GROWTH_MB, outcome


def test_a_shared_strings_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    data = hostile.shared_strings_bomb()
    assert len(data) < 2 * 1024 * 1024
    outcome = parse_in_subprocess(data, tmp_path)
    assert outcome["error"] == "access.file.too_large", outcome
    assert outcome["growth_mb"] < MAX_GROWTH_MB, outcome


def test_values_past_the_column_limit_are_refused_with_the_limit() -> None:
    report = parse_codifier(hostile.cells_far_right(), "codifier.xlsx")
    assert report.file_error == Rejected("access.file.too_many_columns", {"max": MAX_COLUMNS})


def test_reading_stops_past_the_row_limit(tmp_path: Path) -> None:
    report = parse_codifier(hostile.many_rows(MAX_FILE_ROWS + 1), "codifier.xlsx")
    assert report.file_error == Rejected("access.file.too_many_rows", {"max": MAX_FILE_ROWS})
    assert parse_codifier(hostile.many_rows(3), "codifier.xlsx").ok


def test_a_row_far_below_the_table_is_refused_with_the_line_limit() -> None:
    lines = "code,name,district,oblast\n30101,a,b,c\n" + "\n" * 30_000 + "30102,a,b,c\n"
    report = parse_codifier(lines.encode(), "codifier.csv")
    assert report.file_error is not None
    assert report.file_error.message_id == "access.file.too_many_lines"


@pytest.mark.parametrize("parse", [parse_codifier, parse_statement], ids=["codifier", "bank"])
def test_an_upload_past_the_size_limit_is_refused(parse) -> None:
    data = b"code,name,district,oblast\n" + b"1,a,b,c\n" * (MAX_FILE_BYTES // 8 + 1)
    result = parse(data, "list.csv")
    error = result if isinstance(result, Rejected) else result.file_error
    assert error == Rejected("access.file.too_large")


def test_bank_statement_amounts_that_are_not_plain_numbers_are_row_errors() -> None:
    rows = [
        "receipt,amount",
        "KB-1001,NaN",
        "KB-1002,1e9999999",
        "KB-1003,Infinity",
        "KB-1004,١٤١٠",
    ]
    parsed = parse_statement("\n".join(rows).encode(), "bank.csv")
    assert not isinstance(parsed, Rejected)
    good, errors = parsed
    assert [(r.receipt, r.amount) for r in good] == [("KB-1004", 1410)]
    assert [(e.line, e.message_id) for e in errors] == [
        (2, "statement.bad_amount"),
        (3, "statement.bad_amount"),
        (4, "statement.bad_amount"),
    ]
