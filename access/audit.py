"""The audit log: one entry per officer action, written in the action's own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, String, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.listing import one_page
from access.scope import Scope
from core.people import format_phone, phone_search_digits
from storage.enums import AuditFlag
from storage.models import AuditEntry, Officer

# Field names that must never reach the log, whatever their value.
_SECRET_FIELDS = frozenset(
    {"password", "password_hash", "initial_password", "access_code", "access_code_hash", "pin"}
)
_REPR_LIMIT = 200


async def log_action(
    session: AsyncSession,
    *,
    actor: Officer | None,
    action: str,
    flag: AuditFlag,
    obj_type: str,
    obj_id: int | str | None,
    obj_repr: str,
    changes: Iterable[Mapping[str, Any]] = (),
    district_id: int | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (flushed with the caller's transaction).

    Args:
        session: the caller's session; the entry commits or rolls back with the action.
        actor: who acted; None for the operator's command line.
        action: a dotted verb such as ``grant.create`` or ``officer.reset_password``.
        flag: add, change or delete.
        obj_type: the kind of object (``grant``, ``officer``, ``codifier``...).
        obj_id: its id, if it has one.
        obj_repr: a short human snapshot of the object (cut to 200 characters).
        changes: ``{"field", "before", "after"}`` items. Secrets are refused here.
        district_id: the district the object belongs to, so its coordinator can read the entry.

    Raises:
        ValueError: when a change names a secret field (password, access code, PIN).

    """
    items = [
        {"field": str(c["field"]), "before": c.get("before"), "after": c.get("after")}
        for c in changes
    ]
    leaked = {item["field"] for item in items} & _SECRET_FIELDS
    if leaked:
        raise ValueError(f"secret fields must not be audited: {sorted(leaked)}")
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        flag=flag,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        object_repr=obj_repr[:_REPR_LIMIT],
        changes=items,
        district_id=district_id,
    )
    session.add(entry)
    return entry


def officer_repr(officer: Officer) -> str:
    """Name an officer account in the log: full name and login phone."""
    return f"{officer.full_name} ({format_phone(officer.phone)})"


async def log_officer_action(
    session: AsyncSession,
    *,
    actor: Officer | None,
    officer: Officer,
    action: str,
    flag: AuditFlag = AuditFlag.CHANGE,
    changes: Iterable[Mapping[str, Any]] = (),
) -> AuditEntry:
    """Log an action on an officer account, readable by the coordinator of its district.

    Args:
        session: the caller's session (see `log_action`).
        actor: who acted; the officer themselves for login, logout and their own password,
            None for the operator's command line.
        officer: the account acted on.
        action: a dotted verb such as ``officer.create`` or ``officer.login``.
        flag: add or change.
        changes: ``{"field", "before", "after"}`` items (no secrets).

    """
    return await log_action(
        session,
        actor=actor,
        action=action,
        flag=flag,
        obj_type="officer",
        obj_id=officer.id,
        obj_repr=officer_repr(officer),
        changes=changes,
        district_id=officer.district_id,
    )


@dataclass(frozen=True)
class AuditFilter:
    """What the officer asked the log for; None or "" means "any"."""

    officer_id: int | None = None
    action: str = ""
    date_from: datetime | None = None  # inclusive, aware
    date_to: datetime | None = None  # exclusive, aware
    query: str = ""


def _filtered(stmt: Select[Any], flt: AuditFilter) -> Select[Any]:
    if flt.officer_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == flt.officer_id)
    if flt.action:
        stmt = stmt.where(AuditEntry.action == flt.action)
    if flt.date_from is not None:
        stmt = stmt.where(AuditEntry.created_at >= flt.date_from.astimezone(UTC))
    if flt.date_to is not None:
        stmt = stmt.where(AuditEntry.created_at < flt.date_to.astimezone(UTC))
    text = " ".join(flt.query.split())
    if text:
        # The snapshot keeps the name as written ("Жумабеков Нурлан"): SQLite's lower() knows
        # no Cyrillic, so the usual spellings of what was typed are matched instead.
        spellings = {text, text.lower(), text.title(), text.upper(), text.capitalize()}
        condition = or_(*(AuditEntry.object_repr.contains(v, autoescape=True) for v in spellings))
        digits = phone_search_digits(text)
        if digits is not None:
            # A grant's phone is in its changes (E.164), an account's in its snapshot (spaced).
            condition = condition | cast(AuditEntry.changes, String).contains(digits)
            if len(digits) == 9:
                spaced = format_phone("+996" + digits)
                condition = condition | AuditEntry.object_repr.contains(spaced, autoescape=True)
        stmt = stmt.where(condition)
    return stmt


async def list_audit(
    session: AsyncSession,
    *,
    actor: Officer,
    flt: AuditFilter | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEntry], int]:
    """Return one page of the entries `actor` may read, newest first, and their total count.

    The admin reads everything, a district coordinator the entries of their district, a school
    coordinator their own actions. `flt` narrows by officer, action, dates, a name or a phone.
    """
    stmt = Scope.of(actor).filter_audit(select(AuditEntry))
    return await one_page(
        session,
        _filtered(stmt, flt or AuditFilter()),
        order_by=(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
        offset=offset,
        limit=limit,
    )


async def audit_choices(
    session: AsyncSession, *, actor: Officer
) -> tuple[list[tuple[int, str]], list[str]]:
    """Return the officers and the actions found in `actor`'s part of the log (for filters)."""
    scoped = Scope.of(actor).filter_audit(select(AuditEntry)).subquery()
    officers = await session.execute(
        select(Officer.id, Officer.full_name)
        .where(Officer.id.in_(select(scoped.c.actor_id).distinct()))
        .order_by(Officer.full_name)
    )
    actions = await session.scalars(select(scoped.c.action).distinct().order_by(scoped.c.action))
    return [(i, n) for i, n in officers.all()], list(actions)


async def audit_entry(session: AsyncSession, *, actor: Officer, entry_id: int) -> AuditEntry | None:
    """Return one entry `actor` may read, else None (as if it did not exist)."""
    stmt = Scope.of(actor).filter_audit(select(AuditEntry).where(AuditEntry.id == entry_id))
    return (await session.scalars(stmt)).unique().one_or_none()
