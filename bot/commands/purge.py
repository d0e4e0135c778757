"""`ortbot purge`: erase a closed campaign's photos (`--all`: personal data) and old messages."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.accounts import run_in_session
from bot.commands.errors import CommandError
from config.campaign import CAMPAIGNS_DIR, Campaign, load_campaign
from config.settings import Settings, get_settings
from office.retention import (
    PurgeReport,
    purge_campaign,
    purge_messages,
    purge_outbox,
    purge_refusal,
)
from storage.credentials import SecretBox
from storage.filestore import filestore_from_settings


def campaign_of(argument: str) -> Campaign:
    """Load the campaign named by a year (`campaigns/<year>.toml`) or by a file path."""
    path = CAMPAIGNS_DIR / f"{argument}.toml" if argument.isdigit() else Path(argument)
    return load_campaign(path)


def _purge(args: argparse.Namespace) -> int:
    settings = get_settings()
    keep_days = settings.messages_keep_days if args.messages_days is None else args.messages_days
    if keep_days < 1:
        raise CommandError("--messages-days must be at least 1")
    campaign = campaign_of(args.campaign) if args.campaign else None
    if campaign is not None:
        refusal = purge_refusal(campaign, after_days=settings.purge_after_days)
        if refusal:
            raise CommandError(f"{refusal}; nothing was removed")
    elif args.all:
        raise CommandError("--all needs --campaign YEAR")

    async def work(session: AsyncSession, _: SecretBox, settings: Settings) -> PurgeReport:
        report = PurgeReport(dry_run=args.dry_run)
        if campaign is not None:
            files = filestore_from_settings(settings)
            try:
                await purge_campaign(
                    session, files, campaign=campaign, personal=args.all, report=report
                )
            finally:
                await files.close()
        await purge_messages(session, keep_days=keep_days, report=report)
        await purge_outbox(
            session,
            keep_days=keep_days,
            # A failure stays on the deliveries page at least as long as a sent message stays.
            failed_keep_days=max(settings.purge_after_days, keep_days),
            report=report,
        )
        return report

    for line in run_in_session(work).lines():
        print(line)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    purge = sub.add_parser(
        "purge",
        help="erase a closed campaign's photos (and personal data) and old message rows",
        description="Run after PURGE_AFTER_DAYS (default 180) have passed since the campaign's "
        "window closed. Figures by status, district, school and subject are kept.",
    )
    purge.add_argument("--campaign", metavar="YEAR", help="e.g. 2026 (or a campaign file)")
    purge.add_argument(
        "--all", action="store_true", help="also the personal fields (PIN, passport, phones...)"
    )
    purge.add_argument("--dry-run", action="store_true", help="print what would go, change nothing")
    purge.add_argument(
        "--messages-days",
        type=int,
        metavar="N",
        help="delete channel_messages rows and sent outbox messages older than N days "
        "(default MESSAGES_KEEP_DAYS, 90)",
    )
    purge.set_defaults(handler=_purge)
