"""The channel over real aiogram and HTTP, against the fake Bot API, with a scripted flow."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest
from fakes.telegram_api import SentMessage
from PIL import Image
from sqlalchemy import select

from storage.enums import Channel
from storage.models.chats import LinkedChat

from .conftest import StartChannel
from .scripted_flow import ScriptedFlow

MODES = ["polling", "webhook"]


def jpeg(width: int = 640, height: int = 480, color: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("mode", MODES)
async def test_start_with_deep_link_then_buttons_and_own_contact(
    start_channel: StartChannel, mode: str
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, mode)
    user = harness.user(language_code="ky")

    await user.send_text("/start AB3DEF7K")
    start = flow.of(user.chat_id)[-1]
    assert (start.kind, start.command, start.text) == ("command", "start", "AB3DEF7K")
    assert start.language_hint == "ky"
    [menu] = user.new_messages()
    assert menu.text == "Тилди тандаңыз / Выберите язык"
    # Two short choices share a row.
    assert [[b["text"] for b in row] for row in menu.reply_markup["inline_keyboard"]] == [
        ["Кыргызча", "Русский"]
    ]

    await user.press("Кыргызча")
    assert flow.of(user.chat_id)[-1].choice == "lang:ky"
    methods = [call.method for call in harness.api.calls]
    # The press is answered before the flow's reply goes out.
    assert methods.index("answerCallbackQuery") < len(methods) - 1
    assert methods[-1] == "sendMessage"
    [ask_phone] = user.new_messages()
    keyboard = ask_phone.reply_markup["keyboard"]
    assert keyboard == [[{"text": "📱 Телефон номеримди жөнөтүү", "request_contact": True}]]
    assert ask_phone.reply_markup["one_time_keyboard"] is True

    await user.share_contact("996 555 123 456")
    contact = flow.of(user.chat_id)[-1]
    assert (contact.kind, contact.phone) == ("contact", "+996555123456")
    thanks, question = user.new_messages()
    # The contact button is taken away with the first message that has no buttons of its own.
    assert thanks.reply_markup == {"remove_keyboard": True}
    assert [b["callback_data"] for b in question.buttons()] == ["yes", "no"]


async def test_plain_start_and_commands(start_channel: StartChannel) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user()
    await user.send_text("/start")
    await user.send_text("/status@ort_test_bot")
    await user.send_text("/start not a code!")
    await user.send_text("/unknown")
    events = flow.of(user.chat_id)
    assert [(e.kind, e.command, e.text) for e in events[:3]] == [
        ("command", "start", None),
        ("command", "status", None),
        ("command", "start", None),
    ]
    assert (events[3].kind, events[3].unsupported) == ("unsupported", "other")


async def test_someone_elses_contact_is_not_a_phone(start_channel: StartChannel) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user()
    await user.share_contact("+996700000001", owner_id=424242)
    event = flow.of(user.chat_id)[-1]
    assert (event.kind, event.unsupported, event.phone) == ("unsupported", "contact_other", None)
    assert user.last_text() == "Түшүнбөдүм (contact_other)."


@pytest.mark.parametrize("mode", MODES)
async def test_photo_and_image_document_reach_the_flow_as_bytes(
    start_channel: StartChannel, mode: str
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, mode)
    user = harness.user()
    photo, scan = jpeg(color="navy"), jpeg(color="white")

    await user.send_photo(photo)
    await user.send_document(scan, file_name="pasport.JPG", mime_type="image/jpeg")

    as_photo, as_document = flow.of(user.chat_id)
    assert as_photo.kind == "file" and as_photo.file.data == photo
    assert as_document.file.data == scan
    assert as_document.file.filename == "pasport.JPG"
    assert as_document.file.declared_mime == "image/jpeg"
    # The largest size of the photo was fetched, never the thumbnail.
    fetched = [call.params["file_id"] for call in harness.api.calls_of("getFile")]
    assert all(not file_id.endswith("_small") for file_id in fetched)
    assert user.last_text() == f"Файл алынды: {len(scan)} байт."


async def test_too_large_files_are_refused_without_downloading(
    start_channel: StartChannel,
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, file_limit=10_000)
    user = harness.user(language_code="ru")

    # Declared too large: not even asked for.
    await user.send_document(b"x" * 100, declared_size=25 * 1024 * 1024)
    assert harness.api.calls_of("getFile") == []
    assert "слишком большой" in user.last_text()

    # Declared small but larger on the wire: the download stops at the limit.
    await user.send_document(b"y" * 50_000, declared_size=10)
    assert "слишком большой" in user.last_text()
    assert flow.of(user.chat_id) == []


@pytest.mark.parametrize(
    ("action", "kind"),
    [("send_sticker", "sticker"), ("send_voice", "voice"), ("send_location", "location")],
)
async def test_what_the_form_cannot_use_is_answered(
    start_channel: StartChannel, action: str, kind: str
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user()
    await getattr(user, action)()
    assert flow.of(user.chat_id)[-1].unsupported == kind
    assert user.last_text() == f"Түшүнбөдүм ({kind})."


@pytest.mark.parametrize("mode", MODES)
async def test_toggles_redraw_the_pressed_message(start_channel: StartChannel, mode: str) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, mode)
    user = harness.user()
    await user.send_text("subjects")
    [question] = user.new_messages()
    labels = ["⬜ Math", "⬜ Physics", "⬜ Chemistry", "Даяр"]
    assert [b["text"] for b in question.buttons()] == labels

    await user.press("Math")
    await user.press("Chemistry")
    assert user.new_messages() == []  # redrawn in place, nothing new in the chat
    labels = ["✅ Math", "⬜ Physics", "✅ Chemistry", "Даяр"]
    assert [b["text"] for b in question.buttons()] == labels
    assert question.history == ["sendMessage", "editMessageReplyMarkup", "editMessageReplyMarkup"]

    await user.press("Даяр")
    assert user.last_text() == "Тандалды: chemistry, math"


async def test_a_failure_is_answered_politely_and_logged_without_private_data(
    start_channel: StartChannel, caplog: pytest.LogCaptureFixture
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user(language_code="ru")
    with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="bot"):
        await user.send_text("boom AN1234567 21234567890123")
    assert user.last_text() == (
        "Извините, что-то пошло не так. Пожалуйста, повторите последний ответ."
    )
    assert "RuntimeError" in caplog.text
    assert "AN1234567" not in caplog.text and "21234567890123" not in caplog.text
    await user.send_text("still here")
    assert user.last_text() == "Жооп: still here"


async def test_webhook_refuses_a_wrong_or_missing_secret(start_channel: StartChannel) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, "webhook")
    update = {
        "update_id": harness.api.new_update_id(),
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 9001, "type": "private"},
            "from": {"id": 9001, "is_bot": False, "first_name": "X"},
            "text": "/start",
        },
    }
    for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
        response = await harness.client.post("/webhooks/telegram", json=update, headers=headers)
        assert response.status == 403
    await harness.channel.wait_idle()
    assert flow.events == []
    assert harness.api.calls_of("sendMessage") == []


async def test_webhook_is_registered_with_the_secret(start_channel: StartChannel) -> None:
    harness = await start_channel(ScriptedFlow(), "webhook")
    webhook = harness.api.webhook
    assert webhook["url"] == "https://ort.example.kg/webhooks/telegram"
    assert webhook["secret_token"] == harness.channel.secret
    assert len(webhook["secret_token"]) == 64
    assert set(webhook["secret_token"]) <= set("0123456789abcdef")
    assert webhook.get("drop_pending_updates") in (None, "false", "False")
    assert set(webhook["allowed_updates"]) >= {"message", "callback_query", "my_chat_member"}


async def test_command_menu_in_both_languages(start_channel: StartChannel) -> None:
    harness = await start_channel(ScriptedFlow())
    menus = {c.params.get("language_code"): c.params for c in harness.api.calls_of("setMyCommands")}
    assert set(menus) == {None, "ky", "ru"}
    names = [command["command"] for command in menus["ru"]["commands"]]
    assert names == ["start", "status", "edit", "language", "help"]
    assert menus["ru"]["commands"][1]["description"] == "Статус регистрации и оплаты"
    assert menus["ky"]["commands"][2]["description"] == "Жоопторду өзгөртүү"
    assert " / " in menus[None]["commands"][0]["description"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_duplicated_update_is_handled_once(start_channel: StartChannel, mode: str) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow, mode)
    user = harness.user()
    update = await user.send_text("бир жолу")
    await harness.deliver(update)
    assert [e.text for e in flow.of(user.chat_id)] == ["бир жолу"]
    # Delivered again (the webhook's first answer was lost, say): not applied a second time;
    # what reaches the applicant, if anything, is the current question again.
    assert {m.text for m in user.messages()} == {"Жооп: бир жолу"}


async def test_an_album_is_handled_in_order(start_channel: StartChannel) -> None:
    flow = ScriptedFlow()
    flow.gate = asyncio.Event()
    harness = await start_channel(flow)
    user = harness.user()
    photos = [jpeg(100 + i, 100) for i in range(3)]
    last = None
    for photo in photos:
        file_id, unique = harness.api.add_file(photo)
        last = {
            "update_id": harness.api.new_update_id(),
            "message": user._message(
                media_group_id="album1",
                photo=[{"file_id": file_id, "file_unique_id": unique, "width": 1, "height": 1}],
            ),
        }
        await harness.api.push_update(last)
    await harness.api.wait_confirmed(last["update_id"])
    flow.gate.set()
    await harness.channel.wait_idle()
    assert [e.file.data for e in flow.of(user.chat_id)] == photos


async def test_retry_after_is_honoured(start_channel: StartChannel) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user()
    harness.api.fail_next("sendMessage", status=429, retry_after=3)
    await user.send_text("салам")
    assert harness.sleep.delays == [3]
    assert [m.text for m in user.messages()] == ["Жооп: салам"]  # delivered once, after the wait


async def test_server_errors_are_retried_with_backoff(start_channel: StartChannel) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user()
    harness.api.fail_next("sendMessage", status=502)
    harness.api.fail_next("sendMessage", status=500)
    await user.send_text("салам")
    assert len(harness.sleep.delays) == 2 and harness.sleep.delays[0] < harness.sleep.delays[1]
    assert [m.text for m in user.messages()] == ["Жооп: салам"]


async def test_a_blocked_bot_is_recorded_on_the_linked_chat(
    start_channel: StartChannel, database
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user, other = harness.user(), harness.user()
    async with database.session() as session:
        for person in (user, other):
            session.add(LinkedChat(channel=Channel.TELEGRAM, chat_id=str(person.chat_id)))

    harness.api.fail_next("sendMessage", status=403)
    await user.send_text("салам")
    await other.block_bot()

    async with database.session() as session:
        rows = {
            chat.chat_id: chat.blocked_at
            for chat in await session.scalars(select(LinkedChat).order_by(LinkedChat.id))
        }
    assert rows[str(user.chat_id)] is not None
    assert rows[str(other.chat_id)] is not None
    assert harness.sleep.delays == []  # a blocked chat is not retried


async def test_a_redraw_that_cannot_edit_is_sent_as_a_new_message(
    start_channel: StartChannel,
) -> None:
    flow = ScriptedFlow()
    harness = await start_channel(flow)
    user = harness.user()
    await user.send_text("subjects")
    [question] = user.new_messages()
    gone = SentMessage(999_999, user.chat_id, question.text, question.reply_markup)
    await user.press_button(gone, question.buttons()[0])  # e.g. deleted, or too old to edit
    [redrawn] = user.new_messages()
    assert redrawn.text == question.text and redrawn.buttons()[0]["text"] == "✅ Math"
