"""`ortbot serve` and `ortbot migrate`."""

from __future__ import annotations

import argparse
import asyncio

from config.settings import get_settings


def _serve(args: argparse.Namespace) -> int:
    from bot.app import serve

    asyncio.run(serve(get_settings()))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_head

    upgrade_head(get_settings().database_url)
    print("Database is up to date.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("serve", help="run the web, webhooks and enabled channels").set_defaults(
        handler=_serve
    )
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        handler=_migrate
    )
