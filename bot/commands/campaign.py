"""`ortbot campaign check FILE`: validate a campaign file before it is used."""

from __future__ import annotations

import argparse
from pathlib import Path

from config.campaign import load_campaign


def _check(args: argparse.Namespace) -> int:
    campaign = load_campaign(Path(args.file))
    for line in campaign.summary():
        print(line)
    print(f"{args.file}: valid")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("campaign", help="campaign files (one per ORT year)")
    commands = group.add_subparsers(dest="campaign_command", required=True, metavar="ACTION")
    check = commands.add_parser("check", help="validate a campaign file and print its summary")
    check.add_argument("file", help="e.g. campaigns/2027.toml")
    check.set_defaults(handler=_check)
