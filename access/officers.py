"""Officer accounts: creation by the one above, passwords, login.

Who creates whom: the operator's command line creates central admins; a central admin creates
district coordinators; a district coordinator creates one school coordinator per school of
their district. Initial passwords are random, stored hashed and, until the owner replaces
them, encrypted with SECRET_KEY so the export can show them to whoever hands them over.

Rejected message ids: ``access.officer.*``, ``access.password.*``, ``access.scope.denied``
(access catalog) and ``error.phone.*``, ``error.name.*`` (bot catalog).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_officer_action
from access.exceptions import OutOfScope
from access.listing import name_or_number, one_page
from access.passwords import (
    authenticate,
    change_own_password,
    check_new_password,
    find_login,
    initial_password,
    password_matches,
)
from access.scope import Scope
from access.scoped import Scoped
from core.people import format_phone, validate_full_name, validate_phone
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox, hash_password_in_worker, new_password
from storage.enums import AuditFlag, Role
from storage.models import District, Officer, School
from storage.models.geography import search_key

__all__ = [
    "IssuedPassword",
    "authenticate",
    "change_own_password",
    "check_new_password",
    "create_admin",
    "create_officer",
    "find_login",
    "initial_password",
    "list_officers",
    "password_matches",
    "reset_password",
    "set_active",
]


@dataclass
class IssuedPassword:
    """A new account or a reset: the password is shown (or sent) once, then only encrypted."""

    officer: Officer
    password: str


async def _phone_and_name(
    session: AsyncSession, phone: str, full_name: str
) -> tuple[str, str] | Rejected:
    checked_phone = validate_phone(phone)
    if isinstance(checked_phone, Rejected):
        return checked_phone
    checked_name = validate_full_name(full_name)
    if isinstance(checked_name, Rejected):
        return checked_name
    taken = await session.scalar(select(Officer.id).where(Officer.phone == checked_phone.value))
    if taken is not None:
        return Rejected("access.officer.phone_taken", {"phone": format_phone(checked_phone.value)})
    return checked_phone.value, checked_name.value


async def _issue_initial_password(officer: Officer, secret_box: SecretBox) -> str:
    """Give `officer` a random password to hand over once and replace at the next login."""
    password = new_password()
    officer.password_hash = await hash_password_in_worker(password)
    officer.initial_password_encrypted = secret_box.encrypt(password)
    officer.must_change_password = True
    return password


async def _add_account(
    session: AsyncSession,
    *,
    actor: Officer | None,
    role: Role,
    phone: str,
    full_name: str,
    secret_box: SecretBox,
    where: dict[str, object],
) -> Accepted[IssuedPassword] | Rejected:
    """Add an account with a random initial password, once phone and name are valid.

    `where` places it (district, school) and is logged as its creation, with the role; an
    account made by an officer speaks their language until its owner picks one.
    """
    checked = await _phone_and_name(session, phone, full_name)
    if isinstance(checked, Rejected):
        return checked
    made_by = {} if actor is None else {"created_by_id": actor.id, "language": actor.language}
    officer = Officer(
        role=role,
        phone=checked[0],
        full_name=checked[1],
        full_name_search=search_key(checked[1]),
        is_active=True,
        **made_by,
        **where,
    )
    password = await _issue_initial_password(officer, secret_box)
    session.add(officer)
    await session.flush()
    await log_officer_action(
        session,
        actor=actor,
        officer=officer,
        action="officer.create",
        flag=AuditFlag.ADD,
        changes=[{"field": "role", "before": None, "after": role.value}]
        + [{"field": k, "before": None, "after": v} for k, v in where.items()],
    )
    return Accepted(IssuedPassword(officer, password))


async def create_admin(
    session: AsyncSession, *, phone: str, full_name: str, secret_box: SecretBox
) -> Accepted[IssuedPassword] | Rejected:
    """Create a central admin (the operator's command line); refuse a phone already in use."""
    return await _add_account(
        session,
        actor=None,
        role=Role.CENTRAL,
        phone=phone,
        full_name=full_name,
        secret_box=secret_box,
        where={},
    )


async def create_officer(
    session: AsyncSession,
    *,
    actor: Officer,
    role: Role,
    phone: str,
    full_name: str,
    secret_box: SecretBox,
    district_id: int | None = None,
    school_id: int | None = None,
) -> Accepted[IssuedPassword] | Rejected:
    """Create a coordinator account one level below `actor` ("Колдонуучуну түзүү").

    The admin creates ``district`` coordinators for `district_id`; a district coordinator
    creates the ``school`` coordinator of `school_id`, a school of their own district, and
    only while that school has no active coordinator.
    """
    scope = Scope.of(actor)
    where: dict[str, object]
    if scope.is_central and role is Role.DISTRICT:
        district = await session.get(District, district_id) if district_id else None
        if district is None:
            return Rejected("access.officer.district_unknown")
        where = {"district_id": district.id}
    elif scope.is_district and role is Role.SCHOOL:
        school = await session.get(School, school_id) if school_id else None
        if school is None:
            return Rejected("access.officer.school_unknown")
        if not scope.allows_school(school):
            return Rejected("access.scope.other_district", {"code": school.code})
        holder = await session.scalar(
            select(Officer).where(
                Officer.school_id == school.id,
                Officer.role == Role.SCHOOL,
                Officer.is_active.is_(True),
            )
        )
        if holder is not None:
            return Rejected(
                "access.officer.school_has_coordinator",
                {"code": school.code, "name": holder.full_name},
            )
        where = {"district_id": school.district_id, "school_id": school.id}
    else:
        return Rejected("access.scope.denied")
    return await _add_account(
        session,
        actor=actor,
        role=role,
        phone=phone,
        full_name=full_name,
        secret_box=secret_box,
        where=where,
    )


def _may_reset(scope: Scope, target: Officer) -> bool:
    if scope.is_central:
        return target.role is Role.DISTRICT
    return scope.is_district and target.role is Role.SCHOOL and scope.allows_officer(target)


async def reset_password(
    session: AsyncSession, *, actor: Officer | None, officer_id: int, secret_box: SecretBox
) -> Accepted[IssuedPassword] | Rejected:
    """Give the officer a new random password they must replace at the next login.

    The admin resets district coordinators, a district coordinator their school
    coordinators; `actor` None is the operator's command line, which may reset anyone.

    Raises:
        OutOfScope: when the officer does not exist or is not `actor`'s to see.

    """
    if actor is None:
        target = await session.get(Officer, officer_id)
        if target is None:
            raise OutOfScope()
    else:
        target = await Scoped(session, actor).officer(officer_id)
    if actor is not None and not _may_reset(Scope.of(actor), target):
        return Rejected("access.scope.denied")
    # Read before the reset: the owner may never have replaced the previous initial password.
    before = target.must_change_password
    password = await _issue_initial_password(target, secret_box)
    await log_officer_action(
        session,
        actor=actor,
        officer=target,
        action="officer.reset_password",
        changes=[{"field": "must_change_password", "before": before, "after": True}],
    )
    return Accepted(IssuedPassword(target, password))


async def list_officers(
    session: AsyncSession,
    *,
    actor: Officer,
    role: Role,
    query: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Officer], int]:
    """Return one page of the officers of `role` that `actor` may see, and their total.

    `query` matches a name substring (any case, Cyrillic too), phone digits or, for school
    coordinators, a school code prefix. Ordered by school code, then name.
    """
    stmt = Scope.of(actor).filter_officers(
        select(Officer)
        .outerjoin(School, Officer.school_id == School.id)
        .where(Officer.role == role)
    )
    condition = name_or_number(
        query, name_search=Officer.full_name_search, phone=Officer.phone, school_code=School.code
    )
    if condition is not None:
        stmt = stmt.where(condition)
    return await one_page(
        session,
        stmt,
        order_by=(School.code, Officer.full_name_search, Officer.id),
        offset=offset,
        limit=limit,
    )


async def set_active(
    session: AsyncSession, *, actor: Officer, officer_id: int, active: bool
) -> Accepted[Officer] | Rejected:
    """Block or unblock a coordinator one level below `actor` (a blocked one cannot log in).

    Raises:
        OutOfScope: when the officer does not exist or is not `actor`'s to see.

    """
    target = await Scoped(session, actor).officer(officer_id)
    if target.id == actor.id or not _may_reset(Scope.of(actor), target):
        return Rejected("access.scope.denied")
    if active and target.role is Role.SCHOOL and not target.is_active:
        holder = await session.scalar(
            select(Officer.full_name).where(
                Officer.school_id == target.school_id,
                Officer.is_active.is_(True),
                Officer.id != target.id,
            )
        )
        if holder is not None:
            code = target.school.code if target.school else ""
            return Rejected("access.officer.school_has_coordinator", {"code": code, "name": holder})
    before = target.is_active
    target.is_active = active
    await log_officer_action(
        session,
        actor=actor,
        officer=target,
        action="officer.activate" if active else "officer.deactivate",
        changes=[{"field": "is_active", "before": before, "after": active}],
    )
    return Accepted(target)
