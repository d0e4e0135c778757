"""The lists officers page through (accounts, grants, the audit log): search and one page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import phone_search_digits
from storage.models.geography import search_key

PAGE_MAX = 500


def phone_matches(phone: ColumnElement[str], query: str | None) -> ColumnElement[bool] | None:
    """Return the condition "this E.164 phone is the one typed", or None when no phone was typed.

    Every list searches phones through this one rule (`core.people.phone_search_digits`):
    +996…, 996…, 0… and the bare nine digits, spaced or dashed, all find the same phone.
    """
    digits = phone_search_digits(query or "")
    if digits is None:
        return None
    return phone.contains(digits, autoescape=True)


def name_or_number(
    query: str | None,
    *,
    name_search: ColumnElement[str],
    phone: ColumnElement[str],
    school_code: ColumnElement[str],
) -> ColumnElement[bool] | None:
    """Return what a list's search box matches, or None when nothing was typed.

    A name substring always (any case, Cyrillic too, against the `search_key` column); when
    the text is a phone in any typed form (`phone_matches`), that phone; when it is only
    digits, also a school code prefix.
    """
    text = (query or "").strip()
    if not text:
        return None
    condition = name_search.contains(search_key(text), autoescape=True)
    by_phone = phone_matches(phone, text)
    if by_phone is not None:
        condition = condition | by_phone
    if text.isascii() and text.isdigit():
        condition = condition | school_code.startswith(text)
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
