"""`ortbot import-schools FILE`: load the school codifier (.xlsx or .csv), all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from access.codifier import ImportSummary, import_codifier, parse_codifier
from access.i18n import render
from bot.commands.accounts import CLI_LANGUAGE, fail, run_in_session
from bot.commands.errors import CommandError
from config.settings import Settings
from storage.credentials import SecretBox

SHOWN_ERRORS = 10


def _import_schools(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
    report = parse_codifier(data, path.name)
    if report.file_error is not None:
        raise fail(report.file_error)
    if report.errors:
        count = len(report.errors)
        print(f"{path.name}: {count} bad row(s); nothing was imported.", file=sys.stderr)
        for error in report.errors[:SHOWN_ERRORS]:
            reason = render(CLI_LANGUAGE, error.message_id, error.params)
            print(f"line {error.line}: {reason}", file=sys.stderr)
        if count > SHOWN_ERRORS:
            print(f"... and {count - SHOWN_ERRORS} more", file=sys.stderr)
        return 1

    async def work(session: AsyncSession, _: SecretBox, __: Settings) -> ImportSummary:
        return await import_codifier(session, actor=None, report=report)

    summary = run_in_session(work)
    print(
        f"Schools imported from {path.name}: {summary.created} created, "
        f"{summary.updated} updated, {summary.unchanged} unchanged."
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import-schools", help="import the school codifier (code, name, district, oblast)"
    )
    parser.add_argument("file", help=".xlsx or .csv file")
    parser.set_defaults(handler=_import_schools)
