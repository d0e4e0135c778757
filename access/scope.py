"""What an officer may see and change: the admin everything, a coordinator their own patch.

- central admin (ББОУБ): everything;
- district coordinator: the schools and school coordinators of their district, and every grant
  whose ``district_id`` is theirs (current graduates of their schools and their МЖБ grants);
- school coordinator: the current-graduate grants of their own school.

The same rules exist twice, as predicates for one loaded object and as filters for a query, so
that lists, single pages and downloads agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false

from storage.enums import GrantKind, Role
from storage.models import AccessGrant, AuditEntry, Officer, School


@dataclass(frozen=True)
class Scope:
    """The patch of data one officer may see; build it with `Scope.of(officer)`."""

    role: Role
    officer_id: int
    district_id: int | None
    school_id: int | None

    @classmethod
    def of(cls, officer: Officer) -> Scope:
        return cls(
            role=officer.role,
            officer_id=officer.id,
            district_id=officer.district_id,
            school_id=officer.school_id,
        )

    @property
    def is_central(self) -> bool:
        return self.role is Role.CENTRAL

    @property
    def is_district(self) -> bool:
        return self.role is Role.DISTRICT

    @property
    def is_school(self) -> bool:
        return self.role is Role.SCHOOL

    # --- predicates -------------------------------------------------------------------------

    def allows_district(self, district_id: int | None) -> bool:
        """Whether the officer may act on the district as a whole."""
        if self.is_central:
            return True
        return self.is_district and district_id is not None and district_id == self.district_id

    def allows_school(self, school: School) -> bool:
        if self.is_central:
            return True
        if self.is_district:
            return school.district_id is not None and school.district_id == self.district_id
        return school.id == self.school_id

    def allows_grant(self, grant: AccessGrant) -> bool:
        if self.is_central:
            return True
        if self.is_district:
            return grant.district_id == self.district_id
        return grant.kind is GrantKind.CURRENT and grant.school_id == self.school_id

    def allows_officer(self, target: Officer) -> bool:
        """Whether the officer may see `target` (themselves included)."""
        if self.is_central or target.id == self.officer_id:
            return True
        if self.is_district:
            return target.role is Role.SCHOOL and target.district_id == self.district_id
        return False

    # --- query filters ----------------------------------------------------------------------

    def filter_grants(self, stmt: Select[Any]) -> Select[Any]:
        if self.is_central:
            return stmt
        if self.is_district:
            return stmt.where(AccessGrant.district_id == self.district_id)
        return stmt.where(
            AccessGrant.school_id == self.school_id, AccessGrant.kind == GrantKind.CURRENT
        )

    def filter_officers(self, stmt: Select[Any]) -> Select[Any]:
        if self.is_central:
            return stmt
        if self.is_district:
            return stmt.where(
                (Officer.id == self.officer_id)
                | ((Officer.role == Role.SCHOOL) & (Officer.district_id == self.district_id))
            )
        return stmt.where(Officer.id == self.officer_id)

    def filter_schools(self, stmt: Select[Any]) -> Select[Any]:
        if self.is_central:
            return stmt
        if self.is_district:
            if self.district_id is None:
                return stmt.where(false())
            return stmt.where(School.district_id == self.district_id)
        return stmt.where(School.id == self.school_id)

    def filter_audit(self, stmt: Select[Any]) -> Select[Any]:
        if self.is_central:
            return stmt
        if self.is_district:
            if self.district_id is None:
                return stmt.where(false())
            return stmt.where(AuditEntry.district_id == self.district_id)
        return stmt.where(AuditEntry.actor_id == self.officer_id)
