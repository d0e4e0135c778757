"""`Scoped(session, actor)`: the one loader of an officer's rows, and its one refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from access.exceptions import OutOfScope
from access.scoped import Scoped
from storage.database import Database
from storage.enums import Role
from storage.models import Document, Payment
from tests.review.conftest import ReviewWorld


async def _payment_of(database: Database, registration_id: int) -> int:
    async with database.session() as s:
        return await s.scalar(select(Payment.id).where(Payment.registration_id == registration_id))


async def _document_of(database: Database, registration_id: int) -> int:
    async with database.session() as s:
        return await s.scalar(
            select(Document.id).where(Document.registration_id == registration_id).limit(1)
        )


async def test_a_school_coordinator_loads_only_their_graduates(
    database: Database, review_world: ReviewWorld
) -> None:
    world = review_world.web
    own = review_world.graduate_entry
    graduate_payment = await _payment_of(database, own.id)
    mzhb_payment = await _payment_of(database, review_world.mzhb_entry.id)
    other_document = await _document_of(database, review_world.other_entry.id)
    async with database.session() as s:
        scoped = Scoped(s, world.teacher_a)
        entry = await scoped.registration(own.id)
        assert entry.id == own.id
        assert (await scoped.payment(graduate_payment)).registration_id == own.id
        assert (await scoped.grant(world.graduate_a.id)).id == world.graduate_a.id
        assert (await scoped.officer(world.teacher_a.id)).id == world.teacher_a.id
        refused = [
            scoped.registration(review_world.mzhb_entry.id),  # МЖБ is the district's
            scoped.registration(review_world.other_entry.id),  # another school
            scoped.payment(mzhb_payment),
            scoped.document(entry, other_document),  # another entry's photo
            scoped.grant(review_world.other_grant.id),
            scoped.officer(world.teacher_b.id),
            scoped.school(world.school_b.id),
        ]
        for attempt in refused:
            with pytest.raises(OutOfScope):
                await attempt


async def test_a_district_coordinator_loads_their_district(
    database: Database, review_world: ReviewWorld
) -> None:
    world = review_world.web
    async with database.session() as s:
        scoped = Scoped(s, world.coordinator_a)
        assert (await scoped.registration(review_world.mzhb_entry.id)).id
        assert (await scoped.registration(review_world.graduate_entry.id)).id
        assert (await scoped.officer(world.teacher_a.id, role=Role.SCHOOL)).id == world.teacher_a.id
        assert (await scoped.school(world.school_a.id)).id == world.school_a.id
        schools = {school.id for school in (await s.scalars(scoped.schools())).all()}
        assert world.school_a.id in schools and world.school_b.id not in schools
        for attempt in (
            scoped.registration(review_world.other_entry.id),
            scoped.officer(world.teacher_a.id, role=Role.DISTRICT),  # the wrong desk
            scoped.officer(world.coordinator_b.id),
            scoped.officer(world.teacher_b.id),
        ):
            with pytest.raises(OutOfScope):
                await attempt


@pytest.mark.parametrize("row_id", [0, -1, 2**31, 10**25, True])
async def test_an_id_no_row_can_have_never_reaches_the_database(
    database: Database, review_world: ReviewWorld, row_id: int
) -> None:
    async with database.session() as s:
        scoped = Scoped(s, review_world.web.admin)
        entry = await scoped.registration(review_world.other_entry.id)  # the admin sees all
        for attempt in (
            scoped.registration(row_id),
            scoped.grant(row_id),
            scoped.payment(row_id),
            scoped.officer(row_id),
            scoped.school(row_id),
            scoped.document(entry, row_id),
        ):
            with pytest.raises(OutOfScope):
                await attempt
