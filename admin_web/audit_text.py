"""The audit log as officers read it: one sentence per entry, names instead of ids.

The log stores what changed as data (`access.audit.log_action`); this module turns a page of
entries into sentences in the officer's language. The districts and schools an entry names by
id are looked up for the whole page at once (two queries, whatever the page size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import format_phone
from storage.models import AuditEntry, District, School

Text = Callable[..., str]
Has = Callable[[str], bool]

# Fields the log stores for the program, not for people (the list's rows are a link instead).
_HIDDEN_FIELDS = frozenset({"grant_ids"})


@dataclass
class AuditLine:
    """One entry ready for the page: its sentence, the details and a link to its rows."""

    entry: AuditEntry
    sentence: str
    details: list[str] = field(default_factory=list)
    rows: int | None = None


@dataclass
class _Names:
    districts: dict[int, str]
    schools: dict[int, str]


async def describe(
    session: AsyncSession, entries: Iterable[AuditEntry], *, text: Text, has: Has
) -> list[AuditLine]:
    """Return the sentences of `entries` (in the language `text` and `has` speak)."""
    entries = list(entries)
    names = await _names(session, entries)
    return [_line(entry, names, text, has) for entry in entries]


async def _names(session: AsyncSession, entries: list[AuditEntry]) -> _Names:
    district_ids: set[int] = set()
    school_ids: set[int] = set()
    for entry in entries:
        for change in entry.changes or []:
            for value in (change.get("before"), change.get("after")):
                if isinstance(value, int) and not isinstance(value, bool):
                    if change["field"] == "district_id":
                        district_ids.add(value)
                    elif change["field"] == "school_id":
                        school_ids.add(value)
    districts: dict[int, str] = {}
    schools: dict[int, str] = {}
    if district_ids:
        rows = await session.execute(
            select(District.id, District.name).where(District.id.in_(district_ids))
        )
        districts = {i: n for i, n in rows.all()}
    if school_ids:
        rows = await session.execute(
            select(School.id, School.code, School.name).where(School.id.in_(school_ids))
        )
        schools = {i: f"{c} {n}" for i, c, n in rows.all()}
    return _Names(districts, schools)


def _line(entry: AuditEntry, names: _Names, text: Text, has: Has) -> AuditLine:
    who = entry.actor.full_name if entry.actor is not None else text("audit.operator")
    sentence_id = f"audit.sentence.{entry.action}"
    if has(sentence_id):
        sentence = text(sentence_id, who=who, object=entry.object_repr)
    else:
        action_id = f"audit.action.{entry.action}"
        action = text(action_id) if has(action_id) else entry.action
        sentence = f"{who}: {action} — {entry.object_repr}"
    line = AuditLine(entry, sentence)
    for change in entry.changes or []:
        name = change["field"]
        if name in _HIDDEN_FIELDS:
            continue
        if name == "rows":
            line.rows = int(change.get("after") or 0)
        label_id = f"audit.field.{name}"
        label = text(label_id) if has(label_id) else name
        after = _value(name, change.get("after"), names, text, has)
        if change.get("before") is None:
            line.details.append(f"{label}: {after}")
        else:
            before = _value(name, change.get("before"), names, text, has)
            line.details.append(f"{label}: {before} → {after}")
    return line


def _value(name: str, value: Any, names: _Names, text: Text, has: Has) -> str:
    """Say a stored value as people do: yes/no, a district's name, a check's wording."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return text("audit.yes" if value else "audit.no")
    if name == "district_id" and isinstance(value, int):
        return names.districts.get(value, "—")
    if name == "school_id" and isinstance(value, int):
        return names.schools.get(value, "—")
    if name == "phone" and isinstance(value, str):
        return format_phone(value)
    if isinstance(value, list):
        return ", ".join(_named(name, item, text, has) for item in value) or "—"
    return _named(name, value, text, has)


def _named(name: str, value: Any, text: Text, has: Has) -> str:
    """Return the wording of a code value (a role, a check, a kind of grant), else itself."""
    for prefix in (f"audit.value.{name}.", _VALUE_CATALOG.get(name, "")):
        if prefix and has(prefix + str(value)):
            return text(prefix + str(value))
    return str(value)


# Values already worded elsewhere in the catalogs.
_VALUE_CATALOG = {
    "role": "access.role.",
    "checks": "access.check.",
    "kind": "review.kind.",
    "status": "review.status.",
}
