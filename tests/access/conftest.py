"""The access tests start from `tests.factories.World`: two districts, three schools, officers."""

from __future__ import annotations

import pytest

from storage.database import Database
from tests.factories import World, make_world


@pytest.fixture
async def world(database: Database) -> World:
    async with database.session() as s:
        return await make_world(s)
