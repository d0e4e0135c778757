"""Delivery problems: WhatsApp messages that did not arrive, and chats that blocked the bot.

Two lists on one page, each paged by its own parameter (``messages``, ``chats``) so that
turning one page keeps the other where it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from access.deliveries import list_blocked_chats, list_failed_messages
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.paging import Page, PageRequest
from admin_web.params import page_number
from admin_web.render import render
from admin_web.routing import WebRoute, get
from storage.enums import Role

PAGE_SIZE = 25
MESSAGES_PARAM = "messages"
CHATS_PARAM = "chats"

# Twilio error codes officers meet most, and the sentence that explains each; other codes
# are shown as they are. https://www.twilio.com/docs/api/errors
ERROR_TEXTS: dict[int, str] = {
    63016: "deliveries.error.window",
    63003: "deliveries.error.invalid",
    63024: "deliveries.error.invalid",
    30003: "deliveries.error.unreachable",
    30005: "deliveries.error.unknown_number",
    30006: "deliveries.error.landline",
    30007: "deliveries.error.filtered",
    21610: "deliveries.error.unsubscribed",
}


@dataclass(frozen=True)
class NamedPage(Page):
    """A `Page` paged by its own query parameter, keeping the other list's page in links."""

    param: str = "page"
    others: tuple[tuple[str, str], ...] = ()

    def query_for(self, page: int) -> dict[str, str]:
        return {**dict(self.others), self.param: str(page)}


async def deliveries(request: web.Request) -> web.StreamResponse:
    year = request.app[WEB_CONTEXT].campaign.year
    numbers = {p: page_number(request, p) for p in (MESSAGES_PARAM, CHATS_PARAM)}
    wanted = {p: PageRequest(query="", page=n, size=PAGE_SIZE) for p, n in numbers.items()}
    async with acting_officer(request) as (session, actor):
        messages, messages_total = await list_failed_messages(
            session,
            actor=actor,
            campaign_year=year,
            offset=wanted[MESSAGES_PARAM].offset,
            limit=PAGE_SIZE,
        )
        chats, chats_total = await list_blocked_chats(
            session,
            actor=actor,
            campaign_year=year,
            offset=wanted[CHATS_PARAM].offset,
            limit=PAGE_SIZE,
        )
    return render(
        request,
        "deliveries.html",
        {
            "messages": NamedPage(
                messages,
                messages_total,
                wanted[MESSAGES_PARAM],
                param=MESSAGES_PARAM,
                others=((CHATS_PARAM, str(numbers[CHATS_PARAM])),),
            ),
            "chats": NamedPage(
                chats,
                chats_total,
                wanted[CHATS_PARAM],
                param=CHATS_PARAM,
                others=((MESSAGES_PARAM, str(numbers[MESSAGES_PARAM])),),
            ),
            "error_texts": ERROR_TEXTS,
        },
    )


ROUTES: list[WebRoute] = [
    get(
        "/deliveries",
        deliveries,
        name="deliveries.list",
        roles={Role.CENTRAL, Role.DISTRICT, Role.SCHOOL},
    ),
]
