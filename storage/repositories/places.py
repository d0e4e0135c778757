"""The place names of the codifier an applicant's address is matched against.

The names are read once per engine and kept for `NAMES_KEPT_SECONDS`: every applicant's city
answer matches against them, and the codifier changes only when an officer imports it again,
before a campaign. An import forgets this process's names when it commits
(`forget_names_on_commit`); other processes (another replica, the command line's import) offer
a name imported meanwhile after at most that long, and until then a typed place that matches
nothing keeps the applicant's own spelling, as always. A codifier not imported yet (no names)
is not kept: the names are read again at the next city.
"""

from __future__ import annotations

import time
import weakref

from sqlalchemy import Engine, event, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import District, Oblast

# Bishkek and Osh are oblast-level cities: the codifier lists them as oblasts named so.
_CITY_WORDS = ("шаары", "город", "г.")
NAMES_KEPT_SECONDS = 300.0
_clock = time.monotonic

_kept: weakref.WeakKeyDictionary[Engine, tuple[float, tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)


async def district_and_city_names(session: AsyncSession) -> list[str]:
    """Return the names of every district and city of the codifier, sorted, without repeats."""
    engine = session.get_bind()
    kept = _kept.get(engine)
    read_at = _clock()
    if kept is not None and read_at - kept[0] < NAMES_KEPT_SECONDS:
        return list(kept[1])
    districts = await session.scalars(select(District.name))
    oblasts = await session.scalars(select(Oblast.name))
    cities = [n for n in oblasts if any(w in n.casefold().split() for w in _CITY_WORDS)]
    names = sorted({*districts, *cities})
    if names:  # none yet (the codifier not imported): read again next time
        _kept[engine] = (read_at, tuple(names))
    return names


def forget_names_on_commit(session: AsyncSession) -> None:
    """Read the names afresh at the next city once `session` commits (the codifier changed).

    Forgotten after the commit, not before: a turn reading the names between the two would
    keep the old ones for another `NAMES_KEPT_SECONDS`.
    """
    engine = session.get_bind()

    def forget(_session: object) -> None:
        _kept.pop(engine, None)

    event.listen(session.sync_session, "after_commit", forget, once=True)
