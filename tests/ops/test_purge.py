"""`ortbot purge`: a closed campaign's photos and personal data go, its figures stay."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from config.campaign import CAMPAIGNS_DIR, load_campaign
from config.settings import PROJECT_ROOT, get_settings
from office.stats import dashboard
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel, MessageDirection
from storage.filestore import DiskFileStore
from storage.models import (
    AccessGrant,
    AuditEntry,
    ChannelMessage,
    Document,
    LinkedChat,
    Officer,
    OutboxMessage,
    OutboxNotice,
    Registration,
)
from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_world
from tests.ops.applicants import FIELD_OF, Stored, make_campaign_registrations

CAMPAIGN_2026 = load_campaign(CAMPAIGNS_DIR / "2026.toml")


@pytest.fixture
def env(
    database_url: str, filestore: DiskFileStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("ORTBOT_ENV", "development")
    monkeypatch.setenv("MEDIA_DIR", str(filestore.root))
    monkeypatch.setenv("CAMPAIGN", str(PROJECT_ROOT / "campaigns" / "demo.toml"))
    monkeypatch.delenv("PURGE_AFTER_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


async def ortbot(*argv: str) -> int:
    get_settings.cache_clear()
    return await asyncio.to_thread(main, list(argv))


async def populate(
    database: Database, filestore: DiskFileStore, secret_box: SecretBox
) -> tuple[Stored, Stored]:
    """Five registrations of 2026 and two of 2027, one 2027 photo equal to a 2026 one."""
    async with database.session() as s:
        world = await make_world(s)
        old = await make_campaign_registrations(
            s, filestore, world=world, secret_box=secret_box, year=2026, count=5, tag="a"
        )
        new = await make_campaign_registrations(
            s, filestore, world=world, secret_box=secret_box, year=2027, count=2, tag="b"
        )
        shared = await s.scalar(
            select(Document).where(Document.registration_id == old.registrations[1])
        )
        twin = await s.scalar(
            select(Document).where(Document.registration_id == new.registrations[0])
        )
        twin.sha256 = shared.sha256
        new.files[new.registrations[0]][0] = shared.sha256
        now = datetime.now(UTC)
        for n, age in enumerate((200, 120, 91, 10, 0)):
            s.add(
                ChannelMessage(
                    channel=Channel.WHATSAPP,
                    direction=MessageDirection.OUTBOUND,
                    idempotency_key=f"k{n}",
                    phone="+996555000111",
                    purpose="reply",
                    status="delivered",
                    created_at=now - timedelta(days=age),
                )
            )
    return old, new


async def figures(database: Database) -> tuple:  # type: ignore[type-arg]
    """What the admin's dashboard shows for 2026, and the subjects chosen."""
    async with database.session() as s:
        admin = await s.scalar(select(Officer).order_by(Officer.id))
        board = await dashboard(s, actor=admin, campaign=CAMPAIGN_2026)
        subjects = sorted(
            str(a.get("subjects"))
            for a in await s.scalars(
                select(Registration.answers).where(Registration.campaign_year == 2026)
            )
        )
    by_school = [
        (row.code, row.granted, row.started, row.submitted, row.approved, row.registered)
        for row in board.by_school
    ]
    return board.granted, dict(board.by_status), by_school, board.funnel, subjects


async def answers_of(database: Database, year: int) -> list[dict]:  # type: ignore[type-arg]
    async with database.session() as s:
        return list(
            await s.scalars(
                select(Registration.answers)
                .where(Registration.campaign_year == year)
                .order_by(Registration.id)
            )
        )


async def count(database: Database, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_purge_refuses_an_open_or_recent_campaign_and_changes_nothing(
    env, database: Database, filestore: DiskFileStore, secret_box: SecretBox, capsys
) -> None:
    await populate(database, filestore, secret_box)
    assert await ortbot("purge", "--campaign", "2027") == 1
    assert capsys.readouterr().err == (
        "ortbot purge: campaign 2027 is not closed (registration not open); nothing was removed\n"
    )
    env.setenv("PURGE_AFTER_DAYS", "400")
    assert await ortbot("purge", "--campaign", "2026", "--all") == 1
    assert capsys.readouterr().err == (
        "ortbot purge: campaign 2026 closed on 2026-04-02; its data may be purged from "
        "2027-05-07 (PURGE_AFTER_DAYS=400); nothing was removed\n"
    )
    assert await ortbot("purge", "--campaign", "1999") == 1
    assert "campaign file not found" in capsys.readouterr().err
    assert await count(database, Document) == 5 * 4 + 1 + 2 * 4 + 1
    assert await count(database, ChannelMessage) == 5
    assert await count(database, AuditEntry) == 0


async def test_dry_run_counts_and_changes_nothing(
    env, database: Database, filestore: DiskFileStore, secret_box: SecretBox, capsys
) -> None:
    await populate(database, filestore, secret_box)
    before = await answers_of(database, 2026)
    assert await ortbot("purge", "--campaign", "2026", "--all", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "campaign 2026: would remove 21 photo record(s) and 20 file(s); "
        "kept 1 file(s) another campaign uses"
    )
    assert out[1] == (
        "campaign 2026: would remove the personal fields of 5 registration(s) and 5 grant(s), "
        "and 5 linked chat(s)"
    )
    assert out[2].startswith("channel messages: would remove 3 row(s) older than ")
    assert out[3].startswith("outbox: would remove 0 sent message(s) older than ")
    assert out[4] == "dry run: nothing was changed"
    assert await ortbot("purge", "--campaign", "2026", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("campaign 2026: would remove 21 photo record(s)")
    assert len(out) == 4 and out[3] == "dry run: nothing was changed"
    assert await answers_of(database, 2026) == before
    assert await count(database, Document) == 30
    assert await count(database, ChannelMessage) == 5
    assert await count(database, AuditEntry) == 0


async def test_photo_purge_erases_files_and_rows_and_keeps_the_figures(
    env, database: Database, filestore: DiskFileStore, secret_box: SecretBox, capsys
) -> None:
    env.setattr("office.retention._BATCH", 2)  # several batches of registrations
    old, new = await populate(database, filestore, secret_box)
    shared_key = new.files[new.registrations[0]][0]
    before = await figures(database)
    assert await ortbot("purge", "--campaign", "2026", "--messages-days", "100") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "campaign 2026: removed 21 photo record(s) and 20 file(s); "
        "kept 1 file(s) another campaign uses"
    )
    assert out[1].startswith("channel messages: removed 2 row(s) older than ")
    for keys in old.files.values():
        for key in keys:
            assert await filestore.exists(key) is (key == shared_key)
    for keys in new.files.values():
        assert all([await filestore.exists(key) for key in keys])
    assert await count(database, Document, Document.registration_id.in_(old.registrations)) == 0
    assert await count(database, Document, Document.registration_id.in_(new.registrations)) == 9
    for answers in await answers_of(database, 2026):
        assert all(answers[name] is None for name in FIELD_OF.values())
        assert answers["pin"] and answers["passport"]  # only photos without --all
        assert not answers.get("benefit_docs")
    assert all(a["face_photo"] for a in await answers_of(database, 2027))
    assert await figures(database) == before
    async with database.session() as s:
        entries = list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.object_id) for e in entries] == [
        ("campaign.purge_photos", None, "2026"),
        ("messages.purge", None, None),
    ]
    assert {"field": "photo_files", "before": 20, "after": 0} in entries[0].changes
    # Running it again finds nothing left to remove.
    assert await ortbot("purge", "--campaign", "2026") == 0
    assert "removed 0 photo record(s) and 0 file(s)" in capsys.readouterr().out


async def test_purge_all_erases_personal_fields_and_keeps_the_figures(
    env, database: Database, filestore: DiskFileStore, secret_box: SecretBox, capsys
) -> None:
    old, new = await populate(database, filestore, secret_box)
    before = await figures(database)
    assert await ortbot("purge", "--campaign", "2026", "--all") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == (
        "campaign 2026: removed the personal fields of 5 registration(s) and 5 grant(s), "
        "and 5 linked chat(s)"
    )
    assert out[2].startswith("channel messages: removed 3 row(s) older than ")
    for answers in await answers_of(database, 2026):
        for name in ("pin", "passport", "birth_date", "street", "extra_phone", "face_photo"):
            assert answers[name] is None
        assert answers["subjects"] and answers["test_language"] == "ky"
    assert all(a["pin"] and a["passport"] for a in await answers_of(database, 2027))
    async with database.session() as s:
        grants = list(await s.scalars(select(AccessGrant).order_by(AccessGrant.id)))
        comments = list(await s.scalars(select(Registration.rejection_comment)))
    old_grants = [g for g in grants if g.campaign_year == 2026]
    assert all(g.phone == f"purged:{g.id}" and g.full_name == "—" for g in old_grants)
    assert [g.phone for g in grants if g.campaign_year == 2027] == new.phones
    assert not any(c for c in comments if c)  # the one 2026 rejection comment is gone
    assert await count(database, LinkedChat) == 2
    assert await figures(database) == before
    assert await count(database, ChannelMessage) == 2


async def test_purge_deletes_finished_outbox_rows_by_age_and_keeps_pending_ones(
    env, database: Database, capsys
) -> None:
    now = datetime.now(UTC)
    # (status, days since it finished): sent and dropped go after MESSAGES_KEEP_DAYS (90),
    # failed ones after PURGE_AFTER_DAYS (180); a pending one is still to be sent.
    rows = [
        ("sent", 100),
        ("sent", 10),
        ("dropped", 95),
        ("failed", 100),
        ("failed", 200),
        ("pending", 300),
    ]
    async with database.session() as s:
        for n, (status, age) in enumerate(rows):
            s.add(
                OutboxMessage(
                    channel=Channel.WHATSAPP,
                    chat_id="+996555000111",
                    key=f"m{n}",
                    notice={"type": "ApplicantNotice", "registration_id": 1},
                    status=status,
                    not_before=now - timedelta(days=age),
                    created_at=now - timedelta(days=age),
                    finished_at=None if status == "pending" else now - timedelta(days=age),
                )
            )
        s.add(OutboxNotice(notice={"type": "ApplicantNotice"}, created_at=now - timedelta(200)))
        s.add(OutboxNotice(notice={"type": "ApplicantNotice"}, created_at=now - timedelta(10)))

    assert await ortbot("purge", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("outbox: would remove 2 sent message(s) older than ")
    assert ", 1 failed message(s) and 1 unsent notice(s) older than " in out[1]
    assert await count(database, OutboxMessage) == 6

    assert await ortbot("purge") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("outbox: removed 2 sent message(s) older than ")
    async with database.session() as s:
        left = sorted(await s.scalars(select(OutboxMessage.key)))
        notices = list(await s.scalars(select(OutboxNotice.created_at)))
        audit = list(await s.scalars(select(AuditEntry.action)))
    assert left == ["m1", "m3", "m5"]  # sent 10 days ago, failed 100 days ago, pending
    assert len(notices) == 1
    assert audit == ["outbox.purge"]
