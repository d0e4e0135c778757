"""The bot's HTTP session: what each Bot API call carries, and how."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from fakes.telegram_api import FakeTelegramAPI

from bot.telegram.session import build_session

from .conftest import TOKEN


async def test_a_message_goes_as_json_with_its_text_and_buttons_intact(
    fake_api: FakeTelegramAPI,
) -> None:
    bot = Bot(TOKEN, session=build_session(fake_api.base_url))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Ооба ✅", callback_data="q:yes")]]
    )
    try:
        await bot.send_message(
            42, "Жеке номериңизди (ПИН) жазыңыз", reply_markup=keyboard, protect_content=True
        )
    finally:
        await bot.session.close()
    call = fake_api.calls_of("sendMessage")[-1]
    assert call.body == "json"
    # What the Bot API reads is what an urlencoded form would have carried.
    assert call.params == {
        "chat_id": "42",
        "text": "Жеке номериңизди (ПИН) жазыңыз",
        "protect_content": "true",
        "reply_markup": {"inline_keyboard": [[{"text": "Ооба ✅", "callback_data": "q:yes"}]]},
    }
    assert fake_api.texts_to(42) == ["Жеке номериңизди (ПИН) жазыңыз"]


async def test_an_upload_keeps_the_multipart_form(fake_api: FakeTelegramAPI) -> None:
    bot = Bot(TOKEN, session=build_session(fake_api.base_url))
    try:
        await bot.send_photo(42, BufferedInputFile(b"\xff\xd8photo", "p.jpg"), caption="Сүрөт")
    finally:
        await bot.session.close()
    call = fake_api.calls_of("sendPhoto")[-1]
    assert call.body == "multipart"
    assert call.params["caption"] == "Сүрөт"
    attached = call.params["photo"].removeprefix("attach://")
    assert call.params[attached] == b"\xff\xd8photo"
