"""The one way to load an officer's rows: `Scoped(session, actor)`.

The pattern of Django admin's `get_queryset()` / `get_object()`. Lists start from the scoped
queries (`grants()`, `registrations()`, `officers()`, `schools()`); a single row is loaded by
id through the same filters (`grant(id)`, `registration(id)`, `document(...)`, `payment(id)`,
`officer(id)`, `school(id)`), and a row that does not exist or lies outside the officer's
scope raises `OutOfScope`: the caller cannot forget the check, because the row never reaches
it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.exceptions import OutOfScope
from access.scope import Scope
from storage.base import MAX_ROW_ID
from storage.enums import Role
from storage.models import AccessGrant, Document, Officer, Payment, Registration, School


class Scoped:
    """Loads the rows `actor` may see, in `session` (the caller's transaction)."""

    def __init__(self, session: AsyncSession, actor: Officer) -> None:
        self.session = session
        self.actor = actor
        self.scope = Scope.of(actor)

    # --- queries ----------------------------------------------------------------------------

    def grants(self) -> Select[Any]:
        """Return the query of the access grants in scope."""
        return self.scope.filter_grants(select(AccessGrant))

    def registrations(self) -> Select[Any]:
        """Return the query of the entries in scope (those of the grants in scope)."""
        return self.scope.filter_grants(
            select(Registration).join(AccessGrant, Registration.grant_id == AccessGrant.id)
        )

    def officers(self) -> Select[Any]:
        """Return the query of the officers in scope (the actor included)."""
        return self.scope.filter_officers(select(Officer))

    def schools(self) -> Select[Any]:
        """Return the query of the schools in scope."""
        return self.scope.filter_schools(select(School))

    # --- single rows ------------------------------------------------------------------------

    async def grant(self, grant_id: int) -> AccessGrant:
        """Return the grant `grant_id`.

        Raises:
            OutOfScope: when there is no such grant in scope.

        """
        return await self._one(self.grants().where(AccessGrant.id == _checked(grant_id)))

    async def registration(self, registration_id: int) -> Registration:
        """Return the entry `registration_id`.

        Raises:
            OutOfScope: when there is no such entry in scope.

        """
        stmt = self.registrations().where(Registration.id == _checked(registration_id))
        return await self._one(stmt)

    async def document(self, registration: Registration, document_id: int) -> Document:
        """Return the document `document_id` of `registration` (loaded through this scope).

        Raises:
            OutOfScope: when the entry has no such document.

        """
        stmt = select(Document).where(
            Document.id == _checked(document_id), Document.registration_id == registration.id
        )
        return await self._one(stmt)

    async def payment(self, payment_id: int) -> Payment:
        """Return the payment `payment_id` of an entry in scope.

        Raises:
            OutOfScope: when there is no such payment in scope.

        """
        entries = self.registrations().with_only_columns(Registration.id)
        stmt = select(Payment).where(
            Payment.id == _checked(payment_id), Payment.registration_id.in_(entries)
        )
        return await self._one(stmt)

    async def officer(self, officer_id: int, *, role: Role | None = None) -> Officer:
        """Return the officer `officer_id`, of `role` when given.

        Raises:
            OutOfScope: when there is no such officer in scope.

        """
        stmt = self.officers().where(Officer.id == _checked(officer_id))
        if role is not None:
            stmt = stmt.where(Officer.role == role)
        return await self._one(stmt)

    async def school(self, school_id: int) -> School:
        """Return the school `school_id`.

        Raises:
            OutOfScope: when there is no such school in scope.

        """
        return await self._one(self.schools().where(School.id == _checked(school_id)))

    async def _one(self, stmt: Select[Any]) -> Any:
        found = (await self.session.scalars(stmt.limit(1))).unique().first()
        if found is None:
            raise OutOfScope()
        return found


def _checked(row_id: int) -> int:
    """Refuse an id no row can have before it reaches the database (which would fail on it)."""
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 1 <= row_id <= MAX_ROW_ID:
        raise OutOfScope()
    return row_id
