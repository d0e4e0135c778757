"""What a validator returns: an accepted value, or a rejection the user sees as text.

Validators are pure functions ``(text, context) -> Accepted | Rejected``. A rejection carries a
message id of the `bot` catalog (and its parameters), never a translated string, so the web and
every channel render it in the user's own language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# C0 controls but tab, line feed and carriage return (a textarea sends CRLF), DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Accepted(Generic[T]):
    value: T
    # Related fields a validator may fill (the PIN fills birth date and gender).
    also: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    message_id: str
    params: dict[str, Any] = field(default_factory=dict)


Result = Accepted[T] | Rejected


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character no person types (NUL, BEL, ESC, C1...).

    Tab, line feed and carriage return are typed; PostgreSQL refuses NUL in text outright, so
    input with one is turned away where it arrives rather than failing in the database.
    """
    return _CONTROL.search(text) is not None


def remove_control_characters(text: str) -> str:
    """Return `text` without the control characters `has_control_characters` finds."""
    return _CONTROL.sub("", text)
