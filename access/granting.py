"""The rules shared by single and bulk grants: where a grant belongs, who may open it.

- a school coordinator grants only current graduates, of their own school;
- a district coordinator grants current graduates of a school of their district, and МЖБ
  for a school of their district or 9999 (then the grant belongs to their district), after
  ticking every check the instruction requires;
- the central admin does not grant (the originals are seen by the coordinators);
- one phone, one grant per campaign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.codifier import UNLISTED_CODE, find_school, normalize_school_code
from access.scope import Scope
from core.validation import Rejected
from storage.credentials import SecretBox, new_access_code
from storage.enums import AuditFlag, GrantKind, MzhbCheck
from storage.models import AccessGrant, Officer, School
from storage.models.geography import search_key

REQUIRED_CHECKS = frozenset(MzhbCheck)


@dataclass
class IssuedGrant:
    """A new grant with its one-time access code in clear (shown once; exports decrypt it)."""

    grant: AccessGrant
    access_code: str


@dataclass(frozen=True)
class Placement:
    school: School
    district_id: int


def may_grant(scope: Scope, kind: GrantKind) -> bool:
    if scope.is_district:
        return True
    return scope.is_school and kind is GrantKind.CURRENT


def missing_checks(kind: GrantKind, checks: Iterable[str]) -> Rejected | None:
    """МЖБ needs all four checks ticked: none may be skipped."""
    if kind is not GrantKind.MZHB:
        return None
    ticked = {str(c) for c in checks}
    missing = sorted(c.value for c in REQUIRED_CHECKS if c.value not in ticked)
    if missing:
        return Rejected("access.grant.checks_missing", {"missing": missing})
    return None


async def place_grant(
    session: AsyncSession, scope: Scope, kind: GrantKind, school_code: str | None
) -> Placement | Rejected:
    """Resolve the school and owning district of a new grant, or say why it cannot be."""
    if not may_grant(scope, kind):
        return Rejected("access.scope.denied")
    if scope.is_school:
        own = await session.get(School, scope.school_id)
        if own is None or own.district_id is None:
            return Rejected("access.scope.denied")
        return Placement(own, own.district_id)
    code = normalize_school_code(school_code or "")
    if not code:
        return Rejected("access.grant.code_required")
    school = await find_school(session, code)
    if school is None:
        return Rejected("access.grant.school_unknown", {"code": code})
    if school.code == UNLISTED_CODE:
        if kind is not GrantKind.MZHB or scope.district_id is None:
            return Rejected("access.grant.unlisted_only_mzhb", {"code": code})
        return Placement(school, scope.district_id)
    if school.district_id is None or not scope.allows_school(school):
        return Rejected("access.scope.other_district", {"code": code})
    return Placement(school, school.district_id)


async def phone_taken(
    session: AsyncSession, scope: Scope, campaign_year: int, phone: str
) -> Rejected | None:
    """Refuse a phone already granted this campaign; name the holder only within scope."""
    grant = await session.scalar(
        select(AccessGrant).where(
            AccessGrant.campaign_year == campaign_year, AccessGrant.phone == phone
        )
    )
    if grant is None:
        return None
    return taken_message(scope, grant)


def taken_message(scope: Scope, grant: AccessGrant) -> Rejected:
    if scope.allows_grant(grant):
        return Rejected(
            "access.grant.phone_taken", {"name": grant.full_name, "code": grant.school.code}
        )
    return Rejected("access.grant.phone_taken_elsewhere")


def new_grant(
    *,
    actor: Officer,
    kind: GrantKind,
    phone: str,
    full_name: str,
    placement: Placement,
    campaign_year: int,
    secret_box: SecretBox,
) -> IssuedGrant:
    """Build (not add) a grant with a fresh one-time access code.

    МЖБ grants record every check: `missing_checks` has refused anything less.
    """
    code = new_access_code()
    grant = AccessGrant(
        campaign_year=campaign_year,
        kind=kind,
        phone=phone,
        full_name=full_name,
        full_name_search=search_key(full_name),
        school_id=placement.school.id,
        district_id=placement.district_id,
        checks=sorted(c.value for c in REQUIRED_CHECKS) if kind is GrantKind.MZHB else [],
        granted_by_id=actor.id,
        access_code_hash=secret_box.keyed_hash(code),
        access_code_encrypted=secret_box.encrypt(code),
    )
    return IssuedGrant(grant, code)


def grant_repr(grant: AccessGrant, school_code: str) -> str:
    return f"{grant.full_name} ({grant.kind.value}, {school_code})"


async def log_grant(
    session: AsyncSession, *, actor: Officer, grant: AccessGrant, school_code: str
) -> None:
    await log_action(
        session,
        actor=actor,
        action="grant.create",
        flag=AuditFlag.ADD,
        obj_type="grant",
        obj_id=grant.id,
        obj_repr=grant_repr(grant, school_code),
        changes=[
            {"field": "phone", "before": None, "after": grant.phone},
            {"field": "kind", "before": None, "after": grant.kind.value},
            {"field": "school", "before": None, "after": school_code},
            {"field": "checks", "before": None, "after": list(grant.checks)},
        ],
        district_id=grant.district_id,
    )
