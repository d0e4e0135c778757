"""The form runs in private chats only: a group, supergroup or channel gets one notice, and
nothing it sends is stored. The whole app, the real flow and the fake Bot API.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, Role
from storage.models import AccessGrant, LinkedChat, Registration
from storage.models.history import RegistrationEvent
from storage.models.messages import ChannelMessage
from tests.factories import make_district, make_grant, make_officer, make_school

from .applicant import ACCESS_CODE, APPLICANT_PHONE, FULL_NAME
from .conftest import Harness

_ids = itertools.count(1)
MEMBER = {"id": 5559001, "is_bot": False, "first_name": "Айгүл", "language_code": "ky"}
BOT = {"id": 700000001, "is_bot": True, "first_name": "ORT", "username": "ort_test_bot"}


@pytest.fixture
async def grant(database: Database, secret_box: SecretBox) -> AccessGrant:
    async with database.session() as session:
        district = await make_district(session)
        school = await make_school(session, "10101", district)
        officer = await make_officer(session, Role.DISTRICT, district=district)
        return await make_grant(
            session,
            school=school,
            granted_by=officer,
            secret_box=secret_box,
            phone_number=APPLICANT_PHONE,
            full_name=FULL_NAME,
            kind=GrantKind.MZHB,
            code=ACCESS_CODE,
        )


def in_chat(chat: dict[str, Any], **content: Any) -> dict[str, Any]:
    message = {"message_id": 200000 + next(_ids), "date": int(time.time()), "chat": chat}
    if chat["type"] != "channel":
        message["from"] = MEMBER
    return {**message, **content}


def command(text: str) -> dict[str, Any]:
    return {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}


async def send(harness: Harness, **payload: Any) -> None:
    await harness.deliver({"update_id": harness.api.new_update_id(), **payload})


async def stored(database: Database) -> dict[str, int]:
    async with database.session() as session:
        counts = {}
        for model in (LinkedChat, Registration, RegistrationEvent, ChannelMessage):
            counts[model.__tablename__] = await session.scalar(
                select(func.count()).select_from(model)
            )
        grant = await session.scalar(select(AccessGrant))
        counts["grants used"] = int(grant.access_code_used_at is not None)
        return counts


NOTHING = {
    "linked_chats": 0,
    "registrations": 0,
    "registration_events": 0,
    "channel_messages": 0,
    "grants used": 0,
}


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_a_group_is_told_once_to_use_a_private_chat_and_nothing_is_stored(
    start_app, database: Database, grant: AccessGrant, kind: str
) -> None:
    harness = await start_app("webhook")
    group = {"id": -1001234567890, "type": kind, "title": "11-Б класс"}
    own_contact = {"phone_number": APPLICANT_PHONE, "first_name": "Айгүл", "user_id": MEMBER["id"]}

    await send(harness, message=in_chat(group, **command(f"/start {ACCESS_CODE}")))
    await send(harness, message=in_chat(group, contact=own_contact))
    await send(harness, message=in_chat(group, text="21503200612345"))
    await send(harness, message=in_chat(group, **command("/start")))

    [notice] = harness.api.texts_to(group["id"])
    assert "https://t.me/ort_test_bot" in notice
    assert "жеке" in notice and "личном чате" in notice  # Kyrgyz and Russian, for everyone
    assert await stored(database) == NOTHING

    # The same person in a private chat gets the form as usual.
    private = {"id": MEMBER["id"], "type": "private", "first_name": "Айгүл"}
    await send(harness, message=in_chat(private, **command("/start")))
    assert harness.api.texts_to(MEMBER["id"]), "the private chat is answered"


async def test_a_group_that_adds_the_bot_and_a_channel_get_the_notice_once(
    start_app, database: Database, grant: AccessGrant
) -> None:
    harness = await start_app("polling")
    group = {"id": -4001234567, "type": "group", "title": "Ата-энелер"}
    added = {
        "chat": group,
        "from": MEMBER,
        "date": int(time.time()),
        "old_chat_member": {"status": "left", "user": BOT},
        "new_chat_member": {"status": "member", "user": BOT},
    }
    await send(harness, my_chat_member=added)
    await send(harness, message=in_chat(group, **command("/start")))
    assert len(harness.api.texts_to(group["id"])) == 1

    channel = {"id": -1009876543210, "type": "channel", "title": "ЖРТ жаңылыктары"}
    await send(harness, channel_post=in_chat(channel, **command("/start")))
    await send(harness, channel_post=in_chat(channel, **command("/start")))
    assert len(harness.api.texts_to(channel["id"])) == 1
    assert await stored(database) == NOTHING
