"""Parked WhatsApp messages run again as turns, in order, under their chat's hold.

A parked message (`bot.whatsapp.parking`) whose process died is run by a live one: the sweep
hands its chat to `ParkedTurns.replay`, which takes the chat's hold and runs them there; a
later message of the chat runs them first under its own hold (`ParkedTurns.run_before`). Each
is a turn of its own, through the channel's usual path (`bot.whatsapp.channel`), passed in as
callables: the channel builds this, so this never imports it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot.metrics import turn_finished
from bot.turns import TurnRunner
from bot.whatsapp.accepted import Accepted
from bot.whatsapp.parking import Parking
from flows.events import ChatKey
from storage.enums import Channel

log = logging.getLogger(__name__)

RunTurn = Callable[[Accepted], Awaitable[None]]
TurnFailed = Callable[[Accepted, Exception], Awaitable[None]]
Spawn = Callable[[Coroutine[Any, Any, None]], object]


class ParkedTurns:
    """Runs the parked messages of dead processes, a chat's oldest first, holding the chat.

    `turn` applies and answers one message (raising what went wrong), `failed` deals with what
    it raised, `spawn` runs a coroutine as a task the channel waits for when it drains.
    """

    def __init__(
        self,
        *,
        parking: Parking,
        turns: TurnRunner,
        turn: RunTurn,
        failed: TurnFailed,
        spawn: Spawn,
    ) -> None:
        self._parking = parking
        self._turns = turns
        self._turn = turn
        self._failed = failed
        self._spawn = spawn

    def replay(self, chat_id: str) -> None:
        """Run the chat's parked messages of dead processes in a task (the sweep's callback)."""
        self._spawn(self._sweep_chat(chat_id))

    async def run_before(self, chat_id: str) -> None:
        """Run the chat's parked messages of dead processes before a later message of it.

        The caller holds the chat. A parked message leased elsewhere is waited for up to its
        lease (`Parking.claim`).
        """
        if await self._parking.may_have(chat_id):
            await self._run(chat_id, wait=True)

    async def _sweep_chat(self, chat_id: str) -> None:
        try:
            async with self._turns.hold(ChatKey(Channel.WHATSAPP, chat_id)):
                await self._run(chat_id, wait=False)
        except Exception as exc:  # noqa: BLE001 - the next sweep finds them again
            log.error("WhatsApp parked messages of a chat not run: %s", type(exc).__name__)

    async def _run(self, chat_id: str, *, wait: bool) -> None:
        """Run the chat's parked messages of dead processes; the caller holds the chat.

        The claim may have waited for a lease, and each parked message is a turn of its own:
        the chat's lock is given its whole time again before each turn, so one hold running
        several turns does not outlive it (its turns would then overlap another replica's).
        """
        key = ChatKey(Channel.WHATSAPP, chat_id)
        claimed = await self._parking.claim(chat_id, wait=wait)
        for index, parked in enumerate(claimed):
            try:
                await self._turns.locks.renew(key)
            except Exception:
                # The chat is no longer ours: these are left to lapse for the next holder.
                for left in claimed[index:]:
                    self._parking.finished(left.message_sid)
                raise
            accepted = Accepted.parked(parked, asyncio.get_running_loop())
            started = time.perf_counter()
            try:
                await self._turn(accepted)
            except Exception as error:  # noqa: BLE001 - the later message goes on all the same
                await self._failed(accepted, error)
            finally:
                self._parking.finished(parked.message_sid)
            turn_finished(Channel.WHATSAPP, accepted.outcome, started, turn_id=parked.message_sid)
        await self._turns.locks.renew(key)  # for the caller's own turn, after all this
