"""Entries to review on top of the web's world: submitted registrations with photos and
payments, in district A (an МЖБ and a current graduate of school 10101) and district B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from storage.database import Database
from storage.enums import DocumentKind, GrantKind, PaymentStatus, RegistrationStatus
from storage.filestore import FileStore
from storage.models import AccessGrant, Document, Payment, Registration
from tests.factories import make_grant
from tests.form_samples import Samples, text
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg
from tests.web.conftest import (  # noqa: F401 - the web's fixtures, shared here
    WebWorld,
    client,
    make_client,
    runtime,
    server,
    web_world,
)

# The entries' answers: the table of sample answers, at an address in Сокулук району.
SAMPLES = Samples().with_(
    city=text("Сокулук району"), village=text("Сокулук айылы"), street=text("Ленин көчөсү, 12")
)
PIN = SAMPLES["pin"].value


def complete_answers(documents: dict[str, int], **overrides: Any) -> dict[str, Any]:
    """A complete, valid draft answered from the table (a man born 5 September 2007, math,
    tested in Kyrgyz, no benefits), its photos being `documents`."""
    answers = SAMPLES.draft(documents)
    answers.update(overrides)
    return answers


async def add_entry(
    database: Database,
    filestore: FileStore,
    grant: AccessGrant,
    *,
    status: RegistrationStatus = RegistrationStatus.SUBMITTED,
    receipt: str | None = None,
    amount: int = 1410,
    **overrides: Any,
) -> Registration:
    """A registration of `grant` with its four photos stored, and a receipt when given."""
    document_key = await filestore.put(document_photo_jpeg())
    face_key = await filestore.put(face_photo_jpeg())
    async with database.session() as s:
        registration = Registration(
            grant_id=grant.id,
            campaign_year=grant.campaign_year,
            answers={},
            language="ru",
            status=status,
            submitted_at=datetime.now(UTC) if status is not RegistrationStatus.DRAFT else None,
        )
        s.add(registration)
        await s.flush()
        documents = {}
        for name, kind, key in (
            ("passport_front", DocumentKind.PASSPORT_FRONT, document_key),
            ("passport_back", DocumentKind.PASSPORT_BACK, document_key),
            ("certificate", DocumentKind.CERTIFICATE, document_key),
            ("face_photo", DocumentKind.FACE, face_key),
        ):
            document = Document(
                registration_id=registration.id,
                kind=kind,
                sha256=key,
                mime="image/jpeg",
                size=1000,
                width=600,
                height=800,
                check_results=[],
            )
            s.add(document)
            await s.flush()
            documents[name] = document.id
        registration.answers = complete_answers(documents, **overrides)
        if receipt:
            s.add(
                Payment(
                    registration_id=registration.id,
                    payment_type="bank",
                    amount=amount,
                    receipt_number=receipt,
                    status=PaymentStatus.BEING_VERIFIED,
                )
            )
        await s.flush()
        return registration


async def add_receipt(
    database: Database, registration: Registration, receipt: str, amount: int = 1410
) -> None:
    async with database.session() as s:
        s.add(
            Payment(
                registration_id=registration.id,
                payment_type="bank",
                amount=amount,
                receipt_number=receipt,
                status=PaymentStatus.BEING_VERIFIED,
            )
        )


@dataclass
class ReviewWorld:
    web: WebWorld
    mzhb_entry: Registration  # district A, МЖБ, receipt AB-1001
    graduate_entry: Registration  # school 10101, current graduate, receipt AB-2002
    other_entry: Registration  # district B, current graduate of 20201
    other_grant: AccessGrant

    async def payment_of(self, database: Database, registration: Registration) -> Payment:
        async with database.session() as s:
            from sqlalchemy import select

            return await s.scalar(select(Payment).where(Payment.registration_id == registration.id))

    async def document_of(self, database: Database, registration: Registration) -> Document:
        async with database.session() as s:
            from sqlalchemy import select

            return await s.scalar(
                select(Document).where(Document.registration_id == registration.id)
            )


@pytest.fixture
async def review_world(
    database: Database,
    filestore: FileStore,
    secret_box,
    web_world: WebWorld,  # noqa: F811
) -> ReviewWorld:
    async with database.session() as s:
        other_grant = await make_grant(
            s,
            school=web_world.school_b,
            granted_by=web_world.teacher_b,
            secret_box=secret_box,
            kind=GrantKind.CURRENT,
            full_name="Садыкова Динара Эрлановна",
        )
    mzhb = await add_entry(database, filestore, web_world.mzhb_a, receipt="AB-1001")
    graduate = await add_entry(database, filestore, web_world.graduate_a, receipt="AB-2002")
    other = await add_entry(database, filestore, other_grant, pin="10101200512345")
    return ReviewWorld(web_world, mzhb, graduate, other, other_grant)
