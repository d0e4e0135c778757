"""Registrations with answers and stored photos, as a finished campaign leaves them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.credentials import SecretBox
from storage.enums import Channel, DocumentKind, RegistrationStatus
from storage.filestore import FileStore
from storage.models import LinkedChat, Registration
from storage.repositories.documents import add_document
from tests.factories import World, make_grant

KINDS = (
    DocumentKind.PASSPORT_FRONT,
    DocumentKind.PASSPORT_BACK,
    DocumentKind.CERTIFICATE,
    DocumentKind.FACE,
)
FIELD_OF = {
    DocumentKind.PASSPORT_FRONT: "passport_front",
    DocumentKind.PASSPORT_BACK: "passport_back",
    DocumentKind.CERTIFICATE: "certificate",
    DocumentKind.FACE: "face_photo",
}
STATUSES = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.APPROVED,
    RegistrationStatus.SUBMITTED,
    RegistrationStatus.REJECTED,
    RegistrationStatus.DRAFT,
)


@dataclass
class Stored:
    """What was created: registration ids and the file keys of each."""

    registrations: list[int] = field(default_factory=list)
    files: dict[int, list[str]] = field(default_factory=dict)  # registration id -> keys
    phones: list[str] = field(default_factory=list)


def answers_of(n: int) -> dict:  # type: ignore[type-arg]
    return {
        "is_student": "no",
        "pin": f"2{n % 28 + 1:02d}0520080{n:04d}"[:14],
        "personal_confirm": "yes",
        "gender": "female" if n % 2 else "male",
        "birth_date": "2008-05-10",
        "passport": f"ID{1000000 + n}",
        "city": "Бишкек",
        "village": "—",
        "street": f"Чүй проспекти, {n}",
        "extra_phone": f"+99670012{n:04d}"[:13],
        "subjects": ["math", "physics"] if n % 2 else ["biology"],
        "test_language": "ky",
        "has_benefits": "yes" if n == 0 else "no",
        **({"benefit_categories": ["orphan"], "benefit_done": ["orphan"]} if n == 0 else {}),
    }


async def make_campaign_registrations(
    session: AsyncSession,
    filestore: FileStore,
    *,
    world: World,
    secret_box: SecretBox,
    year: int,
    count: int,
    tag: str,
) -> Stored:
    """`count` registrations of `year` across two schools, each with four stored photos."""
    stored = Stored()
    now = datetime(year, 3, 1, tzinfo=UTC)
    for n in range(count):
        school = world.school_a if n % 2 else world.school_c
        granted_by = world.teacher_a if n % 2 else world.teacher_c
        phone = f"+99655{year % 100:02d}{n:05d}"
        grant = await make_grant(
            session,
            school=school,
            granted_by=granted_by,
            secret_box=secret_box,
            phone_number=phone,
            full_name=f"Асанова Айпери {tag}{n}",
            campaign_year=year,
        )
        stored.phones.append(phone)
        answers = answers_of(n)
        registration = Registration(
            grant_id=grant.id,
            campaign_year=year,
            status=STATUSES[n % len(STATUSES)],
            answers=answers,
            language="ky",
            channel=Channel.TELEGRAM,
            rejection_comment="Паспорттун сүрөтү бүдөмүк" if n % 5 == 3 else None,
        )
        session.add(registration)
        await session.flush()
        keys = []
        for kind in KINDS:
            data = f"{tag}:{year}:{n}:{kind.value}".encode() * 50
            key = await filestore.put(data)
            document = await add_document(
                session,
                registration_id=registration.id,
                kind=kind,
                sha256=key,
                mime="image/jpeg",
                size=len(data),
                width=800,
                height=600,
                now=now,
            )
            answers = {**answers, FIELD_OF[kind]: document.id}
            keys.append(key)
        if n == 0:
            data = f"{tag}:{year}:benefit".encode() * 50
            key = await filestore.put(data)
            document = await add_document(
                session,
                registration_id=registration.id,
                kind=DocumentKind.BENEFIT,
                benefit_code="orphan",
                sha256=key,
                mime="image/jpeg",
                size=len(data),
                width=800,
                height=600,
                now=now,
                replaces_previous=False,
            )
            answers = {**answers, "benefit_docs": {"orphan": [document.id]}}
            keys.append(key)
        registration.answers = answers
        session.add(
            LinkedChat(
                channel=Channel.TELEGRAM, chat_id=f"{year}{n}", phone=phone, grant_id=grant.id
            )
        )
        await session.flush()
        stored.registrations.append(registration.id)
        stored.files[registration.id] = keys
    return stored
