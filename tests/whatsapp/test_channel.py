"""The channel's mechanics over loopback, with a scripted flow standing in for the engine."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.whatsapp import INBOUND_PATH, STATUS_PATH
from bot.whatsapp.render import MAX_CHARS
from flows.replies import Option, Reply
from storage.enums import MessageDirection
from storage.models import ChannelMessage

from .conftest import ACCOUNT_SID, BOT_NUMBER, PUBLIC_BASE_URL, message_sid, sign
from .scripted_flow import ScriptedFlow

PHONE = "+996555100001"
OTHER = "+996700200002"


@pytest.fixture
def flow() -> ScriptedFlow:
    return ScriptedFlow()


@pytest.fixture
async def wa(start_whatsapp, flow):
    return await start_whatsapp(flow)


async def rows(database, **where) -> list[ChannelMessage]:
    async with database.session() as s:
        query = select(ChannelMessage).order_by(ChannelMessage.id)
        for name, value in where.items():
            query = query.where(getattr(ChannelMessage, name) == value)
        return list(await s.scalars(query))


async def test_text_reaches_the_flow_with_the_verified_phone_and_the_reply_is_sent(
    wa, flow, database
):
    user = wa.user(PHONE)
    reply = await user.send("Саламатсызбы")

    assert reply == "Жооп: Саламатсызбы"
    [event] = flow.of(PHONE)
    assert (event.kind, event.text, event.verified_phone) == ("text", "Саламатсызбы", PHONE)
    [sent] = wa.twilio.messages
    assert sent["To"] == f"whatsapp:{PHONE}"
    assert sent["From"] == BOT_NUMBER
    assert sent["StatusCallback"] == PUBLIC_BASE_URL + STATUS_PATH
    [inbound] = await rows(database, direction=MessageDirection.INBOUND)
    [outbound] = await rows(database, direction=MessageDirection.OUTBOUND)
    assert (inbound.phone, inbound.status) == (PHONE, "received")
    assert (outbound.provider_sid, outbound.status, outbound.purpose) == (
        sent["Sid"],
        "queued",
        "reply",
    )


@pytest.mark.parametrize(
    ("body", "command", "argument"),
    [
        ("/start", "start", None),
        ("start K7M2QX9P", "start", "K7M2QX9P"),
        ("Баштоо", "start", None),
        ("старт", "start", None),
        ("/status", "status", None),
        ("абал", "status", None),
        ("Помощь", "help", None),
        ("/edit", "edit", None),
        ("тил", "language", None),
    ],
)
async def test_commands_typed_as_words_or_slashes(wa, flow, body, command, argument):
    await wa.user(PHONE).send(body)

    [event] = flow.of(PHONE)
    assert (event.kind, event.command, event.text) == ("command", command, argument)
    assert event.verified_phone == PHONE


async def test_choices_are_numbered_and_answered_by_number_or_word(wa, flow):
    user = wa.user(PHONE)
    shown = await user.send("/start")

    assert "1. Кыргызча\n2. Русский" in shown
    # No language chosen yet: the hint is in both languages.
    assert "номерди жазыңыз" in shown and "напишите номер" in shown
    assert await user.send("2") == "Тандоо: lang:ru"
    await user.send("/start")
    assert await user.send("кыргызча") == "Тандоо: lang:ky"
    await user.send("/start")
    # Not in the list: the flow gets it as text and asks again.
    assert await user.send("7") == "Жооп: 7"
    # The list was replaced by a question without options: numbers are text again.
    assert await user.send("1") == "Жооп: 1"


async def test_a_numbered_list_is_kept_in_the_chats_map_and_answers_no_number_after_hours(
    wa, flow, state
):
    user = wa.user(PHONE)
    await user.send("/start")
    kept = await state.get_map(f"flow:whatsapp:whatsapp:{PHONE}")
    assert "wa_numbered" in kept  # a field of the chat's one transient map, not a key apart
    numbered = wa.channel._numbered
    later = numbered._clock() + 6 * 3600 + 1
    numbered._clock = lambda: later
    # Six hours on, "2" no longer picks from the list shown then: the flow gets it as text.
    assert await user.send("2") == "Жооп: 2"


async def test_multi_choice_toggles_several_numbers_at_once_and_zero_finishes(wa, flow):
    user = wa.user(PHONE)
    shown = await user.send("subjects")
    assert "1. ⬜ Math\n2. ⬜ Physics\n3. ⬜ Chemistry\n0. Даяр" in shown

    shown = await user.send("1, 3")
    # One redraw for both toggles, not two messages.
    assert shown.count("Предметтерди тандаңыз") == 1
    assert "1. ✅ Math\n2. ⬜ Physics\n3. ✅ Chemistry" in shown
    assert [e.choice for e in flow.of(PHONE)[-2:]] == ["subject:math", "subject:chemistry"]

    assert await user.send("3 0") == "Тандалды: math"


async def test_a_photo_is_downloaded_passed_as_a_file_and_deleted_at_twilio(wa, flow):
    user = wa.user(PHONE)
    data = b"\xff\xd8\xff" + b"x" * 5000

    reply = await user.send_media(data, "image/jpeg")

    assert reply == f"Файл алынды: {len(data)} байт."
    [event] = flow.of(PHONE)
    assert event.kind == "file" and event.file is not None
    assert (event.file.data, event.file.declared_mime) == (data, "image/jpeg")
    assert event.verified_phone == PHONE
    assert wa.twilio.deleted_media == user.media_urls
    assert wa.twilio.unauthorized == 0


async def test_media_the_flow_refuses_is_deleted_too(wa, flow):
    user = wa.user(PHONE)
    assert await user.send_media(b"not an image", "application/pdf") == "Бул сүрөт эмес."
    assert wa.twilio.deleted_media == user.media_urls


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [("audio/ogg", "voice"), ("video/mp4", "video"), ("text/vcard", "contact_other")],
)
async def test_voice_video_and_contact_cards_get_a_reply_and_are_deleted(
    wa, flow, content_type, kind
):
    user = wa.user(PHONE)
    assert await user.send_media(b"\x00" * 100, content_type) == f"Түшүнбөдүм ({kind})."
    assert [e.unsupported for e in flow.of(PHONE)] == [kind]
    assert wa.twilio.deleted_media == user.media_urls
    assert wa.twilio.media_downloads == []


async def test_a_location_gets_a_reply(wa, flow):
    reply = await wa.user(PHONE).send("", Latitude="42.87", Longitude="74.59")
    assert reply == "Түшүнбөдүм (location)."


async def test_media_over_16_mb_is_refused_without_reaching_the_flow_and_deleted(wa, flow):
    user = wa.user(PHONE)
    reply = await user.send_media(b"\xff" * (16 * 1024 * 1024 + 1), "image/jpeg")

    assert "16 МБ" in reply
    assert flow.of(PHONE) == []
    assert wa.twilio.deleted_media == user.media_urls


@pytest.mark.parametrize(
    "signature", [None, "bm90LXRoZS1zaWduYXR1cmU=", "wrong-url", "wrong-token"]
)
async def test_forged_or_missing_signatures_are_refused_and_nothing_happens(
    wa, flow, database, signature
):
    params = {
        "MessageSid": message_sid(),
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{PHONE}",
        "To": BOT_NUMBER,
        "Body": "Салам",
        "NumMedia": "0",
    }
    if signature == "wrong-url":
        signature = sign("http://127.0.0.1:8080" + INBOUND_PATH, params)
    elif signature == "wrong-token":
        signature = sign(PUBLIC_BASE_URL + INBOUND_PATH, params, token="another-account-token")
    response = await wa.post(params, signature=signature)

    assert response.status == 403
    assert flow.events == []
    assert wa.twilio.messages == []
    assert await rows(database) == []


async def test_a_tampered_body_breaks_the_signature(wa, flow):
    params = {"MessageSid": message_sid(), "From": f"whatsapp:{PHONE}", "Body": "Салам"}
    signature = sign(PUBLIC_BASE_URL + INBOUND_PATH, params)
    response = await wa.post({**params, "Body": "Салам!"}, signature=signature)
    assert response.status == 403
    assert flow.events == []


async def test_without_public_base_url_the_request_url_is_checked(start_whatsapp, flow):
    wa = await start_whatsapp(flow, public_base_url=None)
    params = {"MessageSid": message_sid(), "From": f"whatsapp:{PHONE}", "Body": "Салам"}
    url = str(wa.client.make_url(INBOUND_PATH))

    assert (await wa.post(params, signature=sign(url, params))).status == 200
    assert [e.text for e in flow.of(PHONE)] == ["Салам"]
    # Without a public URL Twilio could not call back: no status callback is asked for.
    assert "StatusCallback" not in wa.twilio.messages[0]


async def test_twilio_gets_an_empty_twiml_answer(wa):
    params = {"MessageSid": message_sid(), "From": f"whatsapp:{PHONE}", "Body": "Салам"}
    response = await wa.post(params)
    assert response.status == 200
    assert response.content_type == "text/xml"
    assert "<Response/>" in await response.text()


async def test_a_redelivered_message_is_processed_once_even_after_a_restart(
    wa, flow, start_whatsapp, state, database
):
    user = wa.user(PHONE)
    sid = message_sid()
    await user.send("Салам", sid=sid)
    await user.send("Салам", sid=sid)
    assert len(wa.twilio.messages) == 1  # the process that answered it does not answer again
    # A restart with the transient state lost: the channel_messages row still knows it.
    await state.flush()
    restarted = await start_whatsapp(flow)
    await restarted.user(PHONE).send("Салам", sid=sid)

    assert [e.text for e in flow.of(PHONE)] == ["Салам"]
    assert len(await rows(database, direction=MessageDirection.INBOUND)) == 1
    # A new process cannot know whether the reply went out: it shows the current question.
    assert flow.resumed and len(wa.twilio.messages) == 2


async def test_messages_of_one_phone_are_processed_one_at_a_time_in_order(wa, flow, database):
    flow.gates["first"] = asyncio.Event()
    flow.seen["first"] = asyncio.Event()

    async def post(phone: str, body: str) -> int:
        params = {"MessageSid": message_sid(), "From": f"whatsapp:{phone}", "Body": body}
        headers = {"X-Twilio-Signature": sign(PUBLIC_BASE_URL + INBOUND_PATH, params)}
        response = await wa.client.post(INBOUND_PATH, data=params, headers=headers)
        return response.status

    first = asyncio.create_task(post(PHONE, "first"))
    await flow.seen["first"].wait()
    second = asyncio.create_task(post(PHONE, "second"))
    try:
        if not database.is_sqlite:  # SQLite has one writer: the held turn's transaction waits
            # Another phone is not held up by the first one, and is answered once recorded.
            assert await post(OTHER, "other phone") == 200
        assert [e.text for e in flow.of(PHONE)] == ["first"]
        # Twilio is answered only once a message is recorded with its effect.
        assert not first.done() and not second.done()
    finally:
        flow.gates["first"].set()
    assert (await first, await second) == (200, 200)
    await wa.channel.drain()
    assert [e.text for e in flow.of(PHONE)] == ["first", "second"]
    assert wa.twilio.bodies_to(f"whatsapp:{PHONE}") == ["Жооп: first", "Жооп: second"]


async def test_long_replies_are_split_under_the_whatsapp_limit(wa, flow):
    paragraph = "Абзац " + " ".join(["сөз"] * 120)
    flow.long_text = "\n\n".join(f"{n}. {paragraph}" for n in range(10))
    await wa.user(PHONE).send("long")

    bodies = wa.twilio.bodies_to(f"whatsapp:{PHONE}")
    assert len(bodies) > 1
    assert all(len(b.encode("utf-16-le")) // 2 <= MAX_CHARS for b in bodies)
    assert "\n\n".join(bodies) == flow.long_text


async def test_an_internal_error_gets_a_polite_reply_and_no_private_data_in_logs(wa, flow, caplog):
    caplog.set_level(logging.INFO)
    reply = await wa.user(PHONE).send("boom")

    assert "Кечиресиз" in reply and "Извините" in reply
    assert "AN1234567" not in caplog.text
    assert "21234567890123" not in caplog.text


async def test_a_rate_limited_send_is_retried_and_sent_once(wa, flow, database):
    wa.twilio.fail_next(1, status=429)
    await wa.user(PHONE).send("Салам")

    assert wa.twilio.bodies_to(f"whatsapp:{PHONE}") == ["Жооп: Салам"]
    assert wa.sleep.delays == [0.5]
    [row] = await rows(database, direction=MessageDirection.OUTBOUND)
    assert (row.status, row.attempts) == ("queued", 2)


async def test_server_errors_are_retried_a_bounded_number_of_times_then_kept_for_officers(
    wa, flow, database
):
    wa.twilio.fail_next(10, status=503, code=None)
    await wa.user(PHONE).send("Салам")

    assert wa.twilio.messages == []
    assert wa.sleep.delays == [0.5, 1.0, 2.0]
    [row] = await wa.whatsapp.bookkeeping.problems()
    assert (row.phone, row.status, row.attempts) == (PHONE, "failed", 4)


async def test_a_refused_message_is_not_retried(wa, flow):
    wa.twilio.fail_next(1, status=400, code=63016)
    await wa.user(PHONE).send("Салам")

    assert wa.sleep.delays == []
    [row] = await wa.whatsapp.bookkeeping.problems()
    assert (row.status, row.error_code) == ("failed", 63016)


async def test_status_callbacks_update_the_row_and_failures_are_kept_for_officers(
    wa, flow, database
):
    await wa.user(PHONE).send("Салам")
    sid = wa.twilio.messages[0]["Sid"]

    assert await wa.status(sid, "delivered") == 204
    assert await wa.status(sid, "sent") == 204  # late and out of order: ignored
    [row] = await rows(database, provider_sid=sid)
    assert row.status == "delivered"
    assert await wa.whatsapp.bookkeeping.problems() == []

    await wa.user(OTHER).send("Салам")
    other_sid = wa.twilio.messages[1]["Sid"]
    await wa.status(other_sid, "undelivered", 63024)
    [problem] = await wa.whatsapp.bookkeeping.problems()
    assert (problem.phone, problem.status, problem.error_code) == (OTHER, "undelivered", 63024)


async def test_a_forged_status_callback_is_refused(wa, flow, database):
    await wa.user(PHONE).send("Салам")
    sid = wa.twilio.messages[0]["Sid"]
    params = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30008"}

    response = await wa.post(params, path=STATUS_PATH, signature="Zm9yZ2Vk")

    assert response.status == 403
    [row] = await rows(database, provider_sid=sid)
    assert row.status == "queued"


async def test_a_status_that_arrives_before_the_sid_is_recorded_is_applied_later(
    wa, flow, database
):
    # Twilio calls back before its answer to our POST reached us.
    wa.twilio.before_reply = lambda sid: wa.status(sid, "failed", 30008)
    await wa.user(PHONE).send("Салам")

    [problem] = await wa.whatsapp.bookkeeping.problems()
    assert (problem.status, problem.error_code) == ("failed", 30008)


async def test_a_send_that_times_out_is_not_repeated_and_is_kept_for_officers(wa, flow):
    # Twilio got the message but its answer never came back to us.
    answer = asyncio.Event()
    wa.twilio.before_reply = lambda sid: answer.wait()
    wa.whatsapp.http.timeout = 0.5
    try:
        await wa.user(PHONE).send("Салам")
    finally:
        answer.set()

    assert len(wa.twilio.messages) == 1  # not sent a second time
    assert wa.sleep.delays == []
    [row] = await wa.whatsapp.bookkeeping.problems()
    assert (row.status, row.attempts) == ("unknown", 1)


async def test_a_webhook_that_failed_is_processed_when_twilio_retries_it(
    wa, flow, monkeypatch, caplog
):
    caplog.set_level(logging.INFO)
    params = {"MessageSid": message_sid(), "From": f"whatsapp:{PHONE}", "Body": "Салам"}
    import bot.turns

    record = bot.turns.open_turn

    async def database_down(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(bot.turns, "open_turn", database_down)
    assert (await wa.post(params)).status == 503
    monkeypatch.setattr(bot.turns, "open_turn", record)
    assert (await wa.post(params)).status == 200

    assert [e.text for e in flow.of(PHONE)] == ["Салам"]
    assert PHONE not in caplog.text


async def test_notifications_go_as_text_inside_the_window_and_as_the_template_outside(
    start_whatsapp, flow
):
    wa = await start_whatsapp(
        flow, twilio_template_notification_sid="HXnotice0000000000000000000000000"
    )
    text = "Каттоо 2-апрелде аяктайт."

    outside = await wa.whatsapp.notify(PHONE, text=text, language="ky", key="reminder:1")
    await wa.user(PHONE).send("Салам")
    inside = await wa.whatsapp.notify(PHONE, text=text, language="ky", key="reminder:2")
    again = await wa.whatsapp.notify(PHONE, text=text, language="ky", key="reminder:2")

    assert outside.sent and inside.sent and again.duplicate
    template, _, plain = wa.twilio.messages
    assert template["ContentSid"].startswith("HXnotice") and "Body" not in template
    assert plain["Body"] == text
    assert len(wa.twilio.messages) == 3  # the repeated key sent nothing


class ListThenQuestion:
    """A flow whose answer is a numbered list followed by a question without one."""

    def __init__(self) -> None:
        self.events: list = []

    async def handle(self, key, event):
        self.events.append(event)
        if event.kind == "text" and event.text == "begin":
            return [Reply("Окуп жатасызбы?", (Option("q:yes", "Ооба"), Option("q:no", "Жок")))]
        if event.kind == "text" and event.text == "next":
            return [
                Reply("Эскертүү", (Option("menu", "Меню"),)),
                Reply("ПИНиңизди жазыңыз."),  # the question now asked has no list
            ]
        return [Reply("ок")]

    # The `flows.conversation.Conversation` the turn runner drives (the session is unused).
    async def respond(self, session, key, event):
        return await self.handle(key, event)

    async def resume(self, session, key, event):
        return []


async def test_a_number_answers_only_the_list_of_the_last_message(start_whatsapp):
    flow = ListThenQuestion()
    wa = await start_whatsapp(flow)
    user = wa.user(PHONE)
    await user.send("begin")
    await user.send("1")
    assert flow.events[-1].choice == "q:yes"  # the list just sent
    await user.send("next")
    await user.send("1")
    # A list shown before the last message is not the current one: "1" is typed text.
    assert (flow.events[-1].kind, flow.events[-1].text) == ("text", "1")


@pytest.mark.parametrize(
    ("field", "value"),
    [("MessageSid", "SM\x00" + "a" * 31), ("MessageStatus", "delivered\x00"), ("To", "\x07")],
)
async def test_a_signed_status_callback_with_a_control_character_is_refused(
    wa, flow, database, caplog, field, value
):
    # PostgreSQL refuses NUL in text; the callback answered 500 and logged the statement.
    await wa.user(PHONE).send("Салам")
    sid = wa.twilio.messages[0]["Sid"]
    params = {"MessageSid": sid, "MessageStatus": "failed", "AccountSid": ACCOUNT_SID}
    params[field] = value

    with caplog.at_level(logging.INFO):
        response = await wa.post(params, path=STATUS_PATH, drain=False)

    assert response.status == 400
    [row] = await rows(database, provider_sid=sid)
    assert row.status == "queued"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("code", ["²", "9" * 30, "-1"])
async def test_a_status_callback_with_a_strange_error_code_keeps_the_status(
    wa, flow, database, code
):
    await wa.user(PHONE).send("Салам")
    sid = wa.twilio.messages[0]["Sid"]
    params = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": code}

    response = await wa.post(params, path=STATUS_PATH, drain=False)

    assert response.status == 204
    [row] = await rows(database, provider_sid=sid)
    assert (row.status, row.error_code) == ("failed", None)


async def test_control_characters_in_a_message_text_are_dropped_not_the_message(wa, flow):
    await wa.user(PHONE).send("Са\x00лам\x1b")

    assert flow.of(PHONE)[-1].text == "Салам"


async def test_a_message_whose_process_died_before_replying_is_answered_not_applied_again(
    wa, flow, start_whatsapp
):
    """Committed, then killed before the reply went out: Twilio's retry of the same MessageSid
    is not applied a second time, and the applicant is shown the current question."""
    params = {"MessageSid": message_sid(), "From": f"whatsapp:{PHONE}", "Body": "Салам"}
    answer = wa.channel._answer

    async def killed(*args, **kwargs):
        raise asyncio.CancelledError  # what a SIGKILL after the commit looks like here

    wa.channel._answer = killed
    await wa.post(params)
    assert wa.twilio.messages == []
    restarted = await start_whatsapp(flow)
    wa.channel._answer = answer
    assert (await restarted.post(params)).status == 200

    assert [e.text for e in flow.of(PHONE)] == ["Салам"]
    assert flow.resumed and restarted.twilio.bodies_to(f"whatsapp:{PHONE}") == ["Жооп: Салам"]


async def test_the_reply_goes_out_when_the_state_store_was_lost_during_the_turn(wa, flow, state):
    """The 24-hour window is kept in the state store, which may be lost at any moment; a reply
    answers a message just received, inside the window whatever the store remembers. The chat's
    lock goes with the store: the message was applied and answered all the same, and the
    applicant is not asked to repeat it (the repeat would answer the next question)."""
    flow.gates["wait"], flow.seen["wait"] = asyncio.Event(), asyncio.Event()
    sending = asyncio.create_task(wa.user(PHONE).send("wait"))
    await flow.seen["wait"].wait()
    await state.flush()  # Redis lost, or restarted empty
    flow.gates["wait"].set()
    await sending

    assert wa.twilio.bodies_to(f"whatsapp:{PHONE}") == ["Жооп: wait"]


async def test_a_message_applied_whose_reply_failed_gets_no_request_to_repeat_it(wa, flow):
    """The answer was taken: "please repeat your last answer" would have the repeat taken as
    the answer to the next question. The next message is answered as usual."""
    numbered = wa.channel._numbered
    remember = numbered.remember

    def broken(*args, **kwargs):
        raise ConnectionError("the reply could not be made")

    numbered.remember = broken
    await wa.user(PHONE).send("Салам")
    numbered.remember = remember
    assert [e.text for e in flow.of(PHONE)] == ["Салам"]
    assert wa.twilio.bodies_to(f"whatsapp:{PHONE}") == []

    assert await wa.user(PHONE).send("Саламатсызбы") == "Жооп: Саламатсызбы"


async def test_a_message_answered_before_its_commit_that_failed_is_asked_again(
    wa, flow, monkeypatch
):
    """Twilio was answered before the turn ended (it took too long), then the turn failed:
    Twilio will not post it again, so the applicant is asked to send it again."""
    monkeypatch.setattr("bot.whatsapp.channel.ANSWER_WITHIN", 0.1)
    steps = wa.channel._steps

    async def slow_then_broken(message, state):
        await asyncio.sleep(0.5)
        raise ConnectionError("the media host is down")

    wa.channel._steps = slow_then_broken
    reply = await wa.user(PHONE).send("Салам")
    wa.channel._steps = steps

    assert flow.of(PHONE) == []
    assert "Извините" in reply and "Кечиресиз" in reply  # the language is not known yet
