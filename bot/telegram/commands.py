"""The bot's command menu (the "/" button), in Kyrgyz, in Russian, and both for other apps."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand

from bot.telegram.sender import TelegramSender
from core.i18n import Translator

log = logging.getLogger(__name__)

MENU = ("start", "status", "edit", "language", "help")


def menu(texts: Translator, lang: str | None) -> list[BotCommand]:
    """Return the commands described in `lang`, or in both languages when None."""

    def describe(name: str) -> str:
        if lang is not None:
            return texts.gettext(lang, f"command.{name}")
        both = (texts.gettext(code, f"command.{name}") for code in ("ky", "ru"))
        return " / ".join(both)

    return [BotCommand(command=name, description=describe(name)) for name in MENU]


async def publish_commands(sender: TelegramSender, texts: Translator) -> None:
    """Set the menu: Kyrgyz and Russian apps get their language, any other app both.

    A failure is logged and the bot goes on: the menu is a convenience, typed commands work.
    """
    for lang in (None, "ky", "ru"):
        try:
            await sender.call(SetMyCommands(commands=menu(texts, lang), language_code=lang))
        except TelegramAPIError as exc:
            log.warning("telegram: command menu for %s not set (%s)", lang, type(exc).__name__)
