"""Many applicants at once: grants with distinct phones and access codes in one school."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import select

from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, Role
from storage.models import Officer, School
from tests.factories import make_district, make_grant, make_officer, make_school

_serials = itertools.count(1)
SCHOOL_CODE = "20202"


@dataclass(frozen=True)
class Granted:
    """One applicant's grant: what they type or share to prove who they are."""

    grant_id: int
    phone: str  # E.164
    code: str
    number: int  # distinct per applicant; their answers are derived from it


async def add_applicants(
    database: Database, secret_box: SecretBox, count: int, *, campaign_year: int
) -> list[Granted]:
    """Create `count` МЖБ grants (any year may register) under one district coordinator."""
    granted: list[Granted] = []
    async with database.session() as session:
        school = await session.scalar(select(School).where(School.code == SCHOOL_CODE))
        if school is None:
            district = await make_district(session)
            school = await make_school(session, SCHOOL_CODE, district)
            officer = await make_officer(session, Role.DISTRICT, district=district)
        else:
            officer = await session.scalar(
                select(Officer).where(Officer.district_id == school.district_id)
            )
        for _ in range(count):
            number = next(_serials)
            phone = f"+996700{number:06d}"
            code = f"RB{number:06d}"
            grant = await make_grant(
                session,
                school=school,
                granted_by=officer,
                secret_box=secret_box,
                phone_number=phone,
                kind=GrantKind.MZHB,
                code=code,
                campaign_year=campaign_year,
            )
            granted.append(Granted(grant.id, phone, code, number))
    return granted
