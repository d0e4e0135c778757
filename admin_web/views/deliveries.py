"""Delivery problems: notices not sent, WhatsApp messages not delivered, chats that blocked.

Three lists on one page, each paged by its own parameter (``notices``, ``messages``,
``chats``) so that turning one page keeps the others where they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from access.deliveries import list_blocked_chats, list_failed_messages, list_failed_notices
from admin_web.actor import acting_officer
from admin_web.context import WEB_CONTEXT
from admin_web.paging import Page, PageRequest
from admin_web.params import page_number
from admin_web.render import render
from admin_web.routing import WebRoute, get
from storage.enums import Role

PAGE_SIZE = 25
NOTICES_PARAM = "notices"
MESSAGES_PARAM = "messages"
CHATS_PARAM = "chats"
PARAMS = (NOTICES_PARAM, MESSAGES_PARAM, CHATS_PARAM)

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
# The outbox's reasons for giving a message up (bot.channel.DeliveryResult.reason).
REASON_TEXTS: dict[str, str] = {
    "telegram:blocked": "deliveries.reason.blocked",
    "telegram:chat_gone": "deliveries.reason.chat_gone",
    "gave_up": "deliveries.reason.gave_up",
    "channel_off": "deliveries.reason.channel_off",
    "not_composed": "deliveries.reason.not_composed",
    # A WhatsApp key another send had reserved and never finished (its process stopped, or it
    # timed out): whether Twilio has the message is not known.
    "twilio:reserved": "deliveries.status.stopped",
    "twilio:unknown": "deliveries.status.unknown",
    **{f"twilio:{code}": text for code, text in ERROR_TEXTS.items()},
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
    numbers = {p: page_number(request, p) for p in PARAMS}
    wanted = {p: PageRequest(query="", page=n, size=PAGE_SIZE) for p, n in numbers.items()}
    async with acting_officer(request) as (session, actor):
        notices, notices_total = await list_failed_notices(
            session,
            actor=actor,
            campaign_year=year,
            offset=wanted[NOTICES_PARAM].offset,
            limit=PAGE_SIZE,
        )
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
            "notices": _named(notices, notices_total, wanted, numbers, NOTICES_PARAM),
            "messages": _named(messages, messages_total, wanted, numbers, MESSAGES_PARAM),
            "chats": _named(chats, chats_total, wanted, numbers, CHATS_PARAM),
            "error_texts": ERROR_TEXTS,
            "reason_texts": REASON_TEXTS,
        },
    )


def _named(
    rows: list[Any],
    total: int,
    wanted: dict[str, PageRequest],
    numbers: dict[str, int],
    param: str,
) -> NamedPage:
    others = tuple((p, str(numbers[p])) for p in PARAMS if p != param)
    return NamedPage(rows, total, wanted[param], param=param, others=others)


ROUTES: list[WebRoute] = [
    get(
        "/deliveries",
        deliveries,
        name="deliveries.list",
        roles={Role.CENTRAL, Role.DISTRICT, Role.SCHOOL},
    ),
]
