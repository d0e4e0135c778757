"""The runbook in docs/operations.md names only commands and scripts that exist."""

from __future__ import annotations

import os
import re
import shlex

import pytest

from bot.cli import build_parser
from config.settings import PROJECT_ROOT

RUNBOOK = (
    (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8").split("## Runbook")[1]
)
BLOCKS = re.findall(r"```sh\n(.*?)```", RUNBOOK, flags=re.S)
LINES = [line.strip() for block in BLOCKS for line in block.splitlines() if line.strip()]


def words(line: str) -> list[str]:
    """The command's words after any VAR=value assignments in front of it."""
    parts = shlex.split(line)
    while parts and re.match(r"^[A-Z_]+=", parts[0]):
        parts.pop(0)
    return parts


def test_the_runbook_has_the_commands_the_tests_run() -> None:
    firsts = {" ".join(words(line)[:2]) for line in LINES}
    assert {"ortbot rotate-secret", "ortbot purge", "ortbot migrate"} <= firsts
    assert {
        "deploy/backup.sh /backups/2027-02-20",
        "deploy/restore.sh /backups/2027-02-20",
    } <= firsts


@pytest.mark.parametrize("line", [line for line in LINES if words(line)[0] == "ortbot"])
def test_every_ortbot_line_parses(line: str) -> None:
    args = build_parser().parse_args(words(line)[1:])
    assert callable(args.handler)


@pytest.mark.parametrize("line", [line for line in LINES if words(line)[0].startswith("deploy/")])
def test_every_script_exists_and_runs(line: str) -> None:
    script = PROJECT_ROOT / words(line)[0]
    assert script.is_file() and os.access(script, os.X_OK)
