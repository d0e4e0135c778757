"""An applicant with an access grant, sample photos, and a chat driving `RegistrationFlow`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.turns import TurnRunner
from config.campaign import Campaign
from core.i18n import Translator
from core.texts import conversation_texts
from flows.engine import RegistrationFlow
from flows.events import ChatKey, Event, IncomingFile
from flows.replies import Reply
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel, GrantKind, Role
from storage.models import AccessGrant, District, Oblast, Officer, School
from tests import sample_photos

APPLICANT_PHONE = "+996700123456"
ACCESS_CODE = "KX7M2P9Q"
FULL_NAME = "Асанова Айгүл Бакытовна"


@pytest.fixture(scope="session")
def translator() -> Translator:
    return conversation_texts()


@pytest.fixture
async def grant(database: Database, secret_box: SecretBox, campaign: Campaign) -> AccessGrant:
    """A district coordinator's grant for an applicant of the campaign's year."""
    return await add_grant(database, secret_box, campaign.year)


async def add_grant(
    database: Database, secret_box: SecretBox, year: int, phone: str = APPLICANT_PHONE
) -> AccessGrant:
    """Create a district, a school, a coordinator and the applicant's grant."""
    async with database.session() as s:
        oblast = Oblast(name="Чүй облусу")
        s.add(oblast)
        await s.flush()
        district = District(oblast_id=oblast.id, name="Сокулук району")
        s.add(district)
        await s.flush()
        school = School(code="10101", name="№1 орто мектеби", district_id=district.id)
        officer = Officer(
            role=Role.DISTRICT,
            phone="+996555000001",
            full_name="Кадырова Мээрим",
            district_id=district.id,
            password_hash="x",
        )
        s.add_all([school, officer])
        await s.flush()
        row = AccessGrant(
            campaign_year=year,
            kind=GrantKind.MZHB,
            phone=phone,
            full_name=FULL_NAME,
            school_id=school.id,
            district_id=district.id,
            granted_by_id=officer.id,
            access_code_hash=secret_box.keyed_hash(ACCESS_CODE),
            access_code_encrypted=secret_box.encrypt(ACCESS_CODE),
        )
        s.add(row)
        await s.flush()
        return row


@pytest.fixture(scope="session")
def document_photo() -> bytes:
    return sample_photos.document_photo_jpeg()


@pytest.fixture(scope="session")
def face_photo() -> bytes:
    return sample_photos.face_photo_jpeg()


@pytest.fixture(scope="session")
def grey_face_photo() -> bytes:
    return sample_photos.grey_face_photo_jpeg()


@pytest.fixture(scope="session")
def tiny_photo() -> bytes:
    return sample_photos.tiny_photo_jpeg()


@pytest.fixture
def make_flow(database, state, filestore, campaign, translator, secret_box):
    """Return the registration flow behind the turn runner every channel uses."""

    def _make(**overrides) -> TurnRunner:
        kwargs = dict(
            state=state,
            filestore=filestore,
            campaign=campaign,
            translator=translator,
            secret_box=secret_box,
            clock=lambda: datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        )
        kwargs.update(overrides)
        return TurnRunner(
            conversation=RegistrationFlow(**kwargs),
            database=database,
            state=state,
            translator=translator,
        )

    return _make


@pytest.fixture
def flow(make_flow) -> TurnRunner:
    return make_flow()


@dataclass
class ChatDriver:
    """A scripted applicant: sends events, keeps the last replies, finds buttons by label.

    `database`: where the walker of `tests.flows.script` reads the draft, to know what is asked.
    """

    flow: TurnRunner
    key: ChatKey
    verified_phone: str | None = None
    last: list[Reply] = field(default_factory=list)
    database: Database | None = None

    async def send(self, event: Event) -> list[Reply]:
        if self.verified_phone and event.verified_phone is None:
            event = Event(**{**event.__dict__, "verified_phone": self.verified_phone})
        self.last = await self.flow.handle(self.key, event)
        assert self.last, f"no reply to {event.kind}"
        return self.last

    async def text(self, text: str) -> list[Reply]:
        return await self.send(Event(kind="text", text=text))

    async def choose(self, option_id: str) -> list[Reply]:
        """Press an offered option: its full id, or the value after its question tag."""
        ids = [o.id for r in self.last for o in r.options]
        if option_id not in ids:
            tagged = [i for i in ids if i.partition(":")[2] == option_id]
            assert len(tagged) == 1, f"{option_id!r} not offered; offered: {ids}"
            option_id = tagged[0]
        return await self.send(Event(kind="choice", choice=option_id))

    async def command(self, name: str, arg: str | None = None) -> list[Reply]:
        return await self.send(Event(kind="command", command=name, text=arg))

    async def photo(self, data: bytes) -> list[Reply]:
        return await self.send(Event(kind="file", file=IncomingFile(data, "photo.jpg")))

    async def contact(self, phone: str) -> list[Reply]:
        return await self.send(Event(kind="contact", phone=phone))

    @property
    def said(self) -> str:
        return "\n".join(r.text for r in self.last)

    def option(self, label: str) -> str:
        """Return the id of the option whose label contains `label`."""
        for reply in self.last:
            for option in reply.options:
                if label in option.label:
                    return option.id
        raise AssertionError(f"no option labelled {label!r} in {self.last}")


@pytest.fixture
def telegram(flow, database) -> ChatDriver:
    return ChatDriver(flow, ChatKey(Channel.TELEGRAM, "5001"), database=database)


@pytest.fixture
def whatsapp(flow, database) -> ChatDriver:
    key = ChatKey(Channel.WHATSAPP, f"whatsapp:{APPLICANT_PHONE}")
    return ChatDriver(flow, key, APPLICANT_PHONE, database=database)
