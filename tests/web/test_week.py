"""The officers' web after a week of use: confirmations, deactivation, readable history, texts."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from storage.database import Database
from storage.models import AccessGrant
from tests.web.conftest import WebWorld, csrf_token, login


async def _code_hash(database: Database, grant_id: int) -> bytes | str:
    async with database.session() as s:
        return (await s.get(AccessGrant, grant_id)).access_code_hash


async def test_a_new_access_code_is_issued_only_once_confirmed(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.coordinator_a)
    grant = web_world.mzhb_a
    before = await _code_hash(database, grant.id)
    page = await (await client.get(f"/grants/{grant.id}/code")).text()
    assert "Эски код мындан ары иштебей калат" in page and grant.full_name in page
    token = await csrf_token(client, "/mzhb")
    # The old one-click POST only asks.
    asked = await client.post(f"/grants/{grant.id}/code", data={"csrf_token": token})
    assert asked.status == 200 and 'name="confirm"' in await asked.text()
    assert await _code_hash(database, grant.id) == before
    done = await client.post(
        f"/grants/{grant.id}/code", data={"csrf_token": token, "confirm": "yes"}
    )
    assert done.status == 200 and 'data-testid="access-code"' in await done.text()
    assert await _code_hash(database, grant.id) != before
