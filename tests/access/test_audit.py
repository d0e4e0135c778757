"""The audit log: secrets refused, newest first, each officer reads their own share."""

from __future__ import annotations

import pytest

from access.audit import list_audit, log_action
from access.scope import Scope
from storage.database import Database
from storage.enums import AuditFlag
from tests.factories import World


async def entry(s, actor, action, district_id=None):
    await log_action(
        s,
        actor=actor,
        action=action,
        flag=AuditFlag.CHANGE,
        obj_type="test",
        obj_id=1,
        obj_repr="x" * 300,
        district_id=district_id,
    )


async def test_secrets_never_reach_the_log(database: Database, world: World) -> None:
    async with database.session() as s:
        for field in ("password", "access_code", "pin"):
            with pytest.raises(ValueError, match="secret"):
                await log_action(
                    s,
                    actor=world.admin,
                    action="x",
                    flag=AuditFlag.CHANGE,
                    obj_type="officer",
                    obj_id=1,
                    obj_repr="x",
                    changes=[{"field": field, "before": None, "after": "hunter2"}],
                )


async def test_each_officer_reads_their_share_newest_first(database: Database, world: World):
    async with database.session() as s:
        await entry(s, world.admin, "codifier.import")
        await entry(s, world.sokuluk_coordinator, "officer.create", world.sokuluk.id)
        await entry(s, world.teacher_a, "grant.create", world.sokuluk.id)
        await entry(s, world.teacher_c, "grant.create", world.alamudun.id)
    async with database.session() as s:
        admin, admin_total = await list_audit(s, actor=world.admin, limit=2)
        second_page, _ = await list_audit(s, actor=world.admin, offset=2, limit=2)
        district, _ = await list_audit(s, actor=world.sokuluk_coordinator)
        teacher, _ = await list_audit(s, actor=world.teacher_a)
    assert admin_total == 4
    assert [e.actor_id for e in admin + second_page] == [
        world.teacher_c.id,
        world.teacher_a.id,
        world.sokuluk_coordinator.id,
        world.admin.id,
    ]
    assert [e.actor_id for e in district] == [world.teacher_a.id, world.sokuluk_coordinator.id]
    assert [e.actor_id for e in teacher] == [world.teacher_a.id]
    assert len(admin[0].object_repr) == 200 and admin[0].actor.full_name


def test_scope_predicates_agree_with_the_rules(world: World) -> None:
    district = Scope.of(world.sokuluk_coordinator)
    teacher = Scope.of(world.teacher_a)
    assert district.allows_school(world.school_b) and not district.allows_school(world.school_c)
    assert teacher.allows_school(world.school_a) and not teacher.allows_school(world.school_b)
    assert district.allows_officer(world.teacher_a) and not district.allows_officer(world.teacher_c)
    assert not district.allows_officer(world.alamudun_coordinator)
    assert not teacher.allows_officer(world.sokuluk_coordinator)
    assert Scope.of(world.admin).allows_district(world.alamudun.id)
    assert district.allows_district(world.sokuluk.id)
    assert not district.allows_district(world.alamudun.id)
    assert not teacher.allows_district(world.sokuluk.id)
