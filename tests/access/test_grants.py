"""Access grants, one at a time: who may open access for whom, and what stays unwritten."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from access import grants
from access.audit import list_audit
from access.exceptions import OutOfScope
from access.scoped import Scoped
from config.campaign import Campaign
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, MzhbCheck
from storage.models import AccessGrant
from tests.factories import World

ALL_CHECKS = [c.value for c in MzhbCheck]


async def grant(database, actor, campaign, secret_box, **fields):
    values = {
        "kind": GrantKind.CURRENT,
        "phone": "0555 100 200",
        "full_name": "Жумабеков Нурлан Асылбекович",
        "school_code": None,
        "checks": (),
    } | fields
    async with database.session() as s:
        return await grants.create_grant(
            s, actor=actor, campaign=campaign, secret_box=secret_box, **values
        )


async def count_grants(database: Database) -> int:
    async with database.session() as s:
        return await s.scalar(select(func.count()).select_from(AccessGrant))


async def test_school_coordinator_grants_a_graduate_of_their_own_school(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    result = await grant(database, world.teacher_a, campaign, secret_box, school_code="20201")
    assert isinstance(result, Accepted)
    issued = result.value
    async with database.session() as s:
        saved = await s.get(AccessGrant, issued.grant.id)
        entries, _ = await list_audit(s, actor=world.sokuluk_coordinator)
    assert saved.school_id == world.school_a.id and saved.district_id == world.sokuluk.id
    assert saved.phone == "+996555100200" and saved.campaign_year == campaign.year
    assert saved.access_code_hash == secret_box.keyed_hash(issued.access_code)
    assert grants.access_code(saved, secret_box) == issued.access_code
    assert [e.action for e in entries] == ["grant.create"]
    assert issued.access_code not in str(entries[0].changes) + entries[0].object_repr


async def test_school_coordinator_cannot_open_mzhb(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    result = await grant(
        database, world.teacher_a, campaign, secret_box, kind=GrantKind.MZHB, checks=ALL_CHECKS
    )
    assert isinstance(result, Rejected) and result.message_id == "access.scope.denied"
    assert await count_grants(database) == 0


async def test_district_coordinator_refusals_write_nothing(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    actor = world.sokuluk_coordinator
    cases = {
        "access.scope.other_district": {"school_code": "20201"},
        "access.grant.school_unknown": {"school_code": "77777"},
        "access.grant.code_required": {"school_code": " "},
        "access.grant.unlisted_only_mzhb": {"school_code": "9999"},
        "access.grant.checks_missing": {
            "school_code": "9999",
            "kind": GrantKind.MZHB,
            "checks": ALL_CHECKS[:3],
        },
        "error.phone.format": {"school_code": "10101", "phone": "555"},
        "error.name.letters": {"school_code": "10101", "full_name": "Иванов 1van"},
    }
    for message_id, fields in cases.items():
        result = await grant(database, actor, campaign, secret_box, **fields)
        assert isinstance(result, Rejected), message_id
        assert result.message_id == message_id
    refused = await grant(database, world.admin, campaign, secret_box, school_code="10101")
    assert isinstance(refused, Rejected) and refused.message_id == "access.scope.denied"
    assert await count_grants(database) == 0


async def test_mzhb_with_9999_belongs_to_the_coordinators_district(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    result = await grant(
        database,
        world.alamudun_coordinator,
        campaign,
        secret_box,
        kind=GrantKind.MZHB,
        school_code="9999",
        checks=ALL_CHECKS,
    )
    assert isinstance(result, Accepted)
    assert result.value.grant.district_id == world.alamudun.id
    assert sorted(result.value.grant.checks) == sorted(ALL_CHECKS)
    async with database.session() as s:
        seen_by_alamudun, _ = await grants.list_grants(
            s, actor=world.alamudun_coordinator, kind=GrantKind.MZHB, campaign_year=campaign.year
        )
        seen_by_sokuluk, _ = await grants.list_grants(
            s, actor=world.sokuluk_coordinator, kind=None, campaign_year=campaign.year
        )
    assert len(seen_by_alamudun) == 1 and seen_by_sokuluk == []


async def test_same_phone_twice_names_the_holder_only_within_scope(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    first = await grant(database, world.teacher_a, campaign, secret_box)
    assert isinstance(first, Accepted)
    again = await grant(
        database, world.sokuluk_coordinator, campaign, secret_box, school_code="10102"
    )
    elsewhere = await grant(database, world.teacher_c, campaign, secret_box, phone="+996555100200")
    assert isinstance(again, Rejected) and again.message_id == "access.grant.phone_taken"
    assert again.params == {"name": "Жумабеков Нурлан Асылбекович", "code": "10101"}
    assert isinstance(elsewhere, Rejected)
    assert elsewhere.message_id == "access.grant.phone_taken_elsewhere" and not elsewhere.params
    assert await count_grants(database) == 1


async def test_lists_are_scoped_and_searchable(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    await grant(database, world.teacher_a, campaign, secret_box, phone="+996555100001")
    await grant(
        database,
        world.sokuluk_coordinator,
        campaign,
        secret_box,
        phone="+996555100002",
        full_name="Ёлкина Мария Ивановна",
        kind=GrantKind.MZHB,
        school_code="10101",
        checks=ALL_CHECKS,
    )
    await grant(database, world.teacher_c, campaign, secret_box, phone="+996555100003")
    async with database.session() as s:
        teacher, teacher_total = await grants.list_grants(
            s, actor=world.teacher_a, kind=None, campaign_year=campaign.year
        )
        district, district_total = await grants.list_grants(
            s, actor=world.sokuluk_coordinator, kind=None, campaign_year=campaign.year
        )
        admin, admin_total = await grants.list_grants(
            s, actor=world.admin, kind=GrantKind.CURRENT, campaign_year=campaign.year
        )
        by_name, _ = await grants.list_grants(
            s, actor=world.admin, kind=None, campaign_year=campaign.year, query="елкина"
        )
        by_phone, _ = await grants.list_grants(
            s, actor=world.admin, kind=None, campaign_year=campaign.year, query="100003"
        )
        other_year, _ = await grants.list_grants(
            s, actor=world.admin, kind=None, campaign_year=campaign.year - 1
        )
        with pytest.raises(OutOfScope):  # another school's grant, as if it did not exist
            await Scoped(s, world.teacher_a).grant(by_name[0].id)
    assert (teacher_total, district_total, admin_total) == (1, 2, 2)
    assert [g.phone for g in teacher] == ["+996555100001"]
    assert [g.phone for g in district] == ["+996555100002", "+996555100001"]
    assert {g.phone for g in admin} == {"+996555100001", "+996555100003"}
    assert [g.phone for g in by_name] == ["+996555100002"]
    assert [g.phone for g in by_phone] == ["+996555100003"]
    assert other_year == []


async def test_a_lost_code_is_replaced_and_logged(
    database: Database, world: World, campaign: Campaign, secret_box: SecretBox
) -> None:
    first = await grant(database, world.teacher_a, campaign, secret_box)
    async with database.session() as s:
        with pytest.raises(OutOfScope):
            await grants.regenerate_access_code(
                s, actor=world.teacher_c, grant_id=first.value.grant.id, secret_box=secret_box
            )
        renewed = await grants.regenerate_access_code(
            s, actor=world.teacher_a, grant_id=first.value.grant.id, secret_box=secret_box
        )
    assert isinstance(renewed, Accepted)
    assert renewed.value.access_code != first.value.access_code
    async with database.session() as s:
        saved = await s.get(AccessGrant, first.value.grant.id)
        entries, _ = await list_audit(s, actor=world.teacher_a)
    assert saved.access_code_hash == secret_box.keyed_hash(renewed.value.access_code)
    assert [e.action for e in entries] == ["grant.new_access_code", "grant.create"]
