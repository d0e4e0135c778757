"""The order of a chat's replies when some of them wait in the outbox.

A turn's replies are sent by its channel at once. Those the provider still refuses after the
channel's own retries (429/5xx) are handed to the outbox (`bot.channel.HandOver`), which sends
them later, in order. The rule that keeps the chat in order: **while a chat has a handed-over
reply the outbox has not finished (sent, failed or dropped), every later reply of that chat is
handed over too**, appended behind it; once the outbox has finished them all, replies go
direct again. A later turn's direct reply would otherwise reach the phone before the earlier
turn's reply still waiting in the outbox.

The runner learns the fact with the turn's own rows (`storage.repositories.turn_rows`) and
returns it with the replies (`TurnReplies.behind_outbox`); each channel answers through
`answer_in_order` with its own ways of sending and of handing over.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from flows.replies import Reply


class TurnReplies(list[Reply]):
    """A turn's replies, in order, with what the turn read of its chat for sending them.

    Attributes:
        behind_outbox: the chat had a handed-over reply the outbox had not finished when the
            turn read its rows: these replies must be handed over too, not sent directly.
        language: the language chosen in the chat as the turn left it (None: none yet), for
            the channel's own texts, so the channel need not ask the database.

    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        behind_outbox: bool = False,
        language: str | None = None,
    ) -> None:
        super().__init__(replies)
        self.behind_outbox = behind_outbox
        self.language = language


def behind_outbox(replies: Sequence[Reply]) -> bool:
    """Return whether `replies` (a runner's answer) must go behind the chat's outbox replies."""
    return bool(getattr(replies, "behind_outbox", False))


async def answer_in_order(
    replies: Sequence[Reply],
    *,
    behind: bool,
    send: Callable[[Sequence[Reply]], Awaitable[Sequence[Reply]]],
    hand_over: Callable[[Sequence[Reply]], Awaitable[None]] | None,
) -> None:
    """Send `replies` directly, or hand them to the outbox when the chat is `behind` it.

    Args:
        replies: what the chat is to receive, in order (in the channel's own parts).
        behind: the chat has handed-over replies the outbox has not finished.
        send: sends replies directly; returns those not delivered (that one and the rest).
        hand_over: stores replies in the outbox, behind the chat's others; None when this
            process has no outbox (then everything is sent directly).

    """
    if not replies:
        return
    if behind and hand_over is not None:
        await hand_over(replies)
        return
    unsent = await send(replies)
    if unsent and hand_over is not None:
        # Not delivered after the channel's retries (429/5xx): the outbox tries again.
        await hand_over(unsent)
