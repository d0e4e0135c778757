"""The HTTP application: health check, webhooks and the officers' web in one server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram.exceptions import TelegramAPIError
from aiohttp import web

from admin_web.app import setup_admin_web
from admin_web.context import WebContext
from bot.channels import build_channels
from bot.collector import tune_for_serving
from bot.metrics.endpoint import mount_metrics
from bot.notifications.wiring import build_outbox
from bot.reminders import build_scheduler
from bot.runtime import Runtime
from bot.telegram import TelegramChannel
from bot.turns import TurnRunner
from config.settings import Settings
from flows.engine import RegistrationFlow
from office.chat_review import ReviewFlow
from office.chat_router import ChatRouter
from storage.enums import Channel
from storage.migrate import upgrade_head_async

log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if await runtime.database.ping():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unavailable"}, status=503)


def create_app(runtime: Runtime) -> web.Application:
    """Build the aiohttp application for `runtime` (no network is touched here)."""
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    token = runtime.settings.metrics_token
    mount_metrics(app, database=runtime.database, token=token.get_secret_value() if token else None)
    # Built before the channels exist, so the web and the turns can wake it; the channels are
    # the same dict the runtime fills below.
    runtime.outbox = build_outbox(runtime)
    setup_admin_web(
        app,
        WebContext(
            settings=runtime.settings,
            database=runtime.database,
            state=runtime.state,
            filestore=runtime.filestore,
            secret_box=runtime.secret_box,
            campaign=runtime.campaign,
            notifier=runtime.notifier,
            bot_texts=runtime.bot_texts,
            publisher=runtime.outbox,
        ),
    )
    turns = turn_runner(runtime)
    runtime.channels.update(build_channels(runtime, turns))
    for channel in runtime.channels.values():
        channel.mount(app)
    telegram = runtime.channels.get(Channel.TELEGRAM)
    runtime.telegram = telegram if isinstance(telegram, TelegramChannel) else None
    return app


def turn_runner(runtime: Runtime) -> TurnRunner:
    """Return the one runner of every channel's turns: registration and review behind a router."""
    registration = RegistrationFlow(
        state=runtime.state,
        filestore=runtime.filestore,
        campaign=runtime.campaign,
        translator=runtime.bot_texts,
        secret_box=runtime.secret_box,
    )
    review = ReviewFlow(
        state=runtime.state, campaign=runtime.campaign, translator=runtime.bot_texts
    )
    return TurnRunner(
        conversation=ChatRouter(registration=registration, review=review),
        database=runtime.database,
        state=runtime.state,
        translator=runtime.bot_texts,
        publisher=runtime.outbox,
    )


async def start_channels(runtime: Runtime) -> None:
    """Start each channel, then the outbox sender (what was due before a restart goes first)."""
    for name, channel in runtime.channels.items():
        try:
            await channel.start()
        except TelegramAPIError as exc:  # the web and the other channels still serve
            log.error("%s: could not start (%s)", name.value, type(exc).__name__)
    if runtime.outbox is not None:
        runtime.outbox.start()


def channel_status(settings: Settings) -> list[str]:
    """Say which channels run and, for the ones that do not, why and how to try the bot."""
    lines = []
    if settings.telegram_enabled:
        mode = "webhook" if settings.public_base_url else "polling"
        lines.append(f"Telegram: on ({mode})")
    else:
        lines.append("Telegram: off (set TELEGRAM_BOT_TOKEN to turn it on)")
    if settings.whatsapp_enabled:
        lines.append("WhatsApp: on")
    else:
        lines.append(
            "WhatsApp: off (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM)"
        )
    if not (settings.telegram_enabled or settings.whatsapp_enabled):
        lines.append("Try the bot anyway in a terminal: ortbot shell --phone <granted phone>")
    return lines


async def serve(settings: Settings, *, migrate: bool = True) -> None:
    """Run the server until SIGINT/SIGTERM."""
    if migrate:
        await upgrade_head_async(settings.database_url)
    runtime = Runtime.from_settings(settings)
    app = create_app(runtime)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, settings.web_port)
    await site.start()
    print(f"Officers' web: http://{settings.web_host}:{settings.web_port}/", flush=True)
    for line in channel_status(settings):
        print(line, flush=True)
    await start_channels(runtime)
    reminders = build_scheduler(runtime)
    reminders.start()
    tune_for_serving()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await reminders.stop()
        await runner.cleanup()
        await runtime.close()
