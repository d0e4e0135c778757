"""The officers' web served by the real app (`bot.app.create_app`) to an aiohttp test client.

pytest-aiohttp is not installed: the server and client are built here from
`aiohttp.test_utils`. `WebWorld` is the factories' `World` (under the web tests' names) with
one more teacher and coordinator and two grants, all officers with the factories' password;
`login(client, officer)` logs a client in through the form.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from access.notifier import NoChannelNotifier
from bot.app import create_app
from bot.runtime import Runtime
from config.campaign import Campaign
from config.settings import Settings
from core.texts import conversation_texts
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, Role
from storage.filestore import DiskFileStore
from storage.models import AccessGrant, District, Officer, School
from storage.state import StateStore
from tests.factories import PASSWORD, make_grant, make_officer, make_world

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebWorld:
    district_a: District
    district_b: District
    school_a: School  # 10101, district A
    school_a2: School  # 10102, district A, no coordinator yet
    school_b: School  # 20201, district B
    admin: Officer
    coordinator_a: Officer
    coordinator_b: Officer
    teacher_a: Officer  # school coordinator of 10101
    teacher_b: Officer  # school coordinator of 20201
    teacher_a2: Officer  # school coordinator of 10102 (a target of password resets)
    spare_coordinator: Officer  # a second coordinator of district A (ditto)
    mzhb_a: AccessGrant  # an МЖБ grant of district A
    graduate_a: AccessGrant  # a current graduate of school 10101


@pytest.fixture
def runtime(
    settings: Settings,
    database: Database,
    state: StateStore,
    filestore: DiskFileStore,
    secret_box: SecretBox,
    campaign: Campaign,
) -> Runtime:
    return Runtime(
        settings=settings.model_copy(update={"telegram_bot_username": "ort_test_bot"}),
        database=database,
        state=state,
        filestore=filestore,
        secret_box=secret_box,
        campaign=campaign,
        bot_texts=conversation_texts(),
        notifier=NoChannelNotifier(),
    )


@pytest.fixture
async def server(runtime: Runtime) -> AsyncIterator[TestServer]:
    test_server = TestServer(create_app(runtime))
    await test_server.start_server()
    yield test_server
    await test_server.close()


@pytest.fixture
async def make_client(server: TestServer) -> AsyncIterator:
    """Build as many independent browsers (cookie jars) as a test needs."""
    clients: list[TestClient] = []

    async def build() -> TestClient:
        client = TestClient(server)
        await client.start_server()
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client) -> TestClient:  # type: ignore[no-untyped-def]
    return await make_client()


@pytest.fixture
async def web_world(database: Database, secret_box: SecretBox) -> WebWorld:
    async with database.session() as s:
        # The shared world first, so ids and names are those of the access tests.
        world = await make_world(s)
        teacher_a2 = await make_officer(
            s, Role.SCHOOL, school=world.school_b, full_name="Мамытова Нургүл Асановна"
        )
        spare_coordinator = await make_officer(
            s, Role.DISTRICT, district=world.sokuluk, full_name="Кадыров Азамат Уланович"
        )
        mzhb_a = await make_grant(
            s,
            school=world.school_a,
            granted_by=world.sokuluk_coordinator,
            secret_box=secret_box,
            kind=GrantKind.MZHB,
            full_name="Жумабеков Нурлан Асылбекович",
        )
        graduate_a = await make_grant(
            s,
            school=world.school_a,
            granted_by=world.teacher_a,
            secret_box=secret_box,
            full_name="Абдыкадырова Айпери Бакытовна",
        )
        return WebWorld(
            district_a=world.sokuluk,
            district_b=world.alamudun,
            school_a=world.school_a,
            school_a2=world.school_b,
            school_b=world.school_c,
            admin=world.admin,
            coordinator_a=world.sokuluk_coordinator,
            coordinator_b=world.alamudun_coordinator,
            teacher_a=world.teacher_a,
            teacher_b=world.teacher_c,
            teacher_a2=teacher_a2,
            spare_coordinator=spare_coordinator,
            mzhb_a=mzhb_a,
            graduate_a=graduate_a,
        )


async def csrf_token(client: TestClient, path: str = "/login") -> str:
    """Open `path` and return the CSRF token its forms carry."""
    response = await client.get(path)
    found = CSRF_FIELD.search(await response.text())
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def login(client: TestClient, officer: Officer, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"phone": officer.phone, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


# The actors of the role × route × scope matrices (the officers' web and the review routes).
ACTORS = ("anon", "central", "district_a", "district_b", "school_a")


def only(allowed: dict[str, int], *, anon: int, others: int = 403) -> dict[str, int]:
    """Expected statuses: `allowed` for the named actors, `others` for the rest."""
    return {actor: allowed.get(actor, anon if actor == "anon" else others) for actor in ACTORS}


async def signed_in_clients(make_client, officers: dict[str, Officer]):  # type: ignore[no-untyped-def]
    """Return a client and its CSRF token for every actor: anonymous, or logged in as `officers`."""
    clients: dict[str, TestClient] = {}
    tokens: dict[str, str] = {}
    for actor in ACTORS:
        clients[actor] = await make_client()
        if actor == "anon":
            tokens[actor] = await csrf_token(clients[actor])
        else:
            assert (await login(clients[actor], officers[actor])).status == 302
            tokens[actor] = await csrf_token(clients[actor], "/password")
    return clients, tokens
