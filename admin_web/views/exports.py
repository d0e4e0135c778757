"""Excel downloads: coordinators' logins and passwords, and access grants with their codes.

The export writes into a spooled file inside the officer's transaction; the file is then
streamed out as an attachment named by the export itself (scope and date).
"""

from __future__ import annotations

from aiohttp import web

from access.exports import (
    export_district_coordinators,
    export_grants,
    export_school_coordinators,
)
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.downloads import new_spool, stream_file
from admin_web.keys import LANG
from admin_web.routing import WebRoute, get
from admin_web.views.grants import GRADUATES, MZHB, GrantDesk
from storage.enums import Role


def officers_export_view(export):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        context = request.app[WEB_CONTEXT]
        with new_spool() as out:
            async with acting_officer(request) as (session, actor):
                filename = await export(
                    session,
                    actor=actor,
                    secret_box=context.secret_box,
                    out=out,
                    language=request[LANG],
                )
            return await stream_file(request, out, filename)

    return view


def grants_export_view(desk: GrantDesk):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.StreamResponse:
        context = request.app[WEB_CONTEXT]
        settings = context.settings
        login_base = settings.public_base_url or f"http://{request.host}"
        with new_spool() as out:
            async with acting_officer(request) as (session, actor):
                filename = await export_grants(
                    session,
                    actor=actor,
                    kind=desk.kind,
                    campaign=context.campaign,
                    secret_box=context.secret_box,
                    out=out,
                    language=request[LANG],
                    bot_username=settings.telegram_bot_username,
                    whatsapp_number=settings.twilio_whatsapp_from,
                    login_base_url=login_base,
                )
            return await stream_file(request, out, filename)

    return view


ROUTES: list[WebRoute] = [
    get(
        "/coordinators/export",
        officers_export_view(export_district_coordinators),
        name="officers.districts.export",
        roles={Role.CENTRAL},
    ),
    get(
        "/schools/export",
        officers_export_view(export_school_coordinators),
        name="officers.schools.export",
        roles={Role.DISTRICT},
    ),
    get("/mzhb/export", grants_export_view(MZHB), name="grants.mzhb.export", roles={Role.DISTRICT}),
    get(
        "/graduates/export",
        grants_export_view(GRADUATES),
        name="grants.graduates.export",
        roles={Role.SCHOOL},
    ),
]
