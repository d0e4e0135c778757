"""`ortbot remind`: send the reminders due now once (`--dry-run`: only count them)."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.accounts import run_in_session
from bot.commands.errors import CommandError
from config.campaign import Campaign, load_campaign
from config.settings import Settings, get_settings
from office.reminders import (
    Due,
    configured_channels,
    idle_reason,
    load_applicants,
    rule_names,
    select_due,
)
from storage.credentials import SecretBox
from storage.enums import Channel


def report(campaign: Campaign, due: list[Due], *, verb: str) -> list[str]:
    """Return one line per rule and channel with reminders, then the total."""
    counts = Counter((item.rule, item.channel) for item in due)
    lines = [
        f"{rule} {channel.value}: {counts[(rule, channel)]}"
        for rule in rule_names(campaign)
        for channel in (Channel.TELEGRAM, Channel.WHATSAPP)
        if counts[(rule, channel)]
    ]
    return [*lines, f"{verb}: {len(due)}"]


def _moment(value: str | None, campaign: Campaign) -> datetime:
    """Read --at; without an offset it is the campaign's local time."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--at: not a date and time: {value!r} (e.g. 2026-03-30T10:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(campaign.timezone))


def _remind(args: argparse.Namespace) -> int:
    settings = get_settings()
    campaign = load_campaign(settings.campaign)
    channels = configured_channels(settings)
    if not channels:
        raise CommandError(
            "no messaging channel is configured (TELEGRAM_BOT_TOKEN or TWILIO_*): nothing to send"
        )
    now = _moment(args.at, campaign)
    if args.at and not args.dry_run:
        raise CommandError("--at is only for --dry-run: reminders are sent now or never")
    idle = idle_reason(campaign, now)
    if idle:
        print(f"No reminders now: {idle}.")
        return 0
    if args.dry_run:

        async def count(session: AsyncSession, _: SecretBox, __: Settings) -> list[Due]:
            applicants = await load_applicants(session, campaign)
            return select_due(applicants, campaign, now=now, channels=channels)

        due = run_in_session(count)
        for line in report(campaign, due, verb="would be sent"):
            print(line)
        return 0
    due = asyncio.run(_send(settings, campaign))
    if due is None:
        print("Another process is sending reminders right now; nothing was sent.")
        return 0
    for line in report(campaign, due, verb="sent"):
        print(line)
    return 0


async def _send(settings: Settings, campaign: Campaign) -> list[Due] | None:
    from bot.app import create_app
    from bot.reminders import build_scheduler
    from bot.runtime import Runtime

    runtime = Runtime.from_settings(settings, campaign=campaign)
    try:
        create_app(runtime)  # builds the channels and the outbox sender; no network yet
        due = await build_scheduler(runtime).run_once()
        assert runtime.outbox is not None  # noqa: S101 - create_app sets it
        await runtime.outbox.drain()  # sends what is due now; a retry is left to `serve`
    finally:
        await runtime.close()
    return due


def register(sub: argparse._SubParsersAction) -> None:
    remind = sub.add_parser(
        "remind",
        help="send the reminders due now, once (serve also does it every few minutes)",
        description="Applies the [reminders] rules of the campaign file. Each reminder goes "
        "at most once per applicant; none in the quiet hours or to those who wrote STOP.",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="print per rule and channel how many would go"
    )
    remind.add_argument("--at", metavar="WHEN", help="with --dry-run: as if it were WHEN (ISO)")
    remind.set_defaults(handler=_remind)
