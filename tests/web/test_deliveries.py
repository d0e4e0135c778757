"""The "Delivery problems" page: failed WhatsApp messages and blocked bots, each in its scope.

Rows are written straight into the tables the WhatsApp outbox and the Telegram sender fill;
what is asserted is what each officer reads on the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from access.deliveries import PROBLEM_STATUSES
from admin_web.i18n import WEB_LOCALE
from bot.whatsapp.bookkeeping import PROBLEM_STATUSES as OUTBOX_PROBLEM_STATUSES
from core.i18n import Translator
from core.people import format_phone
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel, MessageDirection
from storage.models import AccessGrant, ChannelMessage, LinkedChat
from tests.factories import make_grant
from tests.web.conftest import WebWorld, csrf_token, login

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
STRANGER = "+996555999001"  # a number no grant or officer has
GRANT_B_CODE = "K7M2P9Q4"
MESSAGES = 'data-testid="failed-messages"'
CHATS = 'data-testid="blocked-chats"'


def _message(
    phone: str,
    *,
    minutes: int,
    status: str = "failed",
    error_code: int | None = None,
    purpose: str = "notification",
    direction: MessageDirection = MessageDirection.OUTBOUND,
) -> ChannelMessage:
    at = T0 + timedelta(minutes=minutes)
    return ChannelMessage(
        channel=Channel.WHATSAPP,
        direction=direction,
        idempotency_key=f"test:{phone}:{minutes}:{status}",
        phone=phone,
        purpose=purpose,
        status=status,
        error_code=error_code,
        attempts=1,
        created_at=at,
        updated_at=at,
    )


def _chat(
    chat_id: str,
    *,
    minutes: int | None,
    grant: AccessGrant | None = None,
    officer_id: int | None = None,
    phone: str | None = None,
    channel: Channel = Channel.TELEGRAM,
) -> LinkedChat:
    return LinkedChat(
        channel=channel,
        chat_id=chat_id,
        phone=phone,
        grant_id=grant.id if grant else None,
        officer_id=officer_id,
        blocked_at=None if minutes is None else T0 + timedelta(minutes=minutes),
    )


@dataclass
class Problems:
    grant_b: AccessGrant  # a current graduate of school 20201, district B


@pytest.fixture
async def problems(web_world: WebWorld, database: Database, secret_box: SecretBox) -> Problems:
    w = web_world
    async with database.session() as s:
        grant_b = await make_grant(
            s,
            school=w.school_b,
            granted_by=w.teacher_b,
            secret_box=secret_box,
            full_name="Сатыбалдиев Эмил Русланович",
            code=GRANT_B_CODE,
        )
        s.add_all(
            [
                # District A, school 10101: outside the 24-hour window.
                _message(w.graduate_a.phone, minutes=1, error_code=63016),
                # District B: an applicant and a school coordinator.
                _message(grant_b.phone, minutes=2, status="undelivered", error_code=30003),
                _message(w.teacher_b.phone, minutes=3, status="unknown", purpose="credentials"),
                # Nobody's number: the admin only, with an unexplained code.
                _message(STRANGER, minutes=4, error_code=12345),
                # Not problems: delivered, or inbound.
                _message(w.mzhb_a.phone, minutes=5, status="delivered"),
                _message(
                    w.mzhb_a.phone,
                    minutes=6,
                    status="received",
                    direction=MessageDirection.INBOUND,
                    purpose="inbound",
                ),
                # Blocked chats: an МЖБ applicant of A (the phone only on the grant), the
                # district B coordinator, the school coordinator of 10101 on WhatsApp.
                _chat("701", minutes=10, grant=w.mzhb_a),
                _chat(
                    "702", minutes=11, officer_id=w.coordinator_b.id, phone=w.coordinator_b.phone
                ),
                _chat(
                    w.teacher_a.phone,
                    minutes=12,
                    officer_id=w.teacher_a.id,
                    phone=w.teacher_a.phone,
                    channel=Channel.WHATSAPP,
                ),
                # Linked but not blocked.
                _chat("703", minutes=None, grant=w.graduate_a, phone=w.graduate_a.phone),
            ]
        )
    return Problems(grant_b=grant_b)


async def _sections(client: TestClient, path: str = "/deliveries") -> tuple[str, str]:
    """Return the failed-messages and blocked-chats sections of the page."""
    response = await client.get(path)
    assert response.status == 200
    body = await response.text()
    messages = body.split(MESSAGES, 1)[1].split(CHATS, 1)[0]
    chats = body.split(CHATS, 1)[1]
    return messages, chats


def _texts() -> Translator:
    return Translator.load(WEB_LOCALE, "web")


def test_the_page_knows_the_outbox_problem_statuses() -> None:
    assert set(PROBLEM_STATUSES) == set(OUTBOX_PROBLEM_STATUSES)


async def test_admin_sees_every_failed_message_and_every_blocked_chat(
    client: TestClient, web_world: WebWorld, problems: Problems
) -> None:
    w = web_world
    await login(client, w.admin)
    messages, chats = await _sections(client)
    for name in (w.graduate_a.full_name, problems.grant_b.full_name, w.teacher_b.full_name):
        assert name in messages
    assert format_phone(STRANGER) in messages
    assert "12345" in messages  # an unexplained code is shown as it is
    assert _texts().gettext("ky", "deliveries.error.window") in messages
    assert _texts().gettext("ky", "deliveries.error.unreachable") in messages
    # Newest first; delivered and inbound rows are not problems.
    assert messages.index(format_phone(STRANGER)) < messages.index(w.graduate_a.full_name)
    assert w.mzhb_a.full_name not in messages
    for name in (w.mzhb_a.full_name, w.coordinator_b.full_name, w.teacher_a.full_name):
        assert name in chats
    assert format_phone(w.mzhb_a.phone) in chats  # taken from the grant when the chat has none
    assert w.graduate_a.full_name not in chats
    assert _texts().gettext("ky", "deliveries.todo.unblock") in chats
    assert GRANT_B_CODE not in messages + chats


async def test_district_coordinator_sees_only_their_district(
    make_client, web_world: WebWorld, problems: Problems
) -> None:  # type: ignore[no-untyped-def]
    w = web_world
    a, b = await make_client(), await make_client()
    await login(a, w.coordinator_a)
    await login(b, w.coordinator_b)
    a_messages, a_chats = await _sections(a)
    b_messages, b_chats = await _sections(b)

    assert w.graduate_a.full_name in a_messages
    assert format_phone(w.graduate_a.phone) in a_messages
    assert w.mzhb_a.full_name in a_chats and w.teacher_a.full_name in a_chats
    for name in (problems.grant_b.full_name, w.teacher_b.full_name, w.coordinator_b.full_name):
        assert name not in a_messages + a_chats
    assert format_phone(STRANGER) not in a_messages  # matches nobody: hidden

    assert problems.grant_b.full_name in b_messages and w.teacher_b.full_name in b_messages
    assert w.coordinator_b.full_name in b_chats
    for name in (w.graduate_a.full_name, w.mzhb_a.full_name, w.teacher_a.full_name):
        assert name not in b_messages + b_chats
    assert format_phone(STRANGER) not in b_messages


async def test_school_coordinator_sees_their_graduates_and_themselves(
    client: TestClient, web_world: WebWorld, problems: Problems
) -> None:
    w = web_world
    await login(client, w.teacher_a)
    messages, chats = await _sections(client)
    assert w.graduate_a.full_name in messages
    assert w.teacher_a.full_name in chats  # their own blocked WhatsApp chat
    assert w.mzhb_a.full_name not in chats  # МЖБ applicants are the district's
    for name in (problems.grant_b.full_name, w.teacher_b.full_name, w.coordinator_b.full_name):
        assert name not in messages + chats
    assert format_phone(STRANGER) not in messages


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_the_24_hour_window_is_explained_in_the_officers_language(
    client: TestClient, web_world: WebWorld, problems: Problems, lang: str
) -> None:
    token = await csrf_token(client)
    await client.post("/language", data={"lang": lang, "next": "/login", "csrf_token": token})
    await login(client, web_world.coordinator_a)
    messages, chats = await _sections(client)
    texts = _texts()
    assert (
        ">63016</span> — " + html.escape(texts.gettext(lang, "deliveries.error.window")) in messages
    )
    assert html.escape(texts.gettext(lang, "deliveries.chats.hint")) in chats


async def test_each_list_pages_on_its_own(
    client: TestClient, web_world: WebWorld, problems: Problems, database: Database
) -> None:
    async with database.session() as s:
        s.add_all(
            _message(web_world.graduate_a.phone, minutes=100 + n, error_code=63016)
            for n in range(25)
        )
    await login(client, web_world.coordinator_a)
    first, _ = await _sections(client)
    second, chats = await _sections(client, "/deliveries?messages=2&chats=1")
    assert first.count(">63016</span>") == 25 and second.count(">63016</span>") == 1
    assert "messages=1" in second and "chats=1" in second  # the pager keeps the other list
    assert web_world.mzhb_a.full_name in chats


@pytest.mark.parametrize("officer", ["admin", "coordinator_a", "teacher_a"])
async def test_the_page_is_in_the_menu(
    client: TestClient, web_world: WebWorld, officer: str
) -> None:
    await login(client, getattr(web_world, officer))
    home = await (await client.get("/")).text()
    assert 'href="/deliveries"' in home
    assert _texts().gettext("ky", "nav.deliveries") in home


@pytest.mark.parametrize("lang", ["ky", "ru"])
async def test_a_reply_left_reserved_by_a_stopped_process_is_shown_in_its_district(
    make_client, web_world: WebWorld, database: Database, lang: str
) -> None:  # type: ignore[no-untyped-def]
    w = web_world
    now = datetime.now(UTC)

    def reserved(phone: str, minutes_ago: int) -> ChannelMessage:
        at = now - timedelta(minutes=minutes_ago)
        return ChannelMessage(
            channel=Channel.WHATSAPP,
            direction=MessageDirection.OUTBOUND,
            idempotency_key=f"reply:{phone}:{minutes_ago}",
            phone=phone,
            purpose="reply",
            status="reserved",
            attempts=0,
            created_at=at,
            updated_at=at,
        )

    async with database.session() as s:
        s.add_all(
            [
                reserved(w.graduate_a.phone, 30),  # district A: its process died mid-send
                reserved(w.teacher_b.phone, 60),  # district B: the same
                reserved(w.mzhb_a.phone, 1),  # district A, being sent right now
            ]
        )
    stopped_text = html.escape(_texts().gettext(lang, "deliveries.status.stopped"))
    a, admin = await make_client(), await make_client()
    for client, officer in ((a, w.coordinator_a), (admin, w.admin)):
        token = await csrf_token(client)
        await client.post("/language", data={"lang": lang, "next": "/login", "csrf_token": token})
        await login(client, officer)
    a_messages, _ = await _sections(a)
    admin_messages, _ = await _sections(admin)

    assert w.graduate_a.full_name in a_messages and stopped_text in a_messages
    assert w.teacher_b.full_name not in a_messages  # another district's chat
    assert w.teacher_b.full_name in admin_messages
    assert admin_messages.count(stopped_text) == 2
    # A reservation younger than the stale limit is a send in progress, not a problem.
    assert w.mzhb_a.full_name not in a_messages + admin_messages


def test_every_reason_of_a_failed_notice_is_explained_in_both_languages() -> None:
    from admin_web.views.deliveries import REASON_TEXTS

    texts = _texts()
    for lang in ("ky", "ru"):
        for reason, msgid in REASON_TEXTS.items():
            assert texts.gettext(lang, msgid) != msgid, (lang, reason)
    assert REASON_TEXTS["twilio:reserved"] == "deliveries.status.stopped"
