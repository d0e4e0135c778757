"""`ortbot serve` as a real process, and Telegram's side of the webhook, for fault tests.

`ServerProcess` runs the server exactly as production does (webhook mode, the Bot API at the
fake), can be killed with SIGKILL and started again. `TelegramDelivery` posts updates the way
Telegram does: with the secret token, again and again until one is answered 200 (a refused
connection, a dropped one or a 5xx mean "not delivered yet").
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_secret
from config.settings import PROJECT_ROOT
from storage.credentials import SecretBox

# The real CLI, with LOG_LEVEL=DEBUG unless told otherwise: the log is checked for private data.
_LAUNCH = "import sys; from bot.cli import main; sys.exit(main(['serve']))"
START_WITHIN = 120.0  # seconds; importing aiogram alone takes several on a busy CI machine
RETRY_EVERY = 0.2  # seconds between Telegram's delivery attempts (it backs off; tests need not)
GIVE_UP_AFTER = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """One `ortbot serve` replica on its own port; its log goes to `log_path`."""

    def __init__(self, env: dict[str, str], *, log_path: Path) -> None:
        self.port = free_port()
        self.env = {**env, "WEB_PORT": str(self.port)}
        self.env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{self.port}")
        self.env.setdefault("LOG_LEVEL", "DEBUG")
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start the process and return once it answers /healthz."""
        self.starts += 1
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603, ASYNC220 - starts, never waits; our code
            [sys.executable, "-c", _LAUNCH],
            env={**os.environ, **self.env},
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        async with asyncio.timeout(START_WITHIN), aiohttp.ClientSession() as session:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"ortbot serve exited: {self.log_path.read_text()[-2000:]}")
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:  # webhooks are mounted before it listens
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)  # polling a starting process; nothing to wait on

    def kill(self) -> None:
        """SIGKILL: no shutdown, no finally blocks, connections cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class TelegramDelivery:
    """Delivers updates to webhook URLs as Telegram does: retried until answered 200."""

    def __init__(self, secret_key: str, targets: Sequence[str]) -> None:
        self.secret = webhook_secret(SecretBox(secret_key))
        self.targets = list(targets)  # base URLs; a proxy's, or one replica's
        self.attempts = 0
        self.delivered = 0
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> TelegramDelivery:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    async def __call__(self, update: dict[str, Any]) -> None:
        assert self._session is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GIVE_UP_AFTER
        while True:
            self.attempts += 1
            target = self.targets[self.attempts % len(self.targets)]
            try:
                async with self._session.post(
                    f"{target}{WEBHOOK_PATH}", json=update, headers={SECRET_HEADER: self.secret}
                ) as response:
                    if response.status == 200:
                        self.delivered += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass  # the process died mid-request, or is not listening yet
            if loop.time() > deadline:
                raise TimeoutError(f"update {update['update_id']} was never accepted")
            await asyncio.sleep(RETRY_EVERY)  # Telegram's redelivery interval, compressed
