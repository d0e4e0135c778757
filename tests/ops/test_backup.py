"""Backup and restore with the runbook's scripts: every registration and photo comes back."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from config.settings import PROJECT_ROOT
from storage.credentials import SecretBox
from storage.database import Database
from storage.filestore import DiskFileStore
from storage.migrate import upgrade_head
from storage.models import AccessGrant, Document, Registration
from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_world
from tests.ops.applicants import make_campaign_registrations
from tests.ops.conftest import NEEDS_POSTGRES, run_ortbot

BACKUP = PROJECT_ROOT / "deploy" / "backup.sh"
RESTORE = PROJECT_ROOT / "deploy" / "restore.sh"


def script(
    path: Path, argument: Path, *, database_url: str, media: Path
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url, MEDIA_DIR=str(media))
    return subprocess.run(
        [str(path), str(argument)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def populate(url: str, media: Path) -> None:
    database = Database.from_url(url)
    box = SecretBox(TEST_SECRET_KEY)
    try:
        async with database.session() as s:
            world = await make_world(s)
            for year, count in ((2026, 7), (2027, 3)):
                await make_campaign_registrations(
                    s,
                    DiskFileStore(media),
                    world=world,
                    secret_box=box,
                    year=year,
                    count=count,
                    tag="r",
                )
    finally:
        await database.dispose()


async def contents(url: str) -> list[tuple]:  # type: ignore[type-arg]
    """Every registration with its grant's phone, answers and photo keys."""
    database = Database.from_url(url)
    try:
        async with database.session() as s:
            rows = (
                await s.execute(
                    select(
                        Registration.id,
                        AccessGrant.phone,
                        Registration.status,
                        Registration.answers,
                    )
                    .join(AccessGrant, AccessGrant.id == Registration.grant_id)
                    .order_by(Registration.id)
                )
            ).all()
            docs = (await s.execute(select(Document.registration_id, Document.sha256))).all()
    finally:
        await database.dispose()
    keys: dict[int, list[str]] = {}
    for registration_id, sha in docs:
        keys.setdefault(registration_id, []).append(sha)
    return [(*row, sorted(keys.get(row[0], []))) for row in rows]


@NEEDS_POSTGRES
def test_a_backup_restores_into_a_fresh_database_with_every_photo(
    new_pg_database: Callable[[], str], tmp_path: Path
) -> None:
    source, media = new_pg_database(), tmp_path / "media"
    upgrade_head(source)
    asyncio.run(populate(source, media))
    before = asyncio.run(contents(source))
    assert len(before) == 10 and all(len(row[-1]) >= 4 for row in before)

    done = script(BACKUP, tmp_path / "backup", database_url=source, media=media)
    assert done.returncode == 0, done.stderr
    dest = tmp_path / "backup"
    assert done.stdout == f"backup: {dest}/database.dump and {dest}/media.tar (42 photo files)\n"

    target, restored_media = new_pg_database(), tmp_path / "restored-media"
    done = script(RESTORE, tmp_path / "backup", database_url=target, media=restored_media)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout
        == f"restore: 10 registration(s) and their photos restored into {restored_media}\n"
    )

    after = asyncio.run(contents(target))
    assert after == before
    store = DiskFileStore(restored_media)
    for *_, keys in after:
        for key in keys:
            assert hashlib.sha256(asyncio.run(store.get(key))).hexdigest() == key
    # The restored database is at head: `ortbot migrate` has nothing to do and succeeds.
    migrated = run_ortbot("migrate", database_url=target, cwd=tmp_path)
    assert (migrated.returncode, migrated.stderr) == (0, "")

    # A second restore into the now-populated database is refused, and changes nothing.
    again = script(RESTORE, tmp_path / "backup", database_url=target, media=restored_media)
    assert again.returncode == 1
    assert again.stderr.startswith("restore: the database already has ")
    assert asyncio.run(contents(target)) == before


def test_the_scripts_refuse_bad_input_in_one_line(tmp_path: Path) -> None:
    sqlite = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    done = script(BACKUP, tmp_path / "b", database_url=sqlite, media=tmp_path)
    assert (done.returncode, done.stderr.count("\n")) == (1, 1)
    assert done.stderr.startswith("backup: DATABASE_URL is not PostgreSQL")
    done = script(
        RESTORE, tmp_path / "nothing-here", database_url="postgresql://x/y", media=tmp_path
    )
    assert (done.returncode, done.stderr) == (
        1,
        f"restore: {tmp_path}/nothing-here does not hold database.dump and media.tar\n",
    )
