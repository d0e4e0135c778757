"""Uploaded documents of a registration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import DocumentKind
from storage.models import Document


async def add_document(
    session: AsyncSession,
    *,
    registration_id: int,
    kind: DocumentKind,
    sha256: str,
    mime: str,
    size: int,
    width: int,
    height: int,
    now: datetime,
    benefit_code: str | None = None,
    check_results: list[dict[str, Any]] | None = None,
    replaces_previous: bool = True,
) -> Document:
    """Store a document row; a newer upload of the same kind marks the older ones replaced.

    Benefit documents accumulate (several per category), so they pass
    ``replaces_previous=False``.
    """
    if replaces_previous:
        await session.execute(
            update(Document)
            .where(
                Document.registration_id == registration_id,
                Document.kind == kind,
                Document.replaced_at.is_(None),
            )
            .values(replaced_at=now)
        )
    document = Document(
        registration_id=registration_id,
        kind=kind,
        benefit_code=benefit_code,
        sha256=sha256,
        mime=mime,
        size=size,
        width=width,
        height=height,
        check_results=check_results or [],
    )
    session.add(document)
    await session.flush()
    return document


async def current_documents(session: AsyncSession, registration_id: int) -> list[Document]:
    """Return the documents not replaced, oldest first."""
    rows = await session.scalars(
        select(Document)
        .where(Document.registration_id == registration_id, Document.replaced_at.is_(None))
        .order_by(Document.id)
    )
    return list(rows)


async def replace_benefit_documents(
    session: AsyncSession, registration_id: int, benefit_codes: list[str], now: datetime
) -> None:
    """Mark the benefit documents of the given categories replaced (the claim was withdrawn)."""
    if not benefit_codes:
        return
    await session.execute(
        update(Document)
        .where(
            Document.registration_id == registration_id,
            Document.kind == DocumentKind.BENEFIT,
            Document.benefit_code.in_(benefit_codes),
            Document.replaced_at.is_(None),
        )
        .values(replaced_at=now)
    )
