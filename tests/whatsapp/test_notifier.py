"""Coordinators' passwords delivered over WhatsApp through the credentials template."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage.models import ChannelMessage

from .scripted_flow import ScriptedFlow

COORDINATOR = "+996555300003"
LOGIN_URL = "https://bot.example.kg/login"
PASSWORD = "Tuz7-Kel4-Bak9"  # noqa: S105 - a made-up initial password


async def send(wa, language: str = "ky") -> bool:
    return await wa.whatsapp.notifier.send_credentials(
        phone=COORDINATOR,
        full_name="Асанова Айгүл Бакытовна",
        language=language,
        login_url=LOGIN_URL,
        password=PASSWORD,
    )


@pytest.mark.parametrize(("language", "sid"), [("ky", "HXcredky"), ("ru", "HXcredru")])
async def test_a_new_coordinator_gets_the_template_in_their_language(
    start_whatsapp, database, language, sid
):
    wa = await start_whatsapp(ScriptedFlow())

    assert await send(wa, language) is True

    [sent] = wa.twilio.messages
    assert sent["To"] == f"whatsapp:{COORDINATOR}"
    assert sent["ContentSid"].startswith(sid)
    assert "Body" not in sent  # outside the 24-hour window only a template may go
    assert json.loads(sent["ContentVariables"]) == {
        "1": "Асанова Айгүл Бакытовна",
        "2": LOGIN_URL,
        "3": PASSWORD,
    }
    async with database.session() as s:
        [row] = list(await s.scalars(select(ChannelMessage)))
    assert (row.purpose, row.provider_sid, row.template_sid) == (
        "credentials",
        sent["Sid"],
        sent["ContentSid"],
    )


async def test_inside_the_window_the_credentials_go_as_text(start_whatsapp):
    wa = await start_whatsapp(ScriptedFlow())
    await wa.user(COORDINATOR).send("Салам")

    assert await send(wa, "ru") is True

    body = wa.twilio.bodies_to(f"whatsapp:{COORDINATOR}")[-1]
    assert LOGIN_URL in body and PASSWORD in body and "Пароль" in body


async def test_without_a_template_outside_the_window_nothing_is_sent(start_whatsapp):
    wa = await start_whatsapp(ScriptedFlow(), twilio_template_credentials_sid=None)

    assert await send(wa) is False
    assert wa.twilio.messages == []
    [problem] = await wa.whatsapp.bookkeeping.problems()
    assert (problem.purpose, problem.error_code) == ("credentials", 63016)


async def test_a_refused_template_reports_failure_so_the_web_shows_the_password(start_whatsapp):
    wa = await start_whatsapp(ScriptedFlow())
    wa.twilio.fail_next(1, status=400, code=63024)

    assert await send(wa) is False
    [problem] = await wa.whatsapp.bookkeeping.problems()
    assert (problem.status, problem.error_code) == ("failed", 63024)


async def test_a_rate_limited_template_is_retried_and_delivered_once(start_whatsapp):
    wa = await start_whatsapp(ScriptedFlow())
    wa.twilio.fail_next(2, status=429)

    assert await send(wa) is True
    assert len(wa.twilio.messages) == 1
    assert wa.sleep.delays == [0.5, 1.0]
