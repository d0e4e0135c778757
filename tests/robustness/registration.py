"""The registration as every channel runs it, for the tests that drive it event by event."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.turns import TurnRunner
from config.campaign import Campaign
from core.texts import conversation_texts
from flows.engine import RegistrationFlow
from flows.events import Event
from storage.credentials import SecretBox
from storage.database import Database
from storage.filestore import FileStore
from storage.state import StateStore

TEXTS = conversation_texts()
# A day inside the demo campaign's registration window.
FORM_DAY = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def registration_runner(
    database: Database,
    state: StateStore,
    filestore: FileStore,
    campaign: Campaign,
    secret_box: SecretBox,
) -> TurnRunner:
    """Return the registration behind the turn runner every channel uses, on `FORM_DAY`."""
    return TurnRunner(
        conversation=RegistrationFlow(
            state=state,
            filestore=filestore,
            campaign=campaign,
            translator=TEXTS,
            secret_box=secret_box,
            clock=lambda: FORM_DAY,
        ),
        database=database,
        state=state,
        translator=TEXTS,
    )


def opening(phone: str, lang: str = "ru") -> list[Event]:
    """Straight to the form: /start, the language, the shared contact."""
    return [
        Event(kind="command", command="start"),
        Event(kind="choice", choice=f"lang:{lang}"),
        Event(kind="contact", phone=phone),
    ]
