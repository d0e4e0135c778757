"""The school codifier: parsing an uploaded list, importing it, searching schools.

A file is checked whole before anything is written: one bad row and nothing is imported, so
the admin fixes the file and uploads it again. Code 9999 ("not in the codifier") is reserved:
it is created here, with no district, and refused as a row of a file.

Rejected/row message ids: ``access.file.*`` and ``access.codifier.*`` (access catalog).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.exceptions import AccessDenied, ReportHasErrors
from access.listing import one_page
from access.scope import Scope
from access.tables import RowError, read_table
from core.typed import ascii_digits
from core.validation import Rejected
from storage.enums import AuditFlag, Role
from storage.models import District, Oblast, Officer, School
from storage.models.geography import search_key
from storage.repositories.places import forget_names_on_commit

UNLISTED_CODE = "9999"
UNLISTED_NAME = "Кодификатордо жок / Нет в кодификаторе"
_CODE = re.compile(r"^[0-9]{1,16}$")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("код", "коду", "мектептин коду", "код школы", "school code", "шифр"),
    "name": (
        "аталышы",
        "мектептин аталышы",
        "мектеп",
        "название",
        "наименование",
        "название школы",
        "школа",
        "school",
        "school name",
    ),
    "district": ("район", "району", "район шаар", "район город", "шаар", "город", "raion"),
    "oblast": ("облус", "облусу", "область", "region"),
}


@dataclass(frozen=True)
class CodifierRow:
    line: int
    code: str
    name: str
    district: str
    oblast: str


@dataclass
class CodifierReport:
    """What a file holds: good rows, bad rows, or a reason the whole file is refused."""

    rows: list[CodifierRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: Rejected | None = None

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def parse_codifier(data: bytes, filename: str) -> CodifierReport:
    """Read a codifier file (.xlsx or .csv) with columns code, name, district, oblast."""
    table = read_table(data, filename, synonyms=SYNONYMS, required=tuple(SYNONYMS))
    if isinstance(table, Rejected):
        return CodifierReport(file_error=table)
    report = CodifierReport()
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        code = normalize_school_code(cells["code"])
        error = _row_problem(code, cells, first_line)
        if error is not None:
            report.errors.append(RowError(line, *error))
            continue
        first_line[code] = line
        report.rows.append(
            CodifierRow(line, code, cells["name"], cells["district"], cells["oblast"])
        )
    return report


def _row_problem(
    code: str, cells: dict[str, str], first_line: dict[str, int]
) -> tuple[str, dict[str, object]] | None:
    if not code:
        return "access.codifier.code_missing", {}
    if not _CODE.match(code):
        return "access.codifier.code_format", {"code": code}
    if code == UNLISTED_CODE:
        return "access.codifier.code_reserved", {"code": code}
    if code in first_line:
        return "access.codifier.code_duplicate", {"code": code, "line": first_line[code]}
    for column, limit in (("name", 300), ("district", 120), ("oblast", 120)):
        if not cells[column]:
            return f"access.codifier.{column}_missing", {}
        if len(cells[column]) > limit:
            return f"access.codifier.{column}_too_long", {"max": limit}
    return None


async def ensure_unlisted_school(session: AsyncSession) -> School:
    """Return school 9999 ("not in the codifier"), creating it when missing."""
    query = select(School).where(School.code == UNLISTED_CODE)
    school = await session.scalar(query)
    if school is None:
        school = School(
            code=UNLISTED_CODE, name=UNLISTED_NAME, name_search=search_key(UNLISTED_NAME)
        )
        try:
            async with session.begin_nested():
                session.add(school)
                await session.flush()
        except IntegrityError:
            # Another officer's request created it at the same moment.
            school = (await session.scalars(query)).one()
    return school


async def import_codifier(
    session: AsyncSession, *, actor: Officer | None, report: CodifierReport
) -> ImportSummary:
    """Create missing oblasts and districts and upsert schools by code, all or nothing.

    Args:
        session: the caller's transaction.
        actor: the central admin, or None for the operator's command line.
        report: a report from `parse_codifier` without errors.

    Raises:
        AccessDenied: when `actor` is not a central admin.
        ReportHasErrors: when the report has any error (nothing is written).

    """
    if actor is not None and actor.role is not Role.CENTRAL:
        raise AccessDenied("only the central admin imports the codifier")
    if not report.ok:
        raise ReportHasErrors("the codifier file has errors; nothing is imported")
    await ensure_unlisted_school(session)
    oblasts = {o.name: o for o in await session.scalars(select(Oblast))}
    districts = {
        (d.oblast_id, d.name): d for d in (await session.scalars(select(District))).unique()
    }
    schools = {s.code: s for s in (await session.scalars(select(School))).unique()}
    created = updated = unchanged = 0
    for row in report.rows:
        oblast = oblasts.get(row.oblast)
        if oblast is None:
            oblast = oblasts[row.oblast] = Oblast(name=row.oblast)
            session.add(oblast)
            await session.flush()
        district = districts.get((oblast.id, row.district))
        if district is None:
            district = District(oblast_id=oblast.id, name=row.district)
            districts[(oblast.id, row.district)] = district
            session.add(district)
            await session.flush()
        school = schools.get(row.code)
        if school is None:
            school = School(
                code=row.code,
                name=row.name,
                name_search=search_key(row.name),
                district_id=district.id,
            )
            schools[row.code] = school
            session.add(school)
            created += 1
        elif school.name != row.name or school.district_id != district.id:
            school.name, school.name_search = row.name, search_key(row.name)
            school.district_id = district.id
            updated += 1
        else:
            unchanged += 1
    await session.flush()
    forget_names_on_commit(session)  # the applicants' city answers match the new names at once
    summary = ImportSummary(created, updated, unchanged)
    await log_action(
        session,
        actor=actor,
        action="codifier.import",
        flag=AuditFlag.CHANGE,
        obj_type="codifier",
        obj_id=None,
        obj_repr=f"{len(report.rows)} schools",
        changes=[
            {"field": "created", "before": None, "after": created},
            {"field": "updated", "before": None, "after": updated},
            {"field": "unchanged", "before": None, "after": unchanged},
        ],
    )
    return summary


async def search_schools(
    session: AsyncSession,
    *,
    scope: Scope,
    query: str,
    limit: int = 20,
    include_unlisted: bool = False,
) -> list[School]:
    """Schools in `scope` whose code starts with `query` or whose name contains it.

    Case-insensitive, Cyrillic included. `include_unlisted` adds 9999 (the МЖБ form offers it)
    whatever the scope, since it belongs to no district.
    """
    text = " ".join(query.split())
    stmt = scope.filter_schools(select(School).where(School.code != UNLISTED_CODE))
    if text:
        stmt = stmt.where(
            School.code.startswith(text.replace(" ", ""), autoescape=True)
            | School.name_search.contains(search_key(text), autoescape=True)
        )
    found = list((await session.scalars(stmt.order_by(School.code).limit(limit))).unique())
    if include_unlisted and (not text or UNLISTED_CODE.startswith(text)):
        found.insert(0, await ensure_unlisted_school(session))
    return found[:limit]


PICK_SHOWN = 5


async def list_schools(
    session: AsyncSession, *, query: str | None, offset: int = 0, limit: int = 50
) -> tuple[list[School], int]:
    """Return one page of the loaded codifier (by code) and its total.

    `query` matches a code prefix or a part of the school's name, any case.
    """
    stmt = select(School)
    text = " ".join((query or "").split())
    if text:
        stmt = stmt.where(
            School.code.startswith(text.replace(" ", ""), autoescape=True)
            | School.name_search.contains(search_key(text), autoescape=True)
        )
    return await one_page(session, stmt, order_by=(School.code,), offset=offset, limit=limit)


async def pick_school(session: AsyncSession, *, scope: Scope, text: str) -> str | Rejected:
    """Return the code of the school a picker's text means, or why it means none or several.

    The picker sends "code — name" from its list; people type a code or a school's name. A
    code (the first word, digits) is returned as it is, for the caller's own checks; a name
    must match exactly one school of `scope` (its whole name, or else a part of one name).
    """
    cleaned = " ".join(text.split())
    first = normalize_school_code(cleaned.split(" ", 1)[0])
    if not cleaned or first.isdigit():
        return first
    key = search_key(cleaned)
    found = await search_schools(session, scope=scope, query=cleaned, limit=50)
    exact = [school for school in found if school.name_search == key]
    matches = exact or found
    if len(matches) == 1:
        return matches[0].code
    if not matches:
        return Rejected("access.school.no_match", {"text": cleaned})
    shown = "; ".join(f"{s.code} {s.name}" for s in matches[:PICK_SHOWN])
    more = "…" if len(matches) > PICK_SHOWN else ""
    return Rejected("access.school.several", {"n": len(matches), "names": shown + more})


def normalize_school_code(text: str) -> str:
    """Return a typed school code with its spaces dropped and its digits made ASCII."""
    return ascii_digits(text).replace(" ", "").strip()


async def find_school(session: AsyncSession, code: str) -> School | None:
    """Return the school with this code (9999 included, created on demand), or None."""
    code = normalize_school_code(code)
    if code == UNLISTED_CODE:
        return await ensure_unlisted_school(session)
    if not code:
        return None
    return await session.scalar(select(School).where(School.code == code))


async def list_districts(session: AsyncSession) -> list[District]:
    """Every district, by oblast then name (the admin's district picker)."""
    rows = await session.scalars(select(District).join(Oblast).order_by(Oblast.name, District.name))
    return list(rows.unique())
