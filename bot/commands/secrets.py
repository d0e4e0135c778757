"""`ortbot rotate-secret`: move the stored secrets from OLD_SECRET_KEY to SECRET_KEY."""

from __future__ import annotations

import argparse
import os

from sqlalchemy.ext.asyncio import AsyncSession

from access.secret_rotation import RotationReport, rotate_secret
from bot.commands.accounts import run_in_session
from bot.commands.errors import CommandError
from config.settings import Settings, get_settings
from storage.credentials import SecretBox


def _rotate(args: argparse.Namespace) -> int:
    # Keys come from the environment, never the command line: `ps` and shell history show that.
    old_key = os.environ.get("OLD_SECRET_KEY", "")
    if not old_key:
        raise CommandError("set OLD_SECRET_KEY to the old key (SECRET_KEY holds the new one)")
    settings = get_settings()
    if settings.secret_key is None:
        raise CommandError("set SECRET_KEY to the new key")
    if settings.secret_key.get_secret_value() == old_key:
        raise CommandError("SECRET_KEY and OLD_SECRET_KEY are the same; nothing to rotate")
    old = SecretBox(old_key)

    async def work(session: AsyncSession, new: SecretBox, _: Settings) -> RotationReport:
        return await rotate_secret(session, old=old, new=new)

    print(run_in_session(work).line())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser(
        "rotate-secret",
        help="re-key access codes and initial passwords from OLD_SECRET_KEY to SECRET_KEY",
        description="Stop every replica first; then start them with the new SECRET_KEY.",
    ).set_defaults(handler=_rotate)
