"""Excel exports: coordinators' logins with initial passwords, applicants' access codes.

Each row is confidential and goes to one person only (the instruction's words). Rows stream
from the database in batches (`yield_per`) into a write-only workbook; every download is
written to the audit log.

The caller checks the role before offering a download; calling an export the officer's role
can never have raises `AccessDenied` (second line of defence). Rows are always limited to the
officer's scope.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, BinaryIO

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.exceptions import AccessDenied
from access.i18n import access_texts
from access.scope import Scope
from access.xlsx import StreamingSheet, export_filename, spaced_phone
from config.campaign import Campaign
from storage.credentials import SecretBox
from storage.enums import AuditFlag, GrantKind, Role
from storage.models import AccessGrant, District, Oblast, Officer, School

BATCH = 1_000
_ACCOUNT_COLUMNS = (Officer.full_name, Officer.phone, Officer.initial_password_encrypted)


async def _batches(session: AsyncSession, stmt: Select[Any]) -> AsyncIterator[Sequence[Any]]:
    result = await session.stream(stmt.execution_options(yield_per=BATCH))
    async for partition in result.partitions():
        yield partition


async def _write(
    session: AsyncSession,
    sheet: StreamingSheet,
    header: list[str],
    stmt: Select[Any],
    to_cells: Callable[[Any], list[object]],
) -> None:
    started = False

    def write(partition: Sequence[Any]) -> None:
        nonlocal started
        rows = [to_cells(row) for row in partition]
        if not started:
            sheet.start(header, rows)
            started = True
        for row in rows:
            sheet.append(row)

    async for partition in _batches(session, stmt):
        # Decrypting and serializing a batch is CPU work: keep the event loop free for others.
        await asyncio.to_thread(write, partition)
    if not started:
        sheet.start(header, [])


async def scope_name(session: AsyncSession, scope: Scope) -> str:
    """Return what `scope` covers, for file names: a school code, a district, or "all"."""
    if scope.is_school and scope.school_id is not None:
        school = await session.get(School, scope.school_id)
        return school.code if school else "school"
    if scope.district_id is not None and not scope.is_central:
        district = await session.get(District, scope.district_id)
        return district.name if district else "district"
    return "all"


def _coordinator_cells(secret_box: SecretBox, language: str) -> Callable[[Any], list[object]]:
    """Cells of a coordinator row: two place values, then `_ACCOUNT_COLUMNS` made readable.

    The password is the initial one while its owner has not changed it, else "changed".
    """
    changed = access_texts().gettext(language, "access.export.password_changed")

    def cells(row: Any) -> list[object]:
        password = secret_box.decrypt(row[4]) if row[4] is not None else None
        return [row[0], row[1], row[2], spaced_phone(row[3]), password or changed]

    return cells


async def _export(
    session: AsyncSession,
    *,
    actor: Officer,
    out: BinaryIO,
    language: str,
    sheet_name: str,
    columns: Sequence[str],
    stmt: Select[Any],
    to_cells: Callable[[Any], list[object]],
    filename: str,
    what: str,
) -> str:
    """Write the header and the rows of `stmt` to `out`, log the download, return its name.

    `sheet_name` and `columns` are keys of the access catalog (``access.export.sheet.*``,
    ``access.export.col.*``); the audit entry's action is ``export.<what>``.
    """
    t = access_texts()
    header = [t.gettext(language, f"access.export.col.{c}") for c in columns]
    sheet = StreamingSheet(t.gettext(language, f"access.export.sheet.{sheet_name}"))
    await _write(session, sheet, header, stmt, to_cells)
    await sheet.save(out)
    await log_action(
        session,
        actor=actor,
        action=f"export.{what}",
        flag=AuditFlag.EXPORT,
        obj_type="export",
        obj_id=None,
        obj_repr=filename,
        changes=[{"field": "rows", "before": None, "after": sheet.rows}],
        district_id=actor.district_id,
    )
    return filename


async def export_school_coordinators(
    session: AsyncSession, *, actor: Officer, secret_box: SecretBox, out: BinaryIO, language: str
) -> str:
    """Write every active school coordinator in scope with login and password; return the name.

    The password column shows the initial password while the owner has not changed it, and
    "changed by the user" afterwards. District coordinators get their district's schools,
    the admin all of them.
    """
    scope = Scope.of(actor)
    if scope.is_school:
        raise AccessDenied("school coordinators do not export coordinators")
    stmt = scope.filter_officers(
        select(School.code, School.name, *_ACCOUNT_COLUMNS)
        .join(School, Officer.school_id == School.id)
        .where(Officer.role == Role.SCHOOL, Officer.is_active.is_(True))
        .order_by(School.code, Officer.id)
    )
    return await _export(
        session,
        actor=actor,
        out=out,
        language=language,
        sheet_name="school_coordinators",
        columns=("school_code", "school_name", "full_name", "login", "password"),
        stmt=stmt,
        to_cells=_coordinator_cells(secret_box, language),
        filename=export_filename("schools_access", await scope_name(session, scope)),
        what="school_coordinators",
    )


async def export_district_coordinators(
    session: AsyncSession, *, actor: Officer, secret_box: SecretBox, out: BinaryIO, language: str
) -> str:
    """Write every active district coordinator with login and password (the admin's export)."""
    if actor.role is not Role.CENTRAL:
        raise AccessDenied("only the central admin exports district coordinators")
    stmt = (
        select(Oblast.name, District.name, *_ACCOUNT_COLUMNS)
        .join(District, Officer.district_id == District.id)
        .join(Oblast, District.oblast_id == Oblast.id)
        .where(Officer.role == Role.DISTRICT, Officer.is_active.is_(True))
        .order_by(Oblast.name, District.name, Officer.id)
    )
    return await _export(
        session,
        actor=actor,
        out=out,
        language=language,
        sheet_name="district_coordinators",
        columns=("oblast", "district", "full_name", "login", "password"),
        stmt=stmt,
        to_cells=_coordinator_cells(secret_box, language),
        filename=export_filename("district_coordinators", "all"),
        what="district_coordinators",
    )


def whatsapp_digits(number: str | None) -> str | None:
    """Digits of the WhatsApp sender ("whatsapp:+996 700 ..." -> "996700..."), or None."""
    digits = re.sub(r"\D", "", number or "")
    return digits or None


async def export_grants(
    session: AsyncSession,
    *,
    actor: Officer,
    kind: GrantKind,
    campaign: Campaign,
    secret_box: SecretBox,
    out: BinaryIO,
    language: str,
    bot_username: str | None,
    whatsapp_number: str | None,
    login_base_url: str | None = None,
) -> str:
    """Write the applicants granted in scope, with one-time access codes and links.

    Columns: full name, phone, school code, access code ("used" once used), then a Telegram
    link ``https://t.me/<bot>?start=<code>`` when `bot_username` is set and a WhatsApp
    click-to-chat link ``https://wa.me/<digits>?text=<code>`` when `whatsapp_number` is set;
    a channel that is not configured gets no column. `login_base_url` is accepted for the
    web's convenience and not written (applicants have no web login). Revoked grants are left
    out.
    """
    scope = Scope.of(actor)
    if scope.is_school and kind is not GrantKind.CURRENT:
        raise AccessDenied("school coordinators have no МЖБ grants")
    t = access_texts()
    used = t.gettext(language, "access.export.code_used")
    bot = (bot_username or "").lstrip("@") or None
    wa = whatsapp_digits(whatsapp_number)
    columns = ["full_name", "phone", "school_code", "access_code"]
    columns += ["telegram_link"] if bot else []
    columns += ["whatsapp_link"] if wa else []
    stmt = scope.filter_grants(
        select(
            AccessGrant.full_name,
            AccessGrant.phone,
            School.code,
            AccessGrant.access_code_encrypted,
            AccessGrant.access_code_used_at,
        )
        .join(School, AccessGrant.school_id == School.id)
        .where(
            AccessGrant.campaign_year == campaign.year,
            AccessGrant.kind == kind,
            AccessGrant.revoked_at.is_(None),
        )
        .order_by(School.code, AccessGrant.full_name_search, AccessGrant.id)
    )

    def cells(row: Any) -> list[object]:
        code = None if row[4] is not None else secret_box.decrypt(row[3])
        values: list[object] = [row[0], spaced_phone(row[1]), row[2], code or used]
        if bot:
            values.append(f"https://t.me/{bot}?start={code}" if code else "")
        if wa:
            values.append(f"https://wa.me/{wa}?text={code}" if code else "")
        return values

    prefix = "graduates_access" if kind is GrantKind.CURRENT else "mzhb_access"
    return await _export(
        session,
        actor=actor,
        out=out,
        language=language,
        sheet_name=kind.value,
        columns=columns,
        stmt=stmt,
        to_cells=cells,
        filename=export_filename(prefix, await scope_name(session, scope)),
        what=f"grants_{kind.value}",
    )
