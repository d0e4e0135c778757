"""The operator's commands run through `bot.cli.main`, against the test database."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from access import officers
from bot.cli import main
from bot.logs import JsonFormatter, TextFormatter
from config.settings import PROJECT_ROOT, get_settings
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Role
from storage.models import AccessGrant, AuditEntry, Officer, School
from tests.conftest import TEST_SECRET_KEY


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("ORTBOT_ENV", "development")
    monkeypatch.setenv("CAMPAIGN", str(PROJECT_ROOT / "campaigns" / "demo.toml"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def ortbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_create_admin_prints_the_password_once_and_it_works(
    env, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await ortbot("create-admin", "--phone", "0555 123 456", "--name", "асанов бакыт")
    out = capsys.readouterr().out
    assert code == 0
    password = out.split("password:")[1].split()[0]
    async with database.session() as s:
        admin = await s.scalar(select(Officer))
        assert admin.role is Role.CENTRAL and admin.full_name == "Асанов Бакыт"
        assert await officers.authenticate(s, phone_text="+996555123456", password=password)


async def test_create_admin_refuses_a_taken_phone_and_a_bad_name_in_one_line(
    env, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await ortbot("create-admin", "--phone", "0555123456", "--name", "Асанов Бакыт") == 0
    capsys.readouterr()
    assert await ortbot("create-admin", "--phone", "+996555123456", "--name", "Бекова Аида") == 1
    taken = capsys.readouterr().err
    assert await ortbot("create-admin", "--phone", "0555123457", "--name", "Бекова") == 1
    bad_name = capsys.readouterr().err
    assert taken == "ortbot create-admin: Пользователь с номером +996 555 123 456 уже существует.\n"
    assert bad_name.count("\n") == 1 and "фамилию" in bad_name
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(Officer)) == 1


async def test_reset_password_gives_a_new_one_time_password(
    env, database: Database, capsys: pytest.CaptureFixture[str], secret_box: SecretBox
) -> None:
    await ortbot("create-admin", "--phone", "0555123456", "--name", "Асанов Бакыт")
    capsys.readouterr()
    assert await ortbot("reset-password", "--phone", "+996 555 123 456") == 0
    password = capsys.readouterr().out.split(": ")[1].split()[0]
    async with database.session() as s:
        admin = await s.scalar(select(Officer))
        assert officers.initial_password(admin, secret_box) == password
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["officer.create", "officer.reset_password"]
    assert await ortbot("reset-password", "--phone", "0555000999") == 1
    assert capsys.readouterr().err.startswith("ortbot reset-password: no officer")


async def test_import_schools_counts_then_updates(
    env, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = str(PROJECT_ROOT / "samples" / "codifier.csv")
    assert await ortbot("import-schools", sample) == 0
    assert "25 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert await ortbot("import-schools", sample) == 0
    assert "0 created, 0 updated, 25 unchanged" in capsys.readouterr().out


async def test_import_schools_with_bad_rows_imports_nothing(
    env, database: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    rows = ["code;name;district;oblast", "30101;Гимназия №5;Ленин району;Бишкек шаары"]
    rows += [f"9999;Жок {n};Ленин району;Бишкек шаары" for n in range(12)]
    bad.write_text("\n".join(rows), encoding="utf-8")
    assert await ortbot("import-schools", str(bad)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "bad.csv: 12 bad row(s); nothing was imported."
    assert err[1].startswith("line 3: Код 9999 зарезервирован")
    assert len(err) == 12 and err[-1] == "... and 2 more"
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(School)) == 0


async def test_import_schools_file_problems_are_one_line(
    env, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nocol.csv"
    missing.write_text("code,name,district\n1,A,B\n", encoding="utf-8")
    assert await ortbot("import-schools", str(tmp_path / "absent.xlsx")) == 1
    assert capsys.readouterr().err.startswith("ortbot import-schools: cannot read ")
    assert await ortbot("import-schools", str(missing)) == 1
    assert capsys.readouterr().err == "ortbot import-schools: В файле нет столбца «Область».\n"


async def test_unmigrated_database_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        assert await ortbot("create-admin", "--phone", "0555123456", "--name", "Асанов Бакыт") == 1
    finally:
        get_settings.cache_clear()
    assert "run `ortbot migrate` first" in capsys.readouterr().err


async def test_seed_demo_is_idempotent_and_prints_logins_and_codes(
    env, database: Database, capsys: pytest.CaptureFixture[str], secret_box: SecretBox
) -> None:
    assert await ortbot("seed-demo") == 0
    first = capsys.readouterr().out
    assert await ortbot("seed-demo") == 0
    second = capsys.readouterr().out
    assert "25 schools created" in first and "0 schools created" in second
    assert first.splitlines()[2:] == second.splitlines()[2:]
    assert first.startswith("Officers' web: http://")
    # The shell must be told the demo campaign: without CAMPAIGN it opens the newest year's.
    demo_file = PROJECT_ROOT / "campaigns" / "demo.toml"
    assert f"CAMPAIGN={demo_file} ortbot shell --phone +996700000011" in first
    async with database.session() as s:
        demo = {o.role: o for o in await s.scalars(select(Officer))}
        grants = list(await s.scalars(select(AccessGrant)))
    assert set(demo) == {Role.CENTRAL, Role.DISTRICT, Role.SCHOOL}
    for officer in demo.values():
        assert f"password: {officers.initial_password(officer, secret_box)}" in first
    assert len(grants) == 2
    for grant in grants:
        assert f"access code: {secret_box.decrypt(grant.access_code_encrypted)}" in first


async def test_seed_demo_refuses_production(
    env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORTBOT_ENV", "production")
    get_settings.cache_clear()
    assert await ortbot("seed-demo") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "development only" in err


@pytest.fixture
def root_logging():
    """Put the root logger back as it was after a command configured it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(("level", "fmt"), [("debug", "json"), ("warning", "text"), (None, None)])
async def test_every_command_applies_log_level_and_format(
    env, monkeypatch: pytest.MonkeyPatch, root_logging, capsys, level, fmt
) -> None:
    for name, value in (("LOG_LEVEL", level), ("LOG_FORMAT", fmt)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert await ortbot("migrate") == 0
    expected = getattr(logging, (level or "info").upper())  # INFO unless told otherwise
    assert root_logging.level == expected
    [handler] = [h for h in root_logging.handlers if getattr(h, "_ortbot_handler", False)]
    assert isinstance(handler.formatter, JsonFormatter if fmt == "json" else TextFormatter)
    logging.getLogger("bot.test").warning("seen")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    if fmt == "json":
        assert json.loads(line)["message"] == "seen"
    else:
        assert line.endswith("WARNING bot.test: seen")


async def test_a_wrong_log_level_is_a_one_line_error(
    env, monkeypatch: pytest.MonkeyPatch, root_logging, capsys
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    get_settings.cache_clear()
    assert await ortbot("migrate") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ortbot migrate: LOG_LEVEL: Input should be")
