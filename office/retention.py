"""Retention: erase a closed campaign's photos (and personal fields), and old message rows.

What is erased and what is kept, so that the figures of a past campaign stay right:

- Photos: the files in the file store and their `documents` rows are deleted. Rows are deleted
  rather than marked, because no figure counts documents, the audit log names registrations
  (never documents), and a row without its file would still be offered as a link to officers.
  A file whose bytes another campaign's document also uses (the store is content-addressed)
  stays. In the answers the photo fields keep their key with the value None, so the drop-off
  funnel (which step a draft stopped at) is unchanged.
- Personal fields (`personal=True`): PIN, passport number, date of birth, address, extra
  phone, benefit categories (health data) and the officer's free-text rejection comment in the
  answers (key kept, value None); each grant's phone and name (the phone becomes
  ``purged:<grant id>`` so the per-year unique phone still holds); the chats linked to the
  campaign's grants. Kept: status, dates, school and district (through the grant), subjects,
  language of testing, gender, payments' amounts and receipt numbers (the accounting record)
  and the registration history, so the counts by status, district, school and subject stay.
- The audit log is kept whole: it is the record of what officers did. The purge adds its own
  entry (actor None: the operator's command line) with the counts it removed.
- `channel_messages` rows (the WhatsApp delivery book and inbound de-duplication, which hold
  phones) older than a number of days are deleted whatever their campaign.
- The outbox's finished rows (`outbox_messages`: a chat id, which on WhatsApp is the phone,
  and the notice it carried) go on the same two clocks as the rest: a message sent or dropped
  is kept as long as `channel_messages` (its WhatsApp twin there goes at the same age); a
  message given up on is what the officers' deliveries page shows, so it stays as long as a
  closed campaign's personal data (PURGE_AFTER_DAYS after it was given up), and so does a
  stored notice never expanded (no sender ran). A pending message is never deleted: it is
  still to be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from access.audit import log_action
from config.campaign import Campaign
from flows.form import FORM
from flows.form.fields import Kind
from storage.enums import AuditFlag
from storage.filestore import FileStore
from storage.models import (
    AccessGrant,
    ChannelMessage,
    Document,
    LinkedChat,
    OutboxMessage,
    OutboxNotice,
    Registration,
)
from storage.models.outbox import DROPPED, FAILED, SENT

PHOTO_FIELDS = tuple(f.name for f in FORM if f.kind is Kind.FILE)
PERSONAL_FIELDS = (
    "pin",
    "passport",
    "birth_date",
    "city",
    "village",
    "street",
    "extra_phone",
    "benefit_categories",
)
PURGED_PHONE_PREFIX = "purged:"
PURGED_NAME = "—"
_BATCH = 1000


def first_purge_day(campaign: Campaign, after_days: int) -> date:
    """Return the first day the campaign's photos may be erased: `after_days` after it closed."""
    return campaign.registration_closes + timedelta(days=after_days)


def purge_refusal(
    campaign: Campaign, *, after_days: int, now: datetime | None = None
) -> str | None:
    """Return why the campaign may not be purged yet (one line), or None when it may."""
    state = campaign.window_state(now)
    if state != "closed":
        return f"campaign {campaign.year} is not closed (registration {state.replace('_', ' ')})"
    first = first_purge_day(campaign, after_days)
    if campaign.today(now) < first:
        return (
            f"campaign {campaign.year} closed on {campaign.registration_closes.isoformat()}; "
            f"its data may be purged from {first.isoformat()} (PURGE_AFTER_DAYS={after_days})"
        )
    return None


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    dry_run: bool
    personal: bool = False
    year: int | None = None
    documents: int = 0
    files: int = 0
    files_shared: int = 0
    registrations_cleared: int = 0
    grants_cleared: int = 0
    chats: int = 0
    messages: int = 0
    messages_before: datetime | None = None
    outbox_sent: int = 0
    outbox_failed: int = 0
    outbox_notices: int = 0
    outbox_failed_before: datetime | None = None

    def lines(self) -> list[str]:
        """Return the report for the operator, one fact a line."""
        verb = "would remove" if self.dry_run else "removed"
        out = []
        if self.year is not None:
            out.append(
                f"campaign {self.year}: {verb} {self.documents} photo record(s) and "
                f"{self.files} file(s)"
                + (
                    f"; kept {self.files_shared} file(s) another campaign uses"
                    if self.files_shared
                    else ""
                )
            )
        if self.year is not None and self.personal:
            out.append(
                f"campaign {self.year}: {verb} the personal fields of "
                f"{self.registrations_cleared} registration(s) and {self.grants_cleared} "
                f"grant(s), and {self.chats} linked chat(s)"
            )
        if self.messages_before is not None:
            out.append(
                f"channel messages: {verb} {self.messages} row(s) older than "
                f"{self.messages_before.date().isoformat()}"
            )
        if self.outbox_failed_before is not None and self.messages_before is not None:
            out.append(
                f"outbox: {verb} {self.outbox_sent} sent message(s) older than "
                f"{self.messages_before.date().isoformat()}, {self.outbox_failed} failed "
                f"message(s) and {self.outbox_notices} unsent notice(s) older than "
                f"{self.outbox_failed_before.date().isoformat()}"
            )
        if self.dry_run:
            out.append("dry run: nothing was changed")
        return out


async def purge_campaign(
    session: AsyncSession,
    filestore: FileStore,
    *,
    campaign: Campaign,
    personal: bool,
    report: PurgeReport,
) -> None:
    """Erase the photos (and with `personal`, the personal fields) of `campaign`.

    The database changes are flushed first, then the files are deleted, and the caller's
    transaction commits: if it fails after some files are gone, running the purge again
    finishes the job (deleting an absent file is a no-op).

    Args:
        session: the caller's transaction (a dry run only reads).
        filestore: where the photos are.
        campaign: a closed campaign (the caller checks `purge_refusal` first).
        personal: also erase the personal fields (``ortbot purge --all``).
        report: filled with the counts; in a dry run nothing is written or deleted.

    """
    year = campaign.year
    report.year, report.personal = year, personal
    of_year = select(Registration.id).where(Registration.campaign_year == year)
    of_campaign = Document.registration_id.in_(of_year)
    report.documents = int(
        await session.scalar(select(func.count()).select_from(Document).where(of_campaign)) or 0
    )
    hashes = set(await session.scalars(select(Document.sha256).where(of_campaign).distinct()))
    # Subqueries, not lists of values: a campaign has ~240,000 photos, past any bind limit.
    shared = set(
        await session.scalars(
            select(Document.sha256)
            .where(
                Document.sha256.in_(select(Document.sha256).where(of_campaign)),
                Document.registration_id.not_in(of_year),
            )
            .distinct()
        )
    )
    doomed = sorted(hashes - shared)
    report.files, report.files_shared = len(doomed), len(shared)

    last_id = 0
    while True:
        # In batches, so that a year of ~60,000 registrations is never in memory at once.
        batch = list(
            await session.scalars(
                select(Registration)
                .where(Registration.campaign_year == year, Registration.id > last_id)
                .options(lazyload(Registration.grant))
                .order_by(Registration.id)
                .limit(_BATCH)
            )
        )
        if not batch:
            break
        last_id = batch[-1].id
        for registration in batch:
            cleared = _cleared(registration, personal=personal)
            if cleared is None:
                continue
            answers, had_personal = cleared
            report.registrations_cleared += had_personal
            if not report.dry_run:
                registration.answers = answers
                if personal:
                    registration.rejection_comment = None
        await session.flush()
        for registration in batch:
            session.expunge(registration)
    if personal:
        grant_ids = select(AccessGrant.id).where(AccessGrant.campaign_year == year)
        report.grants_cleared = int(
            await session.scalar(
                select(func.count())
                .select_from(AccessGrant)
                .where(
                    AccessGrant.campaign_year == year,
                    AccessGrant.phone.not_like(f"{PURGED_PHONE_PREFIX}%"),
                )
            )
            or 0
        )
        report.chats = int(
            await session.scalar(
                select(func.count())
                .select_from(LinkedChat)
                .where(LinkedChat.grant_id.in_(grant_ids), LinkedChat.officer_id.is_(None))
            )
            or 0
        )
    if report.dry_run:
        return
    await session.execute(delete(Document).where(of_campaign))
    if personal:
        await session.execute(
            delete(LinkedChat).where(
                LinkedChat.grant_id.in_(grant_ids), LinkedChat.officer_id.is_(None)
            )
        )
        await session.execute(
            update(AccessGrant)
            .where(
                AccessGrant.campaign_year == year,
                AccessGrant.phone.not_like(f"{PURGED_PHONE_PREFIX}%"),
            )
            .values(
                phone=literal(PURGED_PHONE_PREFIX) + cast(AccessGrant.id, String),
                full_name=PURGED_NAME,
                full_name_search="",
            )
            .execution_options(synchronize_session=False)
        )
    await log_action(
        session,
        actor=None,
        action="campaign.purge_personal" if personal else "campaign.purge_photos",
        flag=AuditFlag.DELETE,
        obj_type="campaign",
        obj_id=year,
        obj_repr=f"{campaign.name_ru}: {'photos and personal data' if personal else 'photos'}",
        changes=[
            {"field": "photo_records", "before": report.documents, "after": 0},
            {"field": "photo_files", "before": report.files, "after": 0},
            {"field": "registrations_cleared", "before": report.registrations_cleared, "after": 0},
            {"field": "grants_cleared", "before": report.grants_cleared, "after": 0},
        ],
    )
    await session.flush()
    for key in doomed:
        await filestore.delete(key)


def _cleared(registration: Registration, *, personal: bool) -> tuple[dict[str, Any], bool] | None:
    """Return the answers with photos (and personal fields) set to None, or None if unchanged.

    The second item tells whether any personal field still had a value.
    """
    answers = dict(registration.answers or {})
    names = PHOTO_FIELDS + (PERSONAL_FIELDS if personal else ())
    changed = {name for name in names if answers.get(name) is not None}
    had_personal = any(name in changed for name in PERSONAL_FIELDS) or (
        personal and bool(registration.rejection_comment)
    )
    for name in changed:
        answers[name] = None
    if answers.get("benefit_docs"):
        answers["benefit_docs"] = {}
        changed.add("benefit_docs")
    if personal and answers.get("benefit_done"):
        # Benefit categories are health data; with them gone no category waits for documents.
        answers["benefit_done"] = []
        changed.add("benefit_done")
    if not changed and not had_personal:
        return None
    return answers, had_personal


async def purge_messages(
    session: AsyncSession, *, keep_days: int, report: PurgeReport, now: datetime | None = None
) -> None:
    """Delete `channel_messages` rows created more than `keep_days` ago (counted in a dry run)."""
    before = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    report.messages_before = before
    old = ChannelMessage.created_at < before
    report.messages = int(
        await session.scalar(select(func.count()).select_from(ChannelMessage).where(old)) or 0
    )
    if report.dry_run or not report.messages:
        return
    await session.execute(delete(ChannelMessage).where(old))
    await log_action(
        session,
        actor=None,
        action="messages.purge",
        flag=AuditFlag.DELETE,
        obj_type="channel_messages",
        obj_id=None,
        obj_repr=f"channel messages older than {before.date().isoformat()}",
        changes=[{"field": "rows", "before": report.messages, "after": 0}],
    )


async def purge_outbox(
    session: AsyncSession,
    *,
    keep_days: int,
    failed_keep_days: int,
    report: PurgeReport,
    now: datetime | None = None,
) -> None:
    """Delete the outbox's finished rows (counted in a dry run); pending ones stay.

    Args:
        session: the caller's transaction.
        keep_days: sent and dropped messages finished more than this many days ago go (the
            age at which `channel_messages` rows go).
        failed_keep_days: failed messages finished, and notices stored, more than this many
            days ago go (PURGE_AFTER_DAYS: as long as a campaign's personal data).
        report: filled with the counts.
        now: the current time (tests).

    """
    moment = now or datetime.now(UTC)
    before = moment - timedelta(days=keep_days)
    failed_before = moment - timedelta(days=failed_keep_days)
    report.messages_before = report.messages_before or before
    report.outbox_failed_before = failed_before
    sent = OutboxMessage.status.in_((SENT, DROPPED)) & (OutboxMessage.finished_at < before)
    failed = (OutboxMessage.status == FAILED) & (OutboxMessage.finished_at < failed_before)
    left_over = OutboxNotice.created_at < failed_before
    report.outbox_sent = await _count(session, OutboxMessage, sent)
    report.outbox_failed = await _count(session, OutboxMessage, failed)
    report.outbox_notices = await _count(session, OutboxNotice, left_over)
    removed = report.outbox_sent + report.outbox_failed + report.outbox_notices
    if report.dry_run or not removed:
        return
    await session.execute(delete(OutboxMessage).where(sent | failed))
    await session.execute(delete(OutboxNotice).where(left_over))
    await log_action(
        session,
        actor=None,
        action="outbox.purge",
        flag=AuditFlag.DELETE,
        obj_type="outbox_messages",
        obj_id=None,
        obj_repr=(
            f"outbox: sent before {before.date().isoformat()}, "
            f"failed before {failed_before.date().isoformat()}"
        ),
        changes=[
            {"field": "sent", "before": report.outbox_sent, "after": 0},
            {"field": "failed", "before": report.outbox_failed, "after": 0},
            {"field": "notices", "before": report.outbox_notices, "after": 0},
        ],
    )


async def _count(session: AsyncSession, model: Any, condition: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(condition)) or 0)
