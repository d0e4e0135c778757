"""`ortbot shell --phone P`: the registration conversation in a terminal, photos by file path.

It talks to the same `RegistrationFlow` as Telegram and WhatsApp, as if writing from phone P
(the terminal is trusted like WhatsApp's sender address), so the bot can be tried without any
messaging account.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from bot.commands.errors import CommandError
from bot.turns import TurnRunner
from config.campaign import load_campaign
from config.settings import Settings, get_settings
from core.people import validate_phone
from core.texts import conversation_texts
from core.validation import Rejected
from flows.engine import RegistrationFlow
from flows.events import ChatKey, Event, IncomingFile
from flows.replies import Option, Reply
from storage.credentials import SecretBox
from storage.database import Database
from storage.enums import Channel
from storage.filestore import filestore_from_settings
from storage.repositories.applicants import grant_by_phone
from storage.state import state_store_from_url

MAX_FILE_BYTES = 20 * 1024 * 1024  # what Telegram's Bot API would deliver
_NUMBERS = re.compile(r"^\d+(\s*[, ]\s*\d+)*$")
INTRO = (
    "ORT registration bot in the terminal. Answer with text; choose an option by its number "
    "(several toggles: 1, 3); send a photo by typing its file path; /help, /status, /edit, "
    "/language, /cancel; /quit to leave."
)


def render(replies: list[Reply]) -> tuple[str, list[Option]]:
    """Return the replies as terminal text with numbered options, and the options in order."""
    lines: list[str] = []
    options: list[Option] = []
    for reply in replies:
        lines.append(reply.text)
        for option in reply.options:
            options.append(option)
            mark = "" if option.selected is None else ("[x] " if option.selected else "[ ] ")
            lines.append(f"  {len(options)}) {mark}{option.label}")
        if reply.expects_file:
            lines.append("  (photo: type the path of an image file)")
    return "\n".join(lines), options


def parse(line: str, options: list[Option]) -> list[Event] | str:
    """Turn a typed line into events, or return a message for the user."""
    path = Path(line).expanduser()
    if len(line) < 4096 and path.is_file():
        if path.stat().st_size > MAX_FILE_BYTES:
            return "That file is too large (20 MB at most)."
        return [Event(kind="file", file=IncomingFile(path.read_bytes(), path.name))]
    if line.startswith("/"):
        name, _, arg = line[1:].partition(" ")
        return [Event(kind="command", command=name.lower(), text=arg.strip() or None)]
    if options and _NUMBERS.match(line):
        numbers = [int(n) for n in re.split(r"[,\s]+", line) if n]
        if any(not 1 <= n <= len(options) for n in numbers):
            return f"No option with that number (1–{len(options)})."
        return [Event(kind="choice", choice=options[n - 1].id) for n in numbers]
    return [Event(kind="text", text=line)]


async def run_shell(settings: Settings, phone: str, *, stdin: TextIO, stdout: TextIO) -> int:
    """Talk to the registration flow as `phone` until /quit or the end of input."""
    database = Database.from_url(settings.database_url)
    state = state_store_from_url(settings.redis_url)
    filestore = filestore_from_settings(settings)
    try:
        campaign = load_campaign(settings.campaign)
        async with database.session() as session:
            if await grant_by_phone(session, campaign.year, phone) is None:
                raise CommandError(
                    f"no access grant for this phone in {campaign.name_ru}; "
                    "an officer opens access in the web first"
                )
        texts = conversation_texts()
        flow = RegistrationFlow(
            state=state,
            filestore=filestore,
            campaign=campaign,
            translator=texts,
            secret_box=SecretBox(settings.resolved_secret_key()),
        )
        turns = TurnRunner(conversation=flow, database=database, state=state, translator=texts)
        key = ChatKey(Channel.SHELL, phone)
        print(INTRO, file=stdout)
        options = await _exchange(
            turns, key, phone, [Event(kind="command", command="start")], stdout
        )
        while True:
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip() == "/quit":
                return 0
            parsed = parse(line.strip(), options) if line.strip() else "…"
            if isinstance(parsed, str):
                print(parsed, file=stdout)
                continue
            options = await _exchange(turns, key, phone, parsed, stdout)
    finally:
        await state.close()
        await filestore.close()
        await database.dispose()


async def _exchange(
    turns: TurnRunner, key: ChatKey, phone: str, events: list[Event], stdout: TextIO
) -> list[Option]:
    replies: list[Reply] = []
    for event in events:
        verified = Event(**{**event.__dict__, "verified_phone": phone})
        replies = await turns.handle(key, verified)
    text, options = render(replies)
    print(f"\n{text}\n> ", end="", file=stdout, flush=True)
    return options


def _shell(args: argparse.Namespace) -> int:
    checked = validate_phone(args.phone)
    if isinstance(checked, Rejected):
        raise CommandError("--phone is not a Kyrgyz phone number (e.g. +996 555 123 456)")
    settings = get_settings()
    from storage.migrate import upgrade_head

    upgrade_head(settings.database_url)
    return asyncio.run(run_shell(settings, checked.value, stdin=sys.stdin, stdout=sys.stdout))


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("shell", help="talk to the registration bot in the terminal")
    parser.add_argument("--phone", required=True, help="the applicant's phone (has a grant)")
    parser.set_defaults(handler=_shell)
