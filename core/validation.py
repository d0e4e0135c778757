"""What a validator returns: an accepted value, or a rejection the user sees as text.

Validators are pure functions ``(text, context) -> Accepted | Rejected``. A rejection carries a
message id of the `bot` catalog (and its parameters), never a translated string, so the web and
every channel render it in the user's own language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


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
