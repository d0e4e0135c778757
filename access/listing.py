"""The lists officers page through (accounts, grants, the audit log): search and one page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.geography import search_key

PAGE_MAX = 500
# What people type around phone digits: "+996 (555) 12-34-56".
_PHONE_PUNCTUATION = re.compile(r"[^\d\s+\-()]")


def name_or_number(
    query: str | None,
    *,
    name_search: ColumnElement[str],
    phone: ColumnElement[str],
    school_code: ColumnElement[str],
) -> ColumnElement[bool] | None:
    """Return what a list's search box matches, or None when nothing was typed.

    A name substring always (any case, Cyrillic too, against the `search_key` column); when
    the text is only digits and phone punctuation, also phone digits or a school code prefix.
    """
    text = (query or "").strip()
    if not text:
        return None
    condition = name_search.contains(search_key(text), autoescape=True)
    digits = re.sub(r"\D", "", text)
    if digits and not _PHONE_PUNCTUATION.search(text):
        condition = condition | phone.contains(digits) | school_code.startswith(digits)
    return condition


async def one_page(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    order_by: Sequence[ColumnElement[Any]],
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """Return the rows of `stmt` at `offset` (at most `limit`, 1 to 500) and their total."""
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(
        stmt.order_by(*order_by).offset(max(offset, 0)).limit(max(min(limit, PAGE_MAX), 1))
    )
    return list(rows.unique()), int(total or 0)
