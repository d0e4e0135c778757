"""Access grants: "Мектептерге кирүү" (current graduates) and "МЖБга кирүү" (earlier years).

A grant lets one phone register for one campaign. Its one-time access code is stored as a
keyed hash (the bot looks it up) and encrypted (the export prints it).

Rejected message ids: ``access.grant.*``, ``access.scope.*``, ``access.bulk.*``,
``access.file.*`` (access catalog) and ``error.phone.*``, ``error.name.*`` (bot catalog);
`access.i18n.render` finds either.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.grant_lists import (
    BulkResult,
    GrantListReport,
    GrantRow,
    check_grant_list,
    create_grants_bulk,
    parse_grant_list,
)
from access.granting import (
    IssuedGrant,
    grant_repr,
    log_grant,
    missing_checks,
    new_grant,
    phone_taken,
    place_grant,
)
from access.listing import name_or_number, one_page
from access.scope import Scope
from access.scoped import Scoped
from config.campaign import Campaign
from core.people import validate_full_name, validate_phone
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox, new_access_code
from storage.enums import AuditFlag, GrantKind
from storage.models import AccessGrant, Officer, School

__all__ = [
    "BulkResult",
    "GrantListReport",
    "GrantRow",
    "IssuedGrant",
    "access_code",
    "check_grant_list",
    "create_grant",
    "create_grants_bulk",
    "list_grants",
    "parse_grant_list",
    "regenerate_access_code",
]


async def create_grant(
    session: AsyncSession,
    *,
    actor: Officer,
    kind: GrantKind,
    phone: str,
    full_name: str,
    school_code: str | None,
    checks: Iterable[str],
    campaign: Campaign,
    secret_box: SecretBox,
) -> Accepted[IssuedGrant] | Rejected:
    """Open access for one applicant ("Колдонуучуну түзүү" / "МЖБга кирүү ачуу").

    Args:
        session: the caller's transaction.
        actor: a district or school coordinator.
        kind: current graduate or МЖБ.
        phone: as typed; normalized to E.164.
        full_name: surname, name and patronymic as typed.
        school_code: a code of the codifier (9999 for МЖБ from an unlisted school); ignored
            for a school coordinator, whose own school is used.
        checks: the МЖБ checks ticked (all four are required for МЖБ).
        campaign: the campaign the grant is for.
        secret_box: encrypts the access code.

    """
    scope = Scope.of(actor)
    placement = await place_grant(session, scope, kind, school_code)
    if isinstance(placement, Rejected):
        return placement
    checked_phone = validate_phone(phone)
    if isinstance(checked_phone, Rejected):
        return checked_phone
    checked_name = validate_full_name(full_name)
    if isinstance(checked_name, Rejected):
        return checked_name
    problem = missing_checks(kind, checks) or await phone_taken(
        session, scope, campaign.year, checked_phone.value
    )
    if problem is not None:
        return problem
    issued = new_grant(
        actor=actor,
        kind=kind,
        phone=checked_phone.value,
        full_name=checked_name.value,
        placement=placement,
        campaign_year=campaign.year,
        secret_box=secret_box,
    )
    try:
        async with session.begin_nested():
            session.add(issued.grant)
            await session.flush()
    except IntegrityError:
        # Someone granted the same phone between our check and our insert.
        taken = await phone_taken(session, scope, campaign.year, checked_phone.value)
        return taken or Rejected("access.grant.phone_taken_elsewhere")
    await log_grant(session, actor=actor, grant=issued.grant, school_code=placement.school.code)
    return Accepted(issued)


def access_code(grant: AccessGrant, secret_box: SecretBox) -> str | None:
    """Return the grant's access code while unused, else None."""
    if grant.access_code_used_at is not None:
        return None
    return secret_box.decrypt(grant.access_code_encrypted)


async def list_grants(
    session: AsyncSession,
    *,
    actor: Officer,
    kind: GrantKind | None,
    campaign_year: int,
    query: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AccessGrant], int]:
    """Return one page of the grants `actor` may see, newest first, and their total.

    `query` matches a name substring (any case, Cyrillic too), phone digits, or a school code
    prefix.
    """
    stmt = Scope.of(actor).filter_grants(
        select(AccessGrant)
        .join(School, AccessGrant.school_id == School.id)
        .where(AccessGrant.campaign_year == campaign_year)
    )
    if kind is not None:
        stmt = stmt.where(AccessGrant.kind == kind)
    condition = name_or_number(
        query,
        name_search=AccessGrant.full_name_search,
        phone=AccessGrant.phone,
        school_code=School.code,
    )
    if condition is not None:
        stmt = stmt.where(condition)
    return await one_page(
        session,
        stmt,
        order_by=(AccessGrant.created_at.desc(), AccessGrant.id.desc()),
        offset=offset,
        limit=limit,
    )


async def regenerate_access_code(
    session: AsyncSession, *, actor: Officer, grant_id: int, secret_box: SecretBox
) -> Accepted[IssuedGrant]:
    """Replace a lost access code; the old one stops working and the new one is unused.

    Raises:
        OutOfScope: when the grant does not exist or is not `actor`'s to see.

    """
    grant = await Scoped(session, actor).grant(grant_id)
    code = new_access_code()
    was_used = grant.access_code_used_at is not None
    grant.access_code_hash = secret_box.keyed_hash(code)
    grant.access_code_encrypted = secret_box.encrypt(code)
    grant.access_code_used_at = None
    await log_action(
        session,
        actor=actor,
        action="grant.new_access_code",
        flag=AuditFlag.CHANGE,
        obj_type="grant",
        obj_id=grant.id,
        obj_repr=grant_repr(grant, grant.school.code),
        changes=[{"field": "access_code_used", "before": was_used, "after": False}],
        district_id=grant.district_id,
    )
    return Accepted(IssuedGrant(grant, code))
