"""The `ortbot` command line. Every failure prints one line and exits non-zero."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from config.exceptions import ConfigError
from config.settings import get_settings


def _cmd_serve(args: argparse.Namespace) -> int:
    from bot.app import serve

    asyncio.run(serve(get_settings()))
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_head

    upgrade_head(get_settings().database_url)
    print("Database is up to date.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ortbot", description="ORT registration bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the web, the webhooks and the enabled channels").set_defaults(
        handler=_cmd_serve
    )
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        handler=_cmd_migrate
    )
    return parser


class CommandError(Exception):
    """Raised by a command for bad input; its message is printed as the one-line error."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (CommandError, ConfigError) as exc:
        print(f"ortbot {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
