"""Many grants at once: a school's list of graduates, or a district's МЖБ list, in one file.

Every row is validated (phone, full name, school code for МЖБ, duplicates inside the file,
phones granted already); nothing is granted while errors remain unless the officer chooses to
grant only the good rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.codifier import normalize_school_code
from access.granting import (
    IssuedGrant,
    Placement,
    may_grant,
    missing_checks,
    new_grant,
    place_grant,
    taken_message,
)
from access.scope import Scope
from access.tables import RowError, read_table
from config.campaign import Campaign
from core.people import validate_full_name, validate_phone
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox
from storage.enums import AuditFlag, GrantKind
from storage.models import AccessGrant, Officer

MAX_LIST_ROWS = 5_000
_CHUNK = 500
SYNONYMS: dict[str, tuple[str, ...]] = {
    "phone": (
        "телефон",
        "тел",
        "телефону",
        "телефон номери",
        "номер телефона",
        "мобильный телефон",
        "phone number",
    ),
    "full_name": (
        "фио",
        "ф и о",
        "аты жөнү",
        "толук аты жөнү",
        "фамилиясы аты атасынын аты",
        "фамилия имя отчество",
        "аты",
        "name",
        "full name",
    ),
    "school_code": ("code", "код", "коду", "мектептин коду", "код школы"),
}


@dataclass(frozen=True)
class GrantRow:
    line: int
    phone: str  # E.164
    full_name: str
    school_code: str | None


@dataclass
class GrantListReport:
    kind: GrantKind
    rows: list[GrantRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: Rejected | None = None

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors


@dataclass
class BulkResult:
    issued: list[IssuedGrant]
    skipped: list[RowError]


def parse_grant_list(data: bytes, filename: str, *, kind: GrantKind) -> GrantListReport:
    """Read and validate a list: phone, full name (and school code for МЖБ) per row.

    Row errors carry ``error.phone.*``/``error.name.*`` (bot catalog) or ``access.grant.*``.
    """
    required = ("phone", "full_name") + (("school_code",) if kind is GrantKind.MZHB else ())
    table = read_table(data, filename, synonyms=SYNONYMS, required=required, max_rows=MAX_LIST_ROWS)
    report = GrantListReport(kind=kind)
    if isinstance(table, Rejected):
        report.file_error = table
        return report
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        phone = validate_phone(cells["phone"])
        name = validate_full_name(cells["full_name"])
        mzhb = kind is GrantKind.MZHB
        code = normalize_school_code(cells.get("school_code", "")) if mzhb else None
        if isinstance(phone, Rejected):
            report.errors.append(RowError(line, phone.message_id, phone.params))
        elif isinstance(name, Rejected):
            report.errors.append(RowError(line, name.message_id, name.params))
        elif code == "":
            report.errors.append(RowError(line, "access.grant.code_required"))
        elif phone.value in first_line:
            report.errors.append(
                RowError(line, "access.grant.phone_repeated", {"line": first_line[phone.value]})
            )
        else:
            first_line[phone.value] = line
            report.rows.append(GrantRow(line, phone.value, name.value, code))
    return report


async def check_grant_list(
    session: AsyncSession, *, actor: Officer, report: GrantListReport, campaign: Campaign
) -> list[RowError]:
    """Errors the database reveals in a parsed list: unknown or foreign schools, taken phones.

    Returns all the report's errors plus these, by line, for the page that lists them.
    """
    errors, _ = await _resolve(session, Scope.of(actor), report, campaign)
    return errors


async def _resolve(
    session: AsyncSession, scope: Scope, report: GrantListReport, campaign: Campaign
) -> tuple[list[RowError], list[tuple[GrantRow, Placement]]]:
    errors = list(report.errors)
    good: list[tuple[GrantRow, Placement]] = []
    places: dict[str | None, Placement | Rejected] = {}
    taken = await _granted(session, campaign.year, [row.phone for row in report.rows])
    for row in report.rows:
        if row.school_code not in places:
            places[row.school_code] = await place_grant(
                session, scope, report.kind, row.school_code
            )
        place = places[row.school_code]
        holder = taken.get(row.phone)
        problem = place if isinstance(place, Rejected) else None
        if problem is None and holder is not None:
            problem = taken_message(scope, holder)
        if problem is not None:
            errors.append(RowError(row.line, problem.message_id, problem.params))
        elif isinstance(place, Placement):
            good.append((row, place))
    errors.sort(key=lambda e: e.line)
    return errors, good


async def _granted(
    session: AsyncSession, campaign_year: int, phones: list[str]
) -> dict[str, AccessGrant]:
    found: dict[str, AccessGrant] = {}
    for start in range(0, len(phones), _CHUNK):
        rows = await session.scalars(
            select(AccessGrant).where(
                AccessGrant.campaign_year == campaign_year,
                AccessGrant.phone.in_(phones[start : start + _CHUNK]),
            )
        )
        found.update({g.phone: g for g in rows.unique()})
    return found


async def create_grants_bulk(
    session: AsyncSession,
    *,
    actor: Officer,
    kind: GrantKind,
    report: GrantListReport,
    campaign: Campaign,
    secret_box: SecretBox,
    only_valid: bool = False,
    checks: Iterable[str] = (),
) -> Accepted[BulkResult] | Rejected:
    """Grant every row of a clean list, or only its good rows when `only_valid`.

    Rejected ``access.bulk.has_errors`` carries ``count`` and ``errors`` (the `RowError`s,
    collisions with existing grants included) when the list is not clean and `only_valid` is
    False; ``access.bulk.empty`` when no row is left to grant; ``access.bulk.conflict`` when
    another officer granted one of the phones meanwhile (nothing is granted then).
    """
    if report.kind is not kind:
        raise ValueError("the report was parsed for another kind of grant")
    if report.file_error is not None:
        return report.file_error
    scope = Scope.of(actor)
    if not may_grant(scope, kind):
        return Rejected("access.scope.denied")
    problem = missing_checks(kind, checks)
    if problem is not None:
        return problem
    errors, good = await _resolve(session, scope, report, campaign)
    if errors and not only_valid:
        return Rejected("access.bulk.has_errors", {"count": len(errors), "errors": errors})
    if not good:
        return Rejected("access.bulk.empty")
    issued = [
        new_grant(
            actor=actor,
            kind=kind,
            phone=row.phone,
            full_name=row.full_name,
            placement=place,
            campaign_year=campaign.year,
            secret_box=secret_box,
        )
        for row, place in good
    ]
    try:
        async with session.begin_nested():
            session.add_all([item.grant for item in issued])
            await session.flush()
    except IntegrityError:
        return Rejected("access.bulk.conflict")
    await log_grant_list(session, actor=actor, kind=kind, grants=[i.grant for i in issued])
    return Accepted(BulkResult(issued=issued, skipped=errors))


async def log_grant_list(
    session: AsyncSession, *, actor: Officer, kind: GrantKind, grants: list[AccessGrant]
) -> None:
    """Log one entry for one uploaded list: its row count and the grants it made (the link).

    A list of 2,000 rows is one officer action, so it is one line of the log, not 2,000.
    """
    districts = {grant.district_id for grant in grants}
    await log_action(
        session,
        actor=actor,
        action="grant.create_list",
        flag=AuditFlag.ADD,
        obj_type="grant_list",
        obj_id=None,
        obj_repr=str(len(grants)),
        changes=[
            {"field": "kind", "before": None, "after": kind.value},
            {"field": "rows", "before": None, "after": len(grants)},
            {"field": "grant_ids", "before": None, "after": [grant.id for grant in grants]},
        ],
        # A district's list stays in that district; a school's list is the school's district.
        district_id=districts.pop() if len(districts) == 1 else None,
    )
