"""Fixtures shared by the whole suite.

The suite runs on SQLite and in-process state by default. With TEST_DATABASE_URL
(postgresql+asyncpg://…) and TEST_REDIS_URL (redis://…) set, the same tests run on PostgreSQL
and Redis. Databases are built by the real Alembic migrations, once per test session.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from config.campaign import Campaign, load_campaign
from config.settings import PROJECT_ROOT, Settings
from storage.base import Base
from storage.credentials import SecretBox
from storage.database import Database
from storage.filestore import DiskFileStore
from storage.migrate import upgrade_head
from storage.state import MemoryStateStore, StateStore
from tests.s3_server import s3_server  # noqa: F401 - a session fixture for the S3 file store

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def pytest_report_header(config: pytest.Config) -> str:
    db = make_url(TEST_DATABASE_URL).get_backend_name() if TEST_DATABASE_URL else "sqlite"
    return f"ortbot backends: database={db} state={'redis' if TEST_REDIS_URL else 'memory'}"


@pytest.fixture(scope="session")
def migrated_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per session; tests get a clean copy or clean tables."""
    if TEST_DATABASE_URL:
        import asyncio

        import asyncpg

        base = make_url(TEST_DATABASE_URL)
        name = f"ortbot_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)

        async def _admin(sql: str) -> None:
            conn = await asyncpg.connect(admin_dsn)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        upgrade_head(url)
        yield url
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("db") / "template.db"
        upgrade_head(f"sqlite+aiosqlite:///{path}")
        yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def database_url(migrated_database_url: str, tmp_path: Path) -> str:
    """A URL of an empty, migrated database for this test alone."""
    if migrated_database_url.startswith("sqlite"):
        template = Path(make_url(migrated_database_url).database or "")
        copy = tmp_path / "test.db"
        shutil.copyfile(template, copy)
        return f"sqlite+aiosqlite:///{copy}"
    db = Database.from_url(migrated_database_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await db.dispose()
    return migrated_database_url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def state() -> AsyncIterator[StateStore]:
    if TEST_REDIS_URL:
        from storage.state.redis import RedisStateStore

        store = RedisStateStore.from_url(TEST_REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:")
        yield store
        await store.flush()
        await store.close()
    else:
        yield MemoryStateStore()


@pytest.fixture
def filestore(tmp_path: Path) -> DiskFileStore:
    return DiskFileStore(tmp_path / "media")


@pytest.fixture
def secret_box() -> SecretBox:
    return SecretBox(TEST_SECRET_KEY)


@pytest.fixture
def campaign() -> Campaign:
    """The 2026 campaign with its window open around today, whatever today is."""
    real = load_campaign(PROJECT_ROOT / "campaigns" / "2026.toml")
    return real.model_copy(
        update={"registration_opens": date(2000, 1, 1), "registration_closes": date(2099, 12, 31)}
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=TEST_REDIS_URL,
        media_dir=tmp_path / "media",
        secret_key=TEST_SECRET_KEY,
        campaign=PROJECT_ROOT / "campaigns" / "demo.toml",
    )
