"""A small world for access tests: two districts, three schools, one officer of each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage.database import Database
from storage.enums import Role
from storage.models import District, Officer, School
from tests.factories import make_district, make_officer, make_school


@dataclass
class World:
    sokuluk: District
    alamudun: District
    school_a: School  # 10101, Sokuluk
    school_b: School  # 10102, Sokuluk
    school_c: School  # 20201, Alamudun
    admin: Officer
    sokuluk_coordinator: Officer
    alamudun_coordinator: Officer
    teacher_a: Officer  # school coordinator of 10101
    teacher_c: Officer  # school coordinator of 20201


@pytest.fixture
async def world(database: Database) -> World:
    async with database.session() as s:
        sokuluk = await make_district(s, "Сокулук району")
        alamudun = await make_district(s, "Аламүдүн району")
        school_a = await make_school(s, "10101", sokuluk, "Сокулук №1 орто мектеби")
        school_b = await make_school(s, "10102", sokuluk, "Гимназия им. Ч. Айтматова")
        school_c = await make_school(s, "20201", alamudun, "Лебединовка орто мектеби")
        return World(
            sokuluk=sokuluk,
            alamudun=alamudun,
            school_a=school_a,
            school_b=school_b,
            school_c=school_c,
            admin=await make_officer(s, Role.CENTRAL, full_name="Бакиева Айгүл Мамытовна"),
            sokuluk_coordinator=await make_officer(
                s, Role.DISTRICT, district=sokuluk, full_name="Осмонов Талант Бекович"
            ),
            alamudun_coordinator=await make_officer(
                s, Role.DISTRICT, district=alamudun, full_name="Иванова Ольга Петровна"
            ),
            teacher_a=await make_officer(
                s, Role.SCHOOL, school=school_a, full_name="Токтогулова Жазгүл Асановна"
            ),
            teacher_c=await make_officer(
                s, Role.SCHOOL, school=school_c, full_name="Садыков Эрлан Маратович"
            ),
        )
