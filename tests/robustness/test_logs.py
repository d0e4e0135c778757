"""The log of a whole registration, every logger at DEBUG, holds no private data."""

from __future__ import annotations

import logging

import pytest
from telegram.applicant import ACCESS_CODE, APPLICANT_PHONE
from telegram.test_registration_e2e import applicant, grant  # noqa: F401 - a fixture

# What the scripted applicant types or shares, in every form it might be logged in.
PRIVATE = [
    "20509200712345",
    "2 05092007 12345",
    "AN1234567",
    "ан 1234567",
    APPLICANT_PHONE,
    APPLICANT_PHONE.removeprefix("+"),
    "700123456",
    ACCESS_CODE,
    "AB-2026-0001",
]


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_a_full_registration_logs_no_private_data(start_app, grant, caplog, mode) -> None:  # noqa: F811
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records too
    harness = await start_app(mode)
    person = applicant(harness, "ru")
    if mode == "polling":  # the access code in the start link
        await person.open_bot(code=ACCESS_CODE)
    else:  # the phone, shared
        await person.open_bot()
        await person.identify_by_contact()
    await person.personal_data()
    await person.address()
    await person.tests()
    await person.documents()
    await person.benefits()
    await person.face()
    await person.submit_and_pay()
    assert "Проверяется" in person.said()  # the whole way, to the payment being verified
    await harness.close()

    assert len(caplog.records) > 20  # logging was on
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records
    )
    for value in PRIVATE:
        assert value not in logged, value
