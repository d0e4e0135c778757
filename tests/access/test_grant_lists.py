"""Many grants from one file: every row checked, nothing granted until the list is clean."""

from __future__ import annotations

from sqlalchemy import func, select

from access import grants
from config.campaign import Campaign
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, MzhbCheck
from storage.models import AccessGrant, AuditEntry
from tests.factories import World, make_grant

GRADUATES = (
    "Телефон;Аты-жөнү\n"
    "0555 200 001;Асанова Айпери Бакытовна\n"
    "+996 555 200 002;Мамытов Эрмек\n"
    "12345;Кадыров Нурбек\n"
    "0555200004;Кадыров\n"
    "0555-200-001;Дагы Бирөө\n"
)


async def counts(database: Database) -> tuple[int, int]:
    async with database.session() as s:
        return (
            await s.scalar(select(func.count()).select_from(AccessGrant)),
            await s.scalar(select(func.count()).select_from(AuditEntry)),
        )


def test_every_bad_row_is_listed_with_its_reason() -> None:
    report = grants.parse_grant_list(GRADUATES.encode(), "list.csv", kind=GrantKind.CURRENT)
    assert [r.phone for r in report.rows] == ["+996555200001", "+996555200002"]
    assert [(e.line, e.message_id) for e in report.errors] == [
        (4, "error.phone.format"),
        (5, "error.name.parts"),
        (6, "access.grant.phone_repeated"),
    ]
    assert report.errors[2].params == {"line": 2}


def test_mzhb_list_needs_a_school_code_column() -> None:
    report = grants.parse_grant_list(GRADUATES.encode(), "list.csv", kind=GrantKind.MZHB)
    assert report.file_error is not None
    assert report.file_error.message_id == "access.file.missing_column.school_code"


async def test_nothing_is_granted_while_errors_remain_unless_only_valid(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    report = grants.parse_grant_list(GRADUATES.encode(), "list.csv", kind=GrantKind.CURRENT)
    async with database.session() as s:
        refused = await grants.create_grants_bulk(
            s,
            actor=world.teacher_a,
            kind=GrantKind.CURRENT,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
        )
    assert isinstance(refused, Rejected) and refused.message_id == "access.bulk.has_errors"
    assert refused.params["count"] == 3
    assert await counts(database) == (0, 0)
    async with database.session() as s:
        done = await grants.create_grants_bulk(
            s,
            actor=world.teacher_a,
            kind=GrantKind.CURRENT,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
            only_valid=True,
        )
    assert isinstance(done, Accepted)
    assert len(done.value.issued) == 2 and len(done.value.skipped) == 3
    assert all(i.grant.school_id == world.school_a.id for i in done.value.issued)
    assert await counts(database) == (2, 1)  # one log entry for the whole list


async def test_phones_granted_before_count_as_errors(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        await make_grant(
            s,
            school=world.school_c,
            granted_by=world.teacher_c,
            secret_box=secret_box,
            phone_number="+996555200002",
            campaign_year=campaign.year,
        )
    text = "phone,full name\n0555200001,Асанова Айпери\n0555200002,Мамытов Эрмек\n"
    report = grants.parse_grant_list(text.encode(), "list.csv", kind=GrantKind.CURRENT)
    assert report.ok
    async with database.session() as s:
        errors = await grants.check_grant_list(
            s, actor=world.teacher_a, report=report, campaign=campaign
        )
        refused = await grants.create_grants_bulk(
            s,
            actor=world.teacher_a,
            kind=GrantKind.CURRENT,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
        )
    assert [(e.line, e.message_id) for e in errors] == [(3, "access.grant.phone_taken_elsewhere")]
    assert isinstance(refused, Rejected) and refused.message_id == "access.bulk.has_errors"
    assert await counts(database) == (1, 0)


async def test_district_mzhb_list_with_codes_and_checks(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    text = (
        "ФИО,Телефон,Код школы\n"
        "Ким Виктор Сергеевич,0555300001,10102\n"
        "Осмонова Гүлзат,0555300002,9999\n"
        "Петров Иван,0555300003,20201\n"
    )
    report = grants.parse_grant_list(text.encode(), "mzhb.csv", kind=GrantKind.MZHB)
    all_checks = [c.value for c in MzhbCheck]
    async with database.session() as s:
        unchecked = await grants.create_grants_bulk(
            s,
            actor=world.sokuluk_coordinator,
            kind=GrantKind.MZHB,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
            only_valid=True,
            checks=all_checks[:2],
        )
        by_teacher = await grants.create_grants_bulk(
            s,
            actor=world.teacher_a,
            kind=GrantKind.MZHB,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
            checks=all_checks,
        )
        done = await grants.create_grants_bulk(
            s,
            actor=world.sokuluk_coordinator,
            kind=GrantKind.MZHB,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
            only_valid=True,
            checks=all_checks,
        )
    assert isinstance(unchecked, Rejected) and unchecked.message_id == "access.grant.checks_missing"
    assert isinstance(by_teacher, Rejected) and by_teacher.message_id == "access.scope.denied"
    assert isinstance(done, Accepted)
    assert [(e.line, e.message_id) for e in done.value.skipped] == [
        (4, "access.scope.other_district")
    ]
    assert {i.grant.district_id for i in done.value.issued} == {world.sokuluk.id}
    assert await counts(database) == (2, 1)  # one log entry for the whole list
