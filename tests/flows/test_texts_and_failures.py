"""Every text exists in both languages; an internal failure gets a polite reply, not a trace."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flows.events import ChatKey, Event
from storage.enums import Channel
from tests.flows.conftest import ChatDriver
from tests.flows.script import advance, start

FLOWS = Path(__file__).resolve().parents[2] / "flows"
# turn.t("id"), Rejected("id"), Msg("id"), reask(turn, field, "id"): literal message ids.
MESSAGE_ID = re.compile(
    r'(?:(?<![A-Za-z])t|Rejected|Msg|reask\(turn, field,)\(?\s*"([a-z_]+\.[a-z_.0-9]+)"'
)


def test_kyrgyz_and_russian_catalogs_have_the_same_messages(translator):
    ky, ru = translator.message_ids("ky"), translator.message_ids("ru")
    assert ky == ru
    for message_id in ky - {""}:
        assert translator.gettext("ky", message_id) != translator.gettext("ru", message_id) or (
            message_id in {"ask.language.both", "field.pin", "payment.line", "field.certificate"}
            or message_id.startswith("field.")
        )


def test_every_literal_message_id_in_the_flow_is_translated(translator):
    used: set[str] = set()
    for path in FLOWS.rglob("*.py"):
        if "photos" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        used |= set(MESSAGE_ID.findall(text))
    assert len(used) > 60, "the scan found too little"
    missing = {m for m in used if not translator.has("ky", m) or not translator.has("ru", m)}
    assert not missing


PRIVATE = "AN1234567"


class BrokenStore:
    async def put(self, data: bytes) -> str:
        raise RuntimeError(f"disk full: passport {PRIVATE}")


async def test_an_internal_failure_is_answered_politely_and_logged_without_private_data(
    make_flow, database, grant, document_photo, face_photo, caplog
):
    key = ChatKey(Channel.TELEGRAM, "9001")
    chat = ChatDriver(make_flow(filestore=BrokenStore()), key, database=database)
    await start(chat)
    await advance(chat, {"document": document_photo, "face": face_photo}, until="passport_front")
    with caplog.at_level(logging.ERROR):
        await chat.send(Event(kind="file", file=None, language_hint="ru"))
        replies = await chat.photo(document_photo)
    assert "что-то пошло не так" in replies[0].text and "ката кетти" in replies[0].text
    assert "RuntimeError" in caplog.text and "AN1234567" not in caplog.text
