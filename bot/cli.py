"""The `ortbot` command line. Every failure prints one line and exits non-zero.

Each module of `bot/commands/` adds its subcommands through ``register(subparsers)``; a handler
takes the parsed arguments and returns the exit code. Bad input is reported by raising
`CommandError` (or `ConfigError`) with a one-line message.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

import bot.commands
from bot.commands.errors import CommandError
from bot.logs import configure_logging
from config.exceptions import ConfigError
from config.settings import get_settings


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
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        settings = get_settings()
        configure_logging(settings.log_level, settings.log_format)
        return handler(args)
    except (CommandError, ConfigError) as exc:
        print(f"ortbot {args.command}: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:  # a setting of the environment has a wrong value
        print(f"ortbot {args.command}: {_bad_settings(exc)}", file=sys.stderr)
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


def _bad_settings(error: ValidationError) -> str:
    # Names and reasons only: the value given may be a secret.
    return "; ".join(
        f"{'_'.join(str(part) for part in e['loc']).upper() or 'settings'}: {e['msg']}"
        for e in error.errors()
    )


if __name__ == "__main__":
    sys.exit(main())
