"""The messaging channels of the application: one line each.

A new channel is one package whose factory takes the runtime and the turn runner and returns
its `bot.channel.MessagingChannel` (or None when it is not configured), plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.channel import MessagingChannel
from bot.telegram.channel import telegram_channel
from bot.turns import TurnRunner
from bot.whatsapp.service import whatsapp_channel
from storage.enums import Channel

if TYPE_CHECKING:
    from bot.runtime import Runtime

Factory = Callable[["Runtime", TurnRunner], MessagingChannel | None]

FACTORIES: tuple[Factory, ...] = (
    telegram_channel,
    whatsapp_channel,
)


def build_channels(runtime: Runtime, turns: TurnRunner) -> dict[Channel, MessagingChannel]:
    """Return the configured channels by name, each built once."""
    channels: dict[Channel, MessagingChannel] = {}
    for factory in FACTORIES:
        channel = factory(runtime, turns)
        if channel is not None:
            channels[channel.name] = channel
    return channels
