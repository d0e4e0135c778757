"""A campaign with applicants in every state on both channels, and the app that reminds them.

The app is the one `ortbot serve` builds, with Telegram pointed at the fake Bot API and
WhatsApp at the fake Twilio REST API; the clock is the test's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from fakes.telegram_api import FakeTelegramAPI
from fakes.twilio_api import FakeTwilioApi
from pydantic import SecretStr

from bot.app import create_app
from bot.runtime import Runtime
from config.campaign import Campaign, load_campaign
from config.settings import PROJECT_ROOT, Settings
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel, PaymentStatus, RegistrationStatus
from storage.models import AccessGrant, LinkedChat, Payment, Registration
from tests.factories import World, make_grant, make_world

TOKEN = "700000001:TEST-token-for-the-fake-bot-api"
ACCOUNT_SID = "AC" + "b2" * 16
AUTH_TOKEN = "twilio-test-auth-token-reminders"  # noqa: S105 - the fake's credentials
TEMPLATE_KY = "HXnoticeky000000000000000000000000"
TEMPLATE_RU = "HXnoticeru000000000000000000000000"
BISHKEK = ZoneInfo("Asia/Bishkek")
T0 = datetime(2026, 2, 20, 10, 0, tzinfo=BISHKEK)  # every grant was made then


def local(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=BISHKEK)


def answers_until(last: str) -> dict[str, Any]:
    """A draft answered in form order up to and including field `last`."""
    full: dict[str, Any] = {
        "is_student": False,
        "pin": "20509200712345",
        "pin_gender": "male",
        "pin_birth_date": "2007-09-05",
        "personal_confirm": True,
        "gender": "male",
        "birth_date": "2007-09-05",
        "passport": "AN1234567",
        "city": "Бишкек",
        "village": "Бишкек",
        "street": "Чуй 1",
        "extra_phone": None,
        "subjects": ["math"],
        "test_language": "ky",
        "passport_front": 1,
        "passport_back": 2,
        "certificate": 3,
        "has_benefits": False,
        "face_photo": 4,
    }
    names = list(full)
    return {name: full[name] for name in names[: names.index(last) + 1]}


@dataclass
class Applicant:
    name: str
    grant_id: int
    phone: str
    telegram: int | None = None  # chat id
    whatsapp: bool = False


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Campus:
    """Who is who in the reminded campaign."""

    people: dict[str, Applicant] = field(default_factory=dict)
    world: World | None = None

    def __getitem__(self, name: str) -> Applicant:
        return self.people[name]


@pytest.fixture
def campaign_2026() -> Campaign:
    """The real 2026 campaign file: window 18 Feb - 2 Apr, its reminder rules."""
    return load_campaign(PROJECT_ROOT / "campaigns" / "2026.toml")


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramAPI]:
    api = FakeTelegramAPI(token=TOKEN)
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def both_channels(
    settings: Settings, fake_telegram: FakeTelegramAPI, fake_twilio: FakeTwilioApi
) -> Settings:
    return settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_api_url": fake_telegram.base_url,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_whatsapp_from": "whatsapp:+996700000001",
            "twilio_api_url": fake_twilio.base_url,
            "twilio_template_notification_sid": f"ky:{TEMPLATE_KY},ru:{TEMPLATE_RU}",
        }
    )


@pytest.fixture
async def served(
    both_channels: Settings, campaign_2026: Campaign
) -> AsyncIterator[tuple[Runtime, web.Application]]:
    """The process `ortbot serve` builds (not listening: tests take the app or the runtime)."""
    runtime = Runtime.from_settings(both_channels, campaign=campaign_2026)
    app = create_app(runtime)
    yield runtime, app
    await runtime.close()


@pytest.fixture
def runtime(served: tuple[Runtime, web.Application]) -> Runtime:
    return served[0]


@pytest.fixture
async def campus(database: Database, secret_box: SecretBox) -> Campus:
    """Applicants A..I of 2026, granted at T0, in every state, on both channels.

    A never wrote to the bot; B linked Telegram and said nothing; C stopped at the passport's
    back side (Telegram, Kyrgyz); D stopped after step 3, on Telegram and later WhatsApp
    (Russian, WhatsApp used last); E was returned a day after the grant; F submitted at T0
    with no receipt (WhatsApp); G submitted with a receipt; H is registered; I said STOP.
    """
    campus = Campus()
    async with database.session() as s:
        world = await make_world(s)
        campus.world = world
        for n, name in enumerate("ABCDEFGHI"):
            grant = await make_grant(
                s,
                school=world.school_a,
                granted_by=world.teacher_a,
                secret_box=secret_box,
                phone_number=f"+99670010000{n}",
                full_name=f"Абитуриент {name}",
            )
            grant.created_at = T0
            campus.people[name] = Applicant(name, grant.id, grant.phone)

        def chat(name: str, channel: Channel, lang: str = "ky") -> None:
            person = campus[name]
            if channel is Channel.TELEGRAM:
                person.telegram = 1000 + ord(name)
                chat_id = str(person.telegram)
            else:
                person.whatsapp = True
                chat_id = f"whatsapp:{person.phone}"
            s.add(
                LinkedChat(
                    channel=channel,
                    chat_id=chat_id,
                    phone=person.phone,
                    grant_id=person.grant_id,
                    language=lang,
                )
            )

        def entry(name: str, status: RegistrationStatus, answers, **values) -> Registration:  # type: ignore[no-untyped-def]
            row = Registration(
                grant_id=campus[name].grant_id,
                campaign_year=2026,
                status=status,
                answers=answers,
                language=values.pop("language", "ky"),
                created_at=T0,
                updated_at=values.pop("updated_at", T0),
                **values,
            )
            s.add(row)
            return row

        for name in "BCEGHI":
            chat(name, Channel.TELEGRAM)
        chat("D", Channel.TELEGRAM, "ru")
        chat("D", Channel.WHATSAPP, "ru")
        chat("F", Channel.WHATSAPP)
        draft = RegistrationStatus.DRAFT
        without_back = answers_until("face_photo")
        del without_back["passport_back"]
        entry("C", draft, without_back, channel=Channel.TELEGRAM)
        entry("D", draft, answers_until("test_language"), language="ru", channel=Channel.WHATSAPP)
        entry(
            "E",
            RegistrationStatus.REJECTED,
            answers_until("face_photo"),
            decided_at=T0 + timedelta(days=1),
            submitted_at=T0,
            rejection_reasons=["passport_photo"],
        )
        entry("F", RegistrationStatus.SUBMITTED, answers_until("face_photo"), submitted_at=T0)
        g = entry("G", RegistrationStatus.SUBMITTED, answers_until("face_photo"), submitted_at=T0)
        entry("H", RegistrationStatus.REGISTERED, answers_until("face_photo"), submitted_at=T0)
        await s.flush()
        s.add(
            Payment(
                registration_id=g.id,
                payment_type="bank",
                amount=1410,
                receipt_number="000123",
                status=PaymentStatus.BEING_VERIFIED,
            )
        )
    async with database.session() as s:
        stopped = await s.get(AccessGrant, campus["I"].grant_id)
        stopped.reminders_stopped_at = T0
    return campus
