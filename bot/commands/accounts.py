"""`ortbot create-admin` and `ortbot reset-password`: the operator's account commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from access import officers
from access.i18n import render
from bot.commands.errors import CommandError
from config.settings import Settings, get_settings
from core.people import format_phone, validate_phone
from core.validation import Rejected
from storage.credentials import SecretBox
from storage.database import Database
from storage.models import Officer

T = TypeVar("T")
CLI_LANGUAGE = "ru"  # operators read Russian; the web speaks both


def fail(rejected: Rejected) -> CommandError:
    """Return the one-line error for a rejection, in the operator's language."""
    return CommandError(render(CLI_LANGUAGE, rejected.message_id, rejected.params))


@asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[Database]:
    database = Database.from_url(settings.database_url)
    try:
        yield database
    finally:
        await database.dispose()


def run_in_session(work: Callable[[AsyncSession, SecretBox, Settings], Awaitable[T]]) -> T:
    """Run `work` in one transaction of the configured database (committed when it returns).

    A database without the schema becomes a one-line error naming `ortbot migrate`.
    """
    settings = get_settings()
    secret_box = SecretBox(settings.resolved_secret_key())

    async def main() -> T:
        async with _opened(settings) as database, database.session() as session:
            return await work(session, secret_box, settings)

    try:
        return asyncio.run(main())
    except (OperationalError, ProgrammingError) as exc:
        raise CommandError(
            f"the database cannot be used ({type(exc.orig).__name__}); run `ortbot migrate` first"
        ) from exc


def _create_admin(args: argparse.Namespace) -> int:
    async def work(session: AsyncSession, secret_box: SecretBox, _: Settings) -> str:
        result = await officers.create_admin(
            session, phone=args.phone, full_name=args.name, secret_box=secret_box
        )
        if isinstance(result, Rejected):
            raise fail(result)
        issued = result.value
        return (
            f"Central admin created: {issued.officer.full_name}\n"
            f"  login:    {format_phone(issued.officer.phone)}\n"
            f"  password: {issued.password}\n"
            "The password is shown only this once; it must be changed at the first login."
        )

    print(run_in_session(work))
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    checked = validate_phone(args.phone)
    if isinstance(checked, Rejected):
        raise fail(checked)

    async def work(session: AsyncSession, secret_box: SecretBox, _: Settings) -> str:
        officer = await session.scalar(select(Officer).where(Officer.phone == checked.value))
        if officer is None:
            raise CommandError(f"no officer has the login {format_phone(checked.value)}")
        result = await officers.reset_password(
            session, actor=None, officer_id=officer.id, secret_box=secret_box
        )
        if isinstance(result, Rejected):
            raise fail(result)
        return (
            f"New password for {officer.full_name} ({format_phone(officer.phone)}): "
            f"{result.value.password}\nIt must be changed at the next login."
        )

    print(run_in_session(work))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    create = sub.add_parser("create-admin", help="create a central admin (ББОУБ) account")
    create.add_argument("--phone", required=True, help="the login, e.g. +996 555 123 456")
    create.add_argument("--name", required=True, help='"SURNAME NAME PATRONYMIC"')
    create.set_defaults(handler=_create_admin)
    reset = sub.add_parser("reset-password", help="give an officer a new one-time password")
    reset.add_argument("--phone", required=True, help="the officer's login")
    reset.set_defaults(handler=_reset_password)
