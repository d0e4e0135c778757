"""The officer-filled form also takes the payment receipt, with the same rules as the chat."""

from __future__ import annotations

from sqlalchemy import select

from storage.enums import PaymentStatus, RegistrationStatus
from storage.models import AuditEntry, Payment
from tests.factories import make_grant
from tests.review.conftest import ReviewWorld, add_entry
from tests.web.conftest import csrf_token, login


async def _payments(database, registration_id: int) -> list[Payment]:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        rows = await s.scalars(
            select(Payment).where(Payment.registration_id == registration_id).order_by(Payment.id)
        )
        return list(rows)


async def test_the_officer_adds_a_receipt_with_the_chats_rules(
    make_client, database, filestore, secret_box, campaign, review_world: ReviewWorld
) -> None:
    web = review_world.web
    async with database.session() as s:
        grant = await make_grant(
            s, school=web.school_a, granted_by=web.teacher_a, secret_box=secret_box
        )
    entry = await add_entry(database, filestore, grant)  # submitted, no receipt yet
    fee = campaign.fee_for(["math"])
    client = await make_client()
    await login(client, web.teacher_a)
    page = await (await client.get(f"/fill/{grant.id}")).text()
    assert 'data-testid="add-payment"' in page and campaign.money(fee, "ky") in page
    token = await csrf_token(client, f"/fill/{grant.id}")
    path = f"/fill/{grant.id}/payment"
    kind = campaign.payment_types[0].code

    # A receipt number that does not fit: the chat's refusal, nothing added.
    bad = await client.post(
        path,
        data={"csrf_token": token, "payment_type": kind, "amount": str(fee), "receipt": "№"},
    )
    assert "Квитанциянын номери 4–30 белгиден турат" in await bad.text()
    # Another sum than the fee must be confirmed, as the chat asks.
    other = await client.post(
        path,
        data={"csrf_token": token, "payment_type": kind, "amount": "500", "receipt": "AB-77"},
    )
    text = await other.text()
    assert "500 сом" in text and 'name="other_amount"' in text
    assert await _payments(database, entry.id) == []

    done = await client.post(
        path,
        data={"csrf_token": token, "payment_type": kind, "amount": str(fee), "receipt": "ab 77"},
        allow_redirects=False,
    )
    assert done.status == 302 and done.headers["Location"] == f"/review/{entry.id}?done=payment"
    [payment] = await _payments(database, entry.id)
    assert payment.receipt_number == "AB77" and payment.amount == fee
    assert payment.status is PaymentStatus.BEING_VERIFIED
    async with database.session() as s:
        logged = await s.scalar(select(AuditEntry).where(AuditEntry.action == "payment.add"))
        assert logged is not None and logged.actor_id == web.teacher_a.id


async def test_a_draft_cannot_take_a_receipt_and_other_scopes_cannot_reach_it(
    make_client, database, filestore, secret_box, campaign, review_world: ReviewWorld
) -> None:
    web = review_world.web
    async with database.session() as s:
        grant = await make_grant(
            s, school=web.school_a, granted_by=web.teacher_a, secret_box=secret_box
        )
    draft = await add_entry(database, filestore, grant, status=RegistrationStatus.DRAFT)
    client = await make_client()
    await login(client, web.teacher_a)
    token = await csrf_token(client, f"/fill/{grant.id}")
    data = {
        "csrf_token": token,
        "payment_type": campaign.payment_types[0].code,
        "amount": "1410",
        "receipt": "AB-9000",
    }
    refused = await client.post(f"/fill/{grant.id}/payment", data=data)
    assert "Адегенде каттоо бланкын толтуруп" in await refused.text()
    assert await _payments(database, draft.id) == []
    other = await make_client()
    await login(other, web.coordinator_b)
    data["csrf_token"] = await csrf_token(other, "/fill")
    assert (await other.post(f"/fill/{grant.id}/payment", data=data)).status == 404
