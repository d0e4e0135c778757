"""`ortbot rotate-secret`: after a new SECRET_KEY, access codes and initial passwords still work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from access.grants import access_code
from access.passwords import initial_password
from bot.cli import main
from config.settings import PROJECT_ROOT, get_settings
from storage.credentials import SecretBox
from storage.database import Database
from storage.models import AccessGrant, AuditEntry, Officer
from storage.repositories.applicants import grant_by_code_hash
from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_grant, make_world

NEW_KEY = "a-brand-new-secret-key-for-2027-0123456789-abcdefghij"
CODES = ("ABCD2345", "EFGH6789", "JKLM2345")


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("ORTBOT_ENV", "development")
    monkeypatch.setenv("CAMPAIGN", str(PROJECT_ROOT / "campaigns" / "demo.toml"))
    monkeypatch.delenv("OLD_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


async def ortbot(*argv: str) -> int:
    get_settings.cache_clear()
    return await asyncio.to_thread(main, list(argv))


async def test_rotation_keeps_codes_and_initial_passwords_usable(
    env, database: Database, secret_box: SecretBox, capsys: pytest.CaptureFixture[str]
) -> None:
    async with database.session() as s:
        world = await make_world(s)
        for code in CODES:
            await make_grant(
                s,
                school=world.school_a,
                granted_by=world.teacher_a,
                secret_box=secret_box,
                code=code,
            )
    assert await ortbot("create-admin", "--phone", "0555 987 654", "--name", "Асанов Бакыт") == 0
    password = capsys.readouterr().out.split("password:")[1].split()[0]

    # The runbook: stop the app, then OLD_SECRET_KEY=<old> SECRET_KEY=<new> ortbot rotate-secret
    env.setenv("OLD_SECRET_KEY", TEST_SECRET_KEY)
    env.setenv("SECRET_KEY", NEW_KEY)
    assert await ortbot("rotate-secret") == 0
    assert capsys.readouterr().out == (
        "re-keyed 3 access code(s) and 1 initial password(s); 0 already under the new key; "
        "0 unreadable under either key (left as they were)\n"
    )
    new = SecretBox(NEW_KEY)
    async with database.session() as s:
        for code in CODES:
            # What the conversation does when an applicant types the code.
            grant = await grant_by_code_hash(s, 2026, new.keyed_hash(code))
            assert grant is not None and access_code(grant, new) == code
            assert await grant_by_code_hash(s, 2026, secret_box.keyed_hash(code)) is None
        admin = await s.scalar(select(Officer).where(Officer.phone == "+996555987654"))
        assert initial_password(admin, new) == password
        assert initial_password(admin, secret_box) is None
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-1] == "secret_key.rotate"

    # Running it again (say, after an interrupted deploy) changes nothing.
    assert await ortbot("rotate-secret") == 0
    assert capsys.readouterr().out.startswith(
        "re-keyed 0 access code(s) and 0 initial password(s); 4 already"
    )
    async with database.session() as s:
        grants = list(await s.scalars(select(AccessGrant)))
    assert sorted(access_code(g, new) for g in grants) == sorted(CODES)


async def test_rotation_refuses_without_both_keys(env, database: Database, capsys) -> None:
    assert await ortbot("rotate-secret") == 1
    assert capsys.readouterr().err == (
        "ortbot rotate-secret: set OLD_SECRET_KEY to the old key (SECRET_KEY holds the new one)\n"
    )
    env.setenv("OLD_SECRET_KEY", TEST_SECRET_KEY)
    assert await ortbot("rotate-secret") == 1
    assert "are the same; nothing to rotate" in capsys.readouterr().err
