"""Officer accounts: who creates whom, passwords, login, the audit entries they leave."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from access import officers
from access.audit import list_audit
from access.exceptions import OutOfScope
from access.scoped import Scoped
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import AuditFlag, Role
from storage.models import AuditEntry, Officer
from tests.factories import PASSWORD, World


async def test_admin_creates_a_district_coordinator_with_a_one_time_password(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        result = await officers.create_officer(
            s,
            actor=world.admin,
            role=Role.DISTRICT,
            phone="0700 123-456",
            full_name="асанов бакыт",
            secret_box=secret_box,
            district_id=world.sokuluk.id,
        )
    assert isinstance(result, Accepted)
    issued = result.value
    async with database.session() as s:
        created = await s.get(Officer, issued.officer.id)
        assert created.phone == "+996700123456"
        assert created.full_name == "Асанов Бакыт"
        assert created.district_id == world.sokuluk.id and created.must_change_password
        assert officers.initial_password(created, secret_box) == issued.password
        assert await officers.authenticate(s, phone_text="0700123456", password=issued.password)
        entries, total = await list_audit(s, actor=world.admin)
    assert total == 1
    assert entries[0].action == "officer.create" and entries[0].flag is AuditFlag.ADD
    assert entries[0].district_id == world.sokuluk.id
    assert issued.password not in str(entries[0].changes)


async def test_district_coordinator_creates_one_school_coordinator_per_school(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        first = await officers.create_officer(
            s,
            actor=world.sokuluk_coordinator,
            role=Role.SCHOOL,
            phone="+996 555 700 001",
            full_name="Мамытова Нургүл Асановна",
            secret_box=secret_box,
            school_id=world.school_b.id,
        )
        second = await officers.create_officer(
            s,
            actor=world.sokuluk_coordinator,
            role=Role.SCHOOL,
            phone="+996 555 700 002",
            full_name="Бекова Аида",
            secret_box=secret_box,
            school_id=world.school_b.id,
        )
    assert isinstance(first, Accepted)
    assert first.value.officer.district_id == world.sokuluk.id
    assert isinstance(second, Rejected)
    assert second.message_id == "access.officer.school_has_coordinator"
    assert second.params["name"] == "Мамытова Нургүл Асановна"


async def test_refusals_write_nothing(database: Database, world: World, secret_box: SecretBox):
    cases = [
        (world.sokuluk_coordinator, Role.SCHOOL, {"school_id": world.school_c.id}),
        (world.sokuluk_coordinator, Role.DISTRICT, {"district_id": world.sokuluk.id}),
        (world.teacher_a, Role.SCHOOL, {"school_id": world.school_a.id}),
        (world.admin, Role.SCHOOL, {"school_id": world.school_b.id}),
        (world.admin, Role.DISTRICT, {"district_id": 999_999}),
    ]
    expected = [
        "access.scope.other_district",
        "access.scope.denied",
        "access.scope.denied",
        "access.scope.denied",
        "access.officer.district_unknown",
    ]
    async with database.session() as s:
        got = []
        for actor, role, where in cases:
            result = await officers.create_officer(
                s,
                actor=actor,
                role=role,
                phone="+996555700010",
                full_name="Абдыкадыров Улан",
                secret_box=secret_box,
                **where,
            )
            assert isinstance(result, Rejected)
            got.append(result.message_id)
    assert got == expected
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(Officer)) == 5
        assert await s.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_taken_phone_and_bad_name_are_refused(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        taken = await officers.create_officer(
            s,
            actor=world.admin,
            role=Role.DISTRICT,
            phone=world.teacher_a.phone,
            full_name="Асанов Бакыт",
            secret_box=secret_box,
            district_id=world.sokuluk.id,
        )
        bad_name = await officers.create_admin(
            s, phone="+996555700020", full_name="Asanov", secret_box=secret_box
        )
        bad_phone = await officers.create_admin(
            s, phone="12345", full_name="Асанов Бакыт", secret_box=secret_box
        )
    assert isinstance(taken, Rejected) and taken.message_id == "access.officer.phone_taken"
    assert isinstance(bad_name, Rejected) and bad_name.message_id == "error.name.parts"
    assert isinstance(bad_phone, Rejected) and bad_phone.message_id.startswith("error.phone.")


async def test_reset_password_follows_the_chain_of_command(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        by_admin = await officers.reset_password(
            s, actor=world.admin, officer_id=world.sokuluk_coordinator.id, secret_box=secret_box
        )
        by_district = await officers.reset_password(
            s,
            actor=world.sokuluk_coordinator,
            officer_id=world.teacher_a.id,
            secret_box=secret_box,
        )
        with pytest.raises(OutOfScope):  # another district's account
            await officers.reset_password(
                s,
                actor=world.sokuluk_coordinator,
                officer_id=world.teacher_c.id,
                secret_box=secret_box,
            )
        upward = await officers.reset_password(
            s, actor=world.teacher_a, officer_id=world.teacher_a.id, secret_box=secret_box
        )
    assert isinstance(by_admin, Accepted) and isinstance(by_district, Accepted)
    assert isinstance(upward, Rejected) and upward.message_id == "access.scope.denied"
    async with database.session() as s:
        teacher = await s.get(Officer, world.teacher_a.id)
        assert teacher.must_change_password
        assert officers.initial_password(teacher, secret_box) == by_district.value.password
        assert await officers.authenticate(s, phone_text=teacher.phone, password=PASSWORD) is None
        entries, _ = await list_audit(s, actor=world.sokuluk_coordinator)
    assert [e.action for e in entries] == ["officer.reset_password"] * 2


async def test_changing_the_password_forgets_the_initial_one(
    database: Database, world: World, secret_box: SecretBox
) -> None:
    async with database.session() as s:
        issued = await officers.reset_password(
            s, actor=world.admin, officer_id=world.sokuluk_coordinator.id, secret_box=secret_box
        )
        officer = issued.value.officer
        old = issued.value.password
        attempts = {
            "access.password.wrong_current": ("wrong", "Toonuu2026", "Toonuu2026"),
            "access.password.too_short": (old, "Ab1", "Ab1"),
            "access.password.letters_digits": (old, "onlyletters", "onlyletters"),
            "access.password.same": (old, old, old),
            "access.password.mismatch": (old, "Toonuu2026", "Toonuu2027"),
        }
        for message_id, (current, new, repeat) in attempts.items():
            result = await officers.change_own_password(
                s, officer=officer, current=current, new=new, repeat=repeat
            )
            assert isinstance(result, Rejected) and result.message_id == message_id
        done = await officers.change_own_password(
            s, officer=officer, current=old, new="Тоонуу2026", repeat="Тоонуу2026"
        )
    assert isinstance(done, Accepted)
    async with database.session() as s:
        saved = await s.get(Officer, officer.id)
        assert not saved.must_change_password and saved.password_changed_at is not None
        assert officers.initial_password(saved, secret_box) is None
        assert await officers.authenticate(s, phone_text=saved.phone, password="Тоонуу2026")
        assert await officers.authenticate(s, phone_text=saved.phone, password=old) is None


async def test_unknown_phone_and_blocked_officer_cannot_log_in(
    database: Database, world: World
) -> None:
    async with database.session() as s:
        assert await officers.authenticate(s, phone_text="+996555999999", password=PASSWORD) is None
        assert await officers.authenticate(s, phone_text="not a phone", password=PASSWORD) is None
        assert await officers.authenticate(s, phone_text=world.teacher_a.phone, password=PASSWORD)
        blocked = await officers.set_active(
            s, actor=world.sokuluk_coordinator, officer_id=world.teacher_a.id, active=False
        )
        assert isinstance(blocked, Accepted)
    async with database.session() as s:
        assert (
            await officers.authenticate(s, phone_text=world.teacher_a.phone, password=PASSWORD)
            is None
        )


async def test_lists_show_only_what_the_officer_may_see(database: Database, world: World) -> None:
    async with database.session() as s:
        district_view, total = await officers.list_officers(
            s, actor=world.sokuluk_coordinator, role=Role.SCHOOL
        )
        admin_view, _ = await officers.list_officers(s, actor=world.admin, role=Role.DISTRICT)
        by_name, _ = await officers.list_officers(
            s, actor=world.admin, role=Role.SCHOOL, query="ЖАЗГҮЛ"
        )
        by_code, _ = await officers.list_officers(
            s, actor=world.admin, role=Role.SCHOOL, query="202"
        )
        teacher_view, _ = await officers.list_officers(s, actor=world.teacher_a, role=Role.SCHOOL)
        with pytest.raises(OutOfScope):
            await Scoped(s, world.sokuluk_coordinator).officer(world.teacher_c.id)
    assert [o.id for o in district_view] == [world.teacher_a.id] and total == 1
    assert {o.id for o in admin_view} == {
        world.sokuluk_coordinator.id,
        world.alamudun_coordinator.id,
    }
    assert [o.id for o in by_name] == [world.teacher_a.id]
    assert [o.id for o in by_code] == [world.teacher_c.id]
    assert [o.id for o in teacher_view] == [world.teacher_a.id]
