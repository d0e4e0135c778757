"""The place names of the codifier an applicant's address is matched against."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import District, Oblast

# Bishkek and Osh are oblast-level cities: the codifier lists them as oblasts named so.
_CITY_WORDS = ("шаары", "город", "г.")


async def district_and_city_names(session: AsyncSession) -> list[str]:
    """Return the names of every district and city of the codifier, sorted, without repeats."""
    districts = await session.scalars(select(District.name))
    oblasts = await session.scalars(select(Oblast.name))
    cities = [n for n in oblasts if any(w in n.casefold().split() for w in _CITY_WORDS)]
    return sorted({*districts, *cities})
