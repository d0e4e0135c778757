"""What bench/load.py runs against: the database and grants, the timed fake, both bots."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bench.wire import Wire
from config.campaign import load_campaign
from config.settings import PROJECT_ROOT, Settings
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import GrantKind, MzhbCheck, Role
from storage.migrate import upgrade_head_async
from storage.models import AccessGrant, District, Oblast, Officer, School
from storage.state.redis import RedisStateStore
from tests.fakes.telegram_api import FakeTelegramAPI

TOKEN = "700000001:BENCH-token-for-the-fake-bot-api"
SECRET_KEY = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CAMPAIGN = PROJECT_ROOT / "campaigns" / "demo.toml"
Last = tuple[int, str, list[str]]  # the last message in a chat: id, text, its buttons' data
Build = Callable[[int, int, Last | None], dict[str, Any]]


class TimedFakeAPI(FakeTelegramAPI):
    """The tests' fake Bot API, noting when each chat's reply arrives."""

    def __init__(self, *, token: str) -> None:
        super().__init__(token=token)
        self._last: dict[int, Last] = {}
        self._waiting: dict[int, Any] = {}

    def expect_reply(self, chat_id: int) -> Any:
        """Return a future set to the arrival time of the next message or edit in `chat_id`."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future

    def last_message(self, chat_id: int) -> Last | None:
        return self._last.get(chat_id)

    def _arrived(self, chat_id: int, message_id: int, text: str) -> None:
        markup = self.messages[message_id].reply_markup
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = (markup or {}).get("inline_keyboard", [])
        buttons = [button.get("callback_data", "") for row in rows for button in row]
        self._last[chat_id] = (message_id, text, buttons)
        future = self._waiting.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def _message(self, chat_id: int, text: str, markup: dict | None, method: str) -> dict:
        result = super()._message(chat_id, text, markup, method)
        self._arrived(chat_id, result["message_id"], text)
        return result

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        result = super()._m_editMessageText(params)
        self._arrived(int(params["chat_id"]), result["message_id"], result["text"])
        return result

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        result = super()._m_editMessageReplyMarkup(params)
        self._arrived(int(params["chat_id"]), result["message_id"], result["text"])
        return result


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Айгүл", "language_code": "ru"}


def _text(text: str) -> Build:
    def build(update_id: int, chat_id: int, last: Last | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": _user(chat_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return {"update_id": update_id, "message": message}

    return build


def _press(value: str) -> Build:
    """Press the button of the last message whose data is `value` or ends with ":value"."""

    def build(update_id: int, chat_id: int, last: Last | None) -> dict[str, Any]:
        message_id, text, buttons = last or (1, "", [])
        data = next((b for b in buttons if b == value or b.endswith(f":{value}")), value)
        pressed = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": 700000001, "is_bot": True, "first_name": "bot"},
            "text": text,
        }
        query = {
            "id": str(update_id),
            "from": _user(chat_id),
            "chat_instance": f"ci{chat_id}",
            "data": data,
            "message": pressed,
        }
        return {"update_id": update_id, "callback_query": query}

    return build


def _contact(phone: str) -> Build:
    def build(update_id: int, chat_id: int, last: Last | None) -> dict[str, Any]:
        update = _text("")(update_id, chat_id, last)
        del update["message"]["text"]
        contact = {"phone_number": phone, "first_name": "Айгүл", "user_id": chat_id}
        update["message"]["contact"] = contact
        return update

    return build


def applicant_updates(number: int, phone: str) -> list[Build]:
    """The text part of the form, as one applicant sends it (14 updates)."""
    return [
        _text("/start"),
        _press("lang:ru"),
        _contact(phone.removeprefix("+")),
        _press("no"),  # not a university student
        _text(f"205092007{number:05d}"),  # PIN: a man born 5 September 2007
        _press("yes"),
        _text(f"AN{number:07d}"),
        _text("Бишкек"),  # as the codifier spells it: no suggestions asked
        _text(f"Айыл {number}"),
        _text(f"Ленин көчөсү, {number}"),
        _press("skip"),  # no extra phone
        _press("math"),
        _press("done"),
        _press("ru"),  # the language of testing
    ]


@dataclass
class BenchWorld:
    database_url: str
    redis_url: str
    prefix: str
    applicants: list[tuple[int, str]]  # (number, phone)
    media: Path

    @classmethod
    @contextlib.asynccontextmanager
    async def create(
        cls, base_url: str, redis_url: str, prefix: str, count: int
    ) -> AsyncIterator[BenchWorld]:
        """A temporary database with `count` grants; dropped, with the Redis keys, after."""
        base = make_url(base_url)
        name = f"ortbot_bench_{int(time.time())}"
        admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(admin)
        await connection.execute(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)
        try:
            await upgrade_head_async(url)
            applicants = await _grants(url, count)
            with tempfile.TemporaryDirectory() as media:
                yield cls(url, redis_url, prefix, applicants, Path(media))
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()
            store = RedisStateStore.from_url(redis_url, prefix=prefix)
            await store.flush()
            await store.close()

    def settings(self, api_url: str) -> Settings:
        return Settings(
            database_url=self.database_url,
            secret_key=SecretStr(SECRET_KEY),
            telegram_bot_token=SecretStr(TOKEN),
            telegram_api_url=api_url,
            public_base_url="http://127.0.0.1:9",  # webhook mode; the bench posts directly
            media_dir=self.media,
            campaign=CAMPAIGN,
        )


async def _grants(url: str, count: int) -> list[tuple[int, str]]:
    database = Database.from_url(url)
    box = SecretBox(SECRET_KEY)
    year = load_campaign(CAMPAIGN).year
    async with database.session() as s:
        await s.execute(insert(Oblast).values(id=1, name="Чүй облусу"))
        await s.execute(insert(District).values(id=1, oblast_id=1, name="Сокулук району"))
        await s.execute(insert(School).values(id=1, code="10101", name="№1", district_id=1))
        await s.execute(
            insert(Officer).values(
                id=1, role=Role.DISTRICT, phone="+996555000001", full_name="Кадырова Мээрим",
                district_id=1, password_hash="x",
            )
        )  # fmt: skip
        rows = []
        for number in range(1, count + 1):
            code = f"BN{number:06d}"
            rows.append(
                {
                    "campaign_year": year,
                    "kind": GrantKind.MZHB,
                    "phone": f"+996700{number:06d}",
                    "full_name": "Жумабеков Нурлан Асылбекович",
                    "school_id": 1,
                    "district_id": 1,
                    "checks": [c.value for c in MzhbCheck],
                    "granted_by_id": 1,
                    "access_code_hash": box.keyed_hash(code),
                    "access_code_encrypted": box.encrypt(code),
                }
            )
        await s.execute(insert(AccessGrant), rows)
    await database.dispose()
    return [(number, f"+996700{number:06d}") for number in range(1, count + 1)]


class _Unlimited:
    """No message rate: the bench measures the bot, not Telegram's 30 messages/s."""

    async def acquire(self) -> None:
        return None


App = Callable[[TimedFakeAPI], Awaitable[tuple[web.Application, str, Any]]]


def ours_app(world: BenchWorld, *, stripped: bool = False, wire: Wire | None = None) -> App:
    """`ortbot serve`'s app as shipped; `stripped`: no message rate limit and no pool pre-ping."""

    async def build(api: TimedFakeAPI) -> tuple[web.Application, str, Any]:
        from bot.app import create_app
        from bot.runtime import Runtime

        runtime = Runtime.from_settings(world.settings(api.base_url))
        if stripped:
            await runtime.database.dispose()
            runtime.database = Database.from_url(world.database_url, pre_ping=False)
        if wire is not None:
            wire.watch_engine(runtime.database.engine)
        # As REDIS_URL would build it, under the bench's own key prefix.
        runtime.state = RedisStateStore.from_url(world.redis_url, prefix=world.prefix)
        app = create_app(runtime)
        assert runtime.telegram is not None
        if stripped:
            runtime.telegram.sender._bucket = _Unlimited()  # noqa: SLF001 - bench only
        await runtime.telegram.start()
        return app, runtime.telegram.secret, runtime.close

    return build


def import_both_apps() -> None:
    """Import what both bots' builds import, so that it is loaded before the heap is frozen."""
    import aiogram.fsm.storage.redis  # noqa: F401
    import aiogram.webhook.aiohttp_server  # noqa: F401

    import bot.app  # noqa: F401
    import bot.runtime  # noqa: F401


def echo_app(world: BenchWorld) -> App:
    async def build(api: TimedFakeAPI) -> tuple[web.Application, str, Any]:
        from aiogram import Bot, Dispatcher
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer
        from aiogram.fsm.storage.base import DefaultKeyBuilder
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
        from aiogram.types import CallbackQuery, Message
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler

        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        redis = RedisStateStore.from_url(world.redis_url, prefix=world.prefix).redis
        keys = DefaultKeyBuilder(prefix=f"{world.prefix}echo")
        dispatcher = Dispatcher(
            storage=RedisStorage(redis, key_builder=keys),
            events_isolation=RedisEventIsolation(redis, key_builder=keys),
        )

        @dispatcher.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "…")

        @dispatcher.callback_query()
        async def pressed(query: CallbackQuery) -> None:
            await query.answer()
            await bot.send_message(query.from_user.id, query.data or "…")

        secret = "bench-echo-secret"
        app = web.Application()
        SimpleRequestHandler(
            dispatcher, bot, secret_token=secret, handle_in_background=False
        ).register(app, path="/webhooks/telegram")

        async def close() -> None:
            await bot.session.close()
            await redis.aclose()

        return app, secret, close

    return build
