"""Showing the flow's replies in Telegram's idiom: inline keyboards, toggles, a contact button.

- options → an inline keyboard, two short buttons a row, a long one alone;
- a multi-choice → toggles marked ✅/⬜ with "done" last, and its redraw (`updates_previous`)
  edits the message whose button was pressed instead of sending a new one;
- `request_contact` → a one-time reply keyboard with Telegram's share-contact button, removed
  by the next message once the flow stops asking for it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageReplyMarkup, EditMessageText, SendMessage
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.telegram.sender import TelegramSender
from core.i18n import Translator
from flows.replies import Option, Reply
from storage.state.chat import ChatState

SHORT_LABEL = 20  # two buttons of this length still fit side by side on a phone
# In the chat's transient map: the share-contact keyboard is showing and must be removed by
# the next message without buttons of its own. Lost with the map, the keyboard stays until the
# user shares the contact or types: harmless.
CONTACT_KEYBOARD_SHOWN = "tg_contact_keyboard"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


@dataclass(frozen=True)
class Pressed:
    """The message whose inline button started this turn (the one a toggle redraw edits)."""

    message_id: int
    text: str | None


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Return the inline keyboard of `reply`'s options, or None when it has none."""
    if not reply.options:
        return None
    return _keyboard(tuple(reply.options))


# The same question in the same language has the same buttons: each keyboard is built (one
# pydantic model a button) once. Sent keyboards are only read, never changed.
@functools.lru_cache(maxsize=2048)
def _keyboard(options: tuple[Option, ...]) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    pending: list[InlineKeyboardButton] = []
    for option in options:
        button = InlineKeyboardButton(text=_label(option), callback_data=option.id)
        alone = option.finishes or len(button.text) > SHORT_LABEL
        if alone or len(pending) == 2:
            if pending:
                rows.append(pending)
            pending = []
        if alone:
            rows.append([button])
        else:
            pending.append(button)
    if pending:
        rows.append(pending)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def contact_keyboard(label: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=label, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _label(option: Option) -> str:
    if option.selected is None:
        return option.label
    return ("✅ " if option.selected else "⬜ ") + option.label


class ReplyRenderer:
    """Sends one turn's replies to one chat, in order."""

    def __init__(self, sender: TelegramSender, *, texts: Translator) -> None:
        self._sender = sender
        self._texts = texts

    async def render(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        *,
        language: Callable[[], Awaitable[str]],
        state: ChatState,
        pressed: Pressed | None = None,
    ) -> list[Reply]:
        """Send `replies` to `chat_id`; stop at the first one that cannot be delivered.

        Returns the replies not delivered (that one and those after it), or [] when all were.

        Args:
            chat_id: the Telegram chat.
            replies: what the flow answered, in order.
            language: returns the chat's language (asked only when a text of the channel's
                own is needed, e.g. the contact button's label).
            state: the chat's transient map (whether the contact keyboard shows); the caller
                flushes it.
            pressed: the message whose button was pressed, when the turn began with one.

        """
        # Read only when a message could carry the removal (one without buttons of its own).
        keyboard_shown: bool | None = None  # None: not read yet
        for index, reply in enumerate(replies):
            markup: Markup = inline_keyboard(reply)
            if reply.request_contact:
                lang = await language()
                markup = contact_keyboard(self._texts.gettext(lang, "button.share_contact"))
            elif markup is None and keyboard_shown is None:
                keyboard_shown = await state.get(CONTACT_KEYBOARD_SHOWN) is not None
            if keyboard_shown and markup is None and not reply.request_contact:
                # The contact button is no longer wanted: hide it with this message.
                markup = ReplyKeyboardRemove()
                keyboard_shown = False
                state.delete(CONTACT_KEYBOARD_SHOWN)
            if reply.updates_previous and pressed is not None and not reply.request_contact:
                if await self._edit(chat_id, pressed, reply):
                    continue
            sent = await self._sender.call(
                SendMessage(chat_id=chat_id, text=reply.text, reply_markup=markup),
                chat_id=chat_id,
            )
            if sent is None:
                return list(replies[index:])
            if reply.request_contact:
                keyboard_shown = True
                state.set(CONTACT_KEYBOARD_SHOWN, True)
        return []

    async def _edit(self, chat_id: int, pressed: Pressed, reply: Reply) -> bool:
        """Redraw the pressed message in place; False when a new message must be sent."""
        markup = inline_keyboard(reply)
        if pressed.text == reply.text:
            method: EditMessageText | EditMessageReplyMarkup = EditMessageReplyMarkup(
                chat_id=chat_id, message_id=pressed.message_id, reply_markup=markup
            )
        else:
            method = EditMessageText(
                chat_id=chat_id,
                message_id=pressed.message_id,
                text=reply.text,
                reply_markup=markup,
            )
        try:
            await self._sender.call(method, chat_id=chat_id)
        except TelegramBadRequest as exc:
            # A double tap redraws the same state; anything else (too old, deleted) → new message.
            return "not modified" in exc.message
        return True
