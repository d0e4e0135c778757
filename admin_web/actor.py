"""The logged-in officer of a request, inside a database transaction of the view."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin_web.context import WEB_CONTEXT
from admin_web.keys import SESSION
from storage.models import Officer


@asynccontextmanager
async def acting_officer(request: web.Request) -> AsyncIterator[tuple[AsyncSession, Officer]]:
    """Open a transaction and load the request's officer into it (committed on exit).

    The authorization middleware has already required a session for this route.
    """
    active = request[SESSION]
    async with request.app[WEB_CONTEXT].database.session() as session:
        officer = await session.get(Officer, active.officer.id)
        if officer is None or not officer.is_active:
            raise web.HTTPForbidden()
        yield session, officer
