"""The process's log: LOG_LEVEL and LOG_FORMAT (text for people, JSON lines for a collector).

Records may carry what the channel edges know about a turn, passed with ``extra=``:
``channel``, ``turn_id`` (the provider's id of the update: Telegram's update, Twilio's message
SID; never a chat id or a phone) and ``latency_ms``. Both formats print them when present.

Private data stays out at every level. The app's own messages name types and ids, never
values; the third-party loggers that quote SQL parameters are held where they cannot: the
engine hides its parameters (`storage.database`), and the drivers' statement logs are capped
below DEBUG here, whatever LOG_LEVEL says.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

CONTEXT_FIELDS = ("channel", "turn_id", "latency_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that print each statement with its parameters (PINs, passports, phones) at DEBUG:
# aiosqlite ("executing <partial … args>"), asyncpg's query logs, SQLAlchemy's echo.
PARAMETER_LOGGERS = {
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
}
_MARK = "_ortbot_handler"  # set on the handler this module installs, to replace it once


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the turn's context if known."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The classic line, with the turn's context appended as ``key=value`` when known."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = [
            f"{field}={getattr(record, field)}"
            for field in CONTEXT_FIELDS
            if getattr(record, field, None) is not None
        ]
        if not context:
            return line
        first, newline, rest = line.partition("\n")  # a traceback keeps its own lines
        return f"{first} [{' '.join(context)}]{newline}{rest}"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record comes (it may be replaced later)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: str, fmt: str = "text", *, stream: TextIO | None = None) -> None:
    """Send every logger's records at `level` and above to `stream` (stderr) in `fmt`.

    Called once by the command line; calling it again replaces what it installed, and leaves
    other handlers (a test's capture) alone.

    Args:
        level: a level name: DEBUG, INFO, WARNING, ERROR or CRITICAL.
        fmt: "text" (one readable line a record) or "json" (one JSON object a line).
        stream: where to write; stderr by default.

    """
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    hold_parameter_loggers()


def hold_parameter_loggers() -> None:
    """Keep the loggers that quote SQL parameters above the level where they do."""
    for name, floor in PARAMETER_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < floor:
            logger.setLevel(floor)
