"""The `ortbot` command line. Every failure prints one line and exits non-zero.

Each module of `bot/commands/` adds its subcommands through ``register(subparsers)``; a handler
takes the parsed arguments and returns the exit code. Bad input is reported by raising
`CommandError` (or `ConfigError`) with a one-line message.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence

import bot.commands
from bot.commands.errors import CommandError
from config.exceptions import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ortbot", description="ORT (ЖРТ) registration bot")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(bot.commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"bot.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


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
    except Exception as exc:  # noqa: BLE001 - an operator gets one line, not a traceback
        if os.environ.get("ORTBOT_DEBUG"):
            raise
        # Only the first line: SQLAlchemy appends the statement's parameters after it.
        summary = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(
            f"ortbot {args.command}: failed: {summary} (set ORTBOT_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
