"""Quick builders of codifier rows, officers and grants for tests (any backend).

Every helper takes the test's `AsyncSession`, adds the object, flushes (so ids exist) and
returns it; the caller's ``async with database.session()`` commits. `make_world` builds the
small world most access and web tests start from. Officers get the password
`PASSWORD` (hashed once per run, argon2 is slow on purpose) and no must-change flag unless
asked. Example::

    async with database.session() as s:
        district = await make_district(s)
        school = await make_school(s, "10101", district)
        teacher = await make_officer(s, Role.SCHOOL, school=school)
        grant = await make_grant(s, school=school, granted_by=teacher, secret_box=secret_box)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.credentials import SecretBox, hash_password, new_access_code
from storage.enums import GrantKind, MzhbCheck, Role
from storage.models import AccessGrant, District, Oblast, Officer, School

PASSWORD = "Sirsoz2026"  # noqa: S105 - the test officers' password
CAMPAIGN_YEAR = 2026
_numbers = itertools.count(1)


def phone(n: int | None = None) -> str:
    """Return a valid, distinct Kyrgyz mobile number in E.164 (+996555000001, ...)."""
    return f"+996555{n if n is not None else next(_numbers):06d}"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


async def make_district(
    session: AsyncSession, name: str = "Сокулук району", oblast: str = "Чүй облусу"
) -> District:
    """Return the district, creating it and its oblast when missing."""
    found = await session.scalar(select(Oblast).where(Oblast.name == oblast))
    if found is None:
        found = Oblast(name=oblast)
        session.add(found)
        await session.flush()
    district = await session.scalar(
        select(District).where(District.oblast_id == found.id, District.name == name)
    )
    if district is None:
        district = District(oblast_id=found.id, name=name)
        session.add(district)
        await session.flush()
    return district


async def make_school(
    session: AsyncSession, code: str, district: District | None, name: str | None = None
) -> School:
    school = School(
        code=code,
        name=name or f"№{code} орто мектеби",
        district_id=district.id if district else None,
    )
    session.add(school)
    await session.flush()
    return school


async def make_officer(
    session: AsyncSession,
    role: Role,
    *,
    phone_number: str | None = None,
    full_name: str = "Асанов Бакыт Токтогулович",
    district: District | None = None,
    school: School | None = None,
    must_change_password: bool = False,
    language: str = "ky",
) -> Officer:
    """A school coordinator takes its school's district unless `district` is given."""
    district_id = district.id if district else (school.district_id if school else None)
    officer = Officer(
        role=role,
        phone=phone_number or phone(),
        full_name=full_name,
        district_id=district_id,
        school_id=school.id if school else None,
        password_hash=_password_hash(),
        must_change_password=must_change_password,
        language=language,
    )
    session.add(officer)
    await session.flush()
    return officer


async def make_grant(
    session: AsyncSession,
    *,
    school: School,
    granted_by: Officer,
    secret_box: SecretBox,
    phone_number: str | None = None,
    full_name: str = "Жумабеков Нурлан Асылбекович",
    kind: GrantKind = GrantKind.CURRENT,
    district: District | None = None,
    code: str | None = None,
    campaign_year: int = CAMPAIGN_YEAR,
) -> AccessGrant:
    """A grant with access code `code` (random when None); МЖБ grants get every check."""
    code = code or new_access_code()
    district_id = district.id if district else (school.district_id or granted_by.district_id)
    grant = AccessGrant(
        campaign_year=campaign_year,
        kind=kind,
        phone=phone_number or phone(),
        full_name=full_name,
        school_id=school.id,
        district_id=district_id,
        checks=[c.value for c in MzhbCheck] if kind is GrantKind.MZHB else [],
        granted_by_id=granted_by.id,
        access_code_hash=secret_box.keyed_hash(code),
        access_code_encrypted=secret_box.encrypt(code),
    )
    session.add(grant)
    await session.flush()
    return grant


@dataclass
class World:
    """Two districts, three schools, one admin, a coordinator of each district, two teachers."""

    sokuluk: District
    alamudun: District
    school_a: School  # 10101, Sokuluk
    school_b: School  # 10102, Sokuluk, no coordinator
    school_c: School  # 20201, Alamudun
    admin: Officer
    sokuluk_coordinator: Officer
    alamudun_coordinator: Officer
    teacher_a: Officer  # school coordinator of 10101
    teacher_c: Officer  # school coordinator of 20201


async def make_world(session: AsyncSession) -> World:
    """Build the `World` (created in field order, so ids follow it)."""
    sokuluk = await make_district(session, "Сокулук району")
    alamudun = await make_district(session, "Аламүдүн району")
    school_a = await make_school(session, "10101", sokuluk, "Сокулук №1 орто мектеби")
    school_b = await make_school(session, "10102", sokuluk, "Гимназия им. Ч. Айтматова")
    school_c = await make_school(session, "20201", alamudun, "Лебединовка орто мектеби")
    return World(
        sokuluk=sokuluk,
        alamudun=alamudun,
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        admin=await make_officer(session, Role.CENTRAL, full_name="Бакиева Айгүл Мамытовна"),
        sokuluk_coordinator=await make_officer(
            session, Role.DISTRICT, district=sokuluk, full_name="Осмонов Талант Бекович"
        ),
        alamudun_coordinator=await make_officer(
            session, Role.DISTRICT, district=alamudun, full_name="Иванова Ольга Петровна"
        ),
        teacher_a=await make_officer(
            session, Role.SCHOOL, school=school_a, full_name="Токтогулова Жазгүл Асановна"
        ),
        teacher_c=await make_officer(
            session, Role.SCHOOL, school=school_c, full_name="Садыков Эрлан Маратович"
        ),
    )
