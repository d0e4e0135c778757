"""The log of a whole registration, as the process writes it, holds no private data.

The log is configured by `bot.logs.configure_logging`, the function `ortbot` calls with
LOG_LEVEL and LOG_FORMAT: at INFO (production's level) and at DEBUG (every library's records,
the SQL drivers' included), in the text and the JSON format. Whatever the level, an operator
sees each turn: its channel, the provider's id of the update and how long it took.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator

import pytest
from factories import make_district, make_grant, make_officer, make_school
from telegram.applicant import ACCESS_CODE, APPLICANT_PHONE
from telegram.applicant import SAMPLES as TELEGRAM_SAMPLES
from telegram.test_registration_e2e import applicant, grant  # noqa: F401 - a fixture
from whatsapp.applicant import SAMPLES as WHATSAPP_SAMPLES
from whatsapp.applicant import ScriptedApplicant

from bot.logs import PARAMETER_LOGGERS, configure_logging
from storage.enums import Role

# What the scripted Telegram applicant types or shares, in every form it might be logged in.
PRIVATE = [
    *(TELEGRAM_SAMPLES[name].value for name in ("pin", "passport")),
    *(TELEGRAM_SAMPLES[name].stored for name in ("pin", "passport")),
    APPLICANT_PHONE,
    APPLICANT_PHONE.removeprefix("+"),
    "700123456",
    ACCESS_CODE,
    "AB-2026-0001",
]
# The same for the scripted WhatsApp applicant.
WA_PHONE = "+996555400004"
WA_PRIVATE = [
    *(WHATSAPP_SAMPLES[name].value for name in ("pin", "passport")),
    *(WHATSAPP_SAMPLES[name].stored for name in ("pin", "passport")),
    WA_PHONE,
    WA_PHONE.removeprefix("+"),
    "555400004",
    "KB-20260312-001",
]
TURN_LINE = re.compile(r"(telegram|whatsapp) turn handled in \d+ ms")


@pytest.fixture
def process_log() -> Iterator[Callable[[str, str], io.StringIO]]:
    """Configure the log as `ortbot` does, into a buffer; restore the loggers afterwards."""
    root = logging.getLogger()
    saved = (root.level, {name: logging.getLogger(name).level for name in PARAMETER_LOGGERS})
    buffers: list[io.StringIO] = []

    def configure(level: str, fmt: str) -> io.StringIO:
        buffers.append(io.StringIO())
        configure_logging(level, fmt, stream=buffers[-1])
        return buffers[-1]

    yield configure
    for handler in [h for h in root.handlers if getattr(h, "_ortbot_handler", False)]:
        root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def check_log(text: str, fmt: str, level: str, private: list[str], channel: str) -> None:
    lines = text.splitlines()
    if fmt == "json":
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        for record in records:
            assert {"time", "level", "logger", "message"} <= set(record)
        turns = [r for r in records if TURN_LINE.fullmatch(r["message"])]
        assert turns and all(r["channel"] == channel for r in turns)
        assert all(r["turn_id"] and isinstance(r["latency_ms"], int) for r in turns)
        levels = {r["level"] for r in records}
    else:
        turns = [line for line in lines if TURN_LINE.search(line)]
        assert turns and all(f"channel={channel} turn_id=" in line for line in turns)
        levels = {m for line in lines for m in re.findall(r" (DEBUG|INFO|WARNING|ERROR) ", line)}
    assert len(turns) >= 15  # every message of the registration is a turn
    if level == "INFO":
        assert "DEBUG" not in levels
    # The level asked for is the one in force, but never for the loggers quoting parameters.
    assert logging.getLogger("aiogram").getEffectiveLevel() == getattr(logging, level)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
    for value in private:
        assert value not in text, value


@pytest.mark.parametrize(
    ("mode", "level", "fmt"),
    [
        ("webhook", "INFO", "json"),
        ("webhook", "DEBUG", "text"),
        ("polling", "INFO", "text"),
        ("polling", "DEBUG", "json"),
    ],
)
async def test_a_telegram_registration_logs_no_private_data(
    start_app,
    grant,  # noqa: F811
    process_log,
    mode,
    level,
    fmt,
) -> None:
    buffer = process_log(level, fmt)
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

    check_log(buffer.getvalue(), fmt, level, PRIVATE, "telegram")


@pytest.fixture
async def wa_grant(database, secret_box):
    async with database.session() as s:
        district = await make_district(s)
        school = await make_school(s, "10101", district)
        teacher = await make_officer(s, Role.SCHOOL, school=school)
        return await make_grant(
            s, school=school, granted_by=teacher, secret_box=secret_box, phone_number=WA_PHONE
        )


@pytest.mark.parametrize(("level", "fmt"), [("INFO", "text"), ("DEBUG", "json")])
async def test_a_whatsapp_registration_logs_no_private_data(
    start_whatsapp, registration_flow, bot_texts, campaign, wa_grant, process_log, level, fmt
) -> None:
    buffer = process_log(level, fmt)
    wa = await start_whatsapp(registration_flow)
    person = ScriptedApplicant(
        wa.user(WA_PHONE), bot_texts, "ky", campaign, subjects=("math",), test_language="ky"
    )
    last = await person.register("Саламатсызбы")
    assert bot_texts.gettext("ky", "payment.status.being_verified") in last
    await wa.client.close()
    await wa.whatsapp.close()

    check_log(buffer.getvalue(), fmt, level, WA_PRIVATE, "whatsapp")


async def test_sql_parameters_are_never_logged_even_with_the_engine_log_on(
    database, process_log
) -> None:
    from sqlalchemy import text

    buffer = process_log("DEBUG", "text")
    # An operator who turns SQLAlchemy's statement log on still sees no parameter.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        async with database.session() as session:
            await session.execute(text("SELECT :pin AS pin"), {"pin": "20509200799999"})
            with pytest.raises(Exception) as failed:
                await session.execute(
                    text("SELECT * FROM no_such_table WHERE x = :p"), {"p": "ID7777777"}
                )
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(PARAMETER_LOGGERS["sqlalchemy.engine"])
    logged = buffer.getvalue()
    assert "SELECT" in logged  # the statements were logged
    for value in ("20509200799999", "ID7777777"):
        assert value not in logged and value not in str(failed.value)
