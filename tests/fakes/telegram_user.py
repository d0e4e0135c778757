"""A scripted Telegram user: builds the updates a real client would send, and reads the replies.

Updates reach the bot through `deliver` (polling: the fake API's queue; webhook: a POST to the
app), and every action waits until the bot has finished handling it, so a test reads the
replies right after the action without sleeping.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fakes.telegram_api import FakeTelegramAPI, SentMessage

Deliver = Callable[[dict[str, Any]], Awaitable[None]]
_ids = itertools.count(1)


class TelegramUser:
    """One person in a private chat with the bot (chat id == user id, as Telegram does)."""

    def __init__(
        self,
        api: FakeTelegramAPI,
        deliver: Deliver,
        *,
        user_id: int,
        first_name: str = "Айгүл",
        language_code: str | None = "ky",
    ) -> None:
        self.api = api
        self.deliver = deliver
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.seen = 0  # messages of this chat already read through `new_messages`
        self.sent = 0  # updates this person caused: messages, presses, shared contacts

    @property
    def chat_id(self) -> int:
        return self.user_id

    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": 100000 + next(_ids),
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": "private", "first_name": self.first_name},
            "from": self._user(),
            **content,
        }

    async def send_update(self, **payload: Any) -> dict[str, Any]:
        update = {"update_id": self.api.new_update_id(), **payload}
        self.sent += 1
        await self.deliver(update)
        return update

    # --- actions ------------------------------------------------------------------------

    async def send_text(self, text: str) -> dict[str, Any]:
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return await self.send_update(message=self._message(**content))

    async def press(self, label: str) -> dict[str, Any]:
        """Press the newest inline button whose text contains `label` (as a person would)."""
        for message in reversed(self.api.chat_messages(self.chat_id)):
            for button in message.buttons():
                if label in button["text"]:
                    return await self.press_button(message, button)
        shown = [b["text"] for m in self.api.chat_messages(self.chat_id) for b in m.buttons()]
        raise AssertionError(f"no button with {label!r}; buttons shown: {shown}")

    async def press_button(self, message: SentMessage, button: dict[str, Any]) -> dict[str, Any]:
        query = {
            "id": str(next(_ids)),
            "from": self._user(),
            "chat_instance": f"ci{self.chat_id}",
            "data": button["callback_data"],
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": {"id": self.chat_id, "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "bot"},
                "text": message.text,
                "reply_markup": message.reply_markup,
            },
        }
        return await self.send_update(callback_query=query)

    async def share_contact(self, phone: str, *, owner_id: int | None = None) -> dict[str, Any]:
        """Share a contact; by default one's own (what the request_contact button sends)."""
        contact = {
            "phone_number": phone,
            "first_name": self.first_name,
            "user_id": self.user_id if owner_id is None else owner_id,
        }
        return await self.send_update(message=self._message(contact=contact))

    async def send_photo(self, data: bytes, *, media_group_id: str | None = None) -> dict:
        file_id, unique = self.api.add_file(data)
        # Telegram sends several sizes; the bot must take the largest one.
        sizes = [
            {
                "file_id": f"{file_id}_small",
                "file_unique_id": f"{unique}s",
                "width": 90,
                "height": 60,
                "file_size": 900,
            },
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "width": 1280,
                "height": 853,
                "file_size": len(data),
            },
        ]
        content: dict[str, Any] = {"photo": sizes}
        if media_group_id:
            content["media_group_id"] = media_group_id
        return await self.send_update(message=self._message(**content))

    async def send_document(
        self,
        data: bytes,
        *,
        file_name: str = "scan.jpg",
        mime_type: str = "image/jpeg",
        declared_size: int | None = None,
    ) -> dict[str, Any]:
        file_id, unique = self.api.add_file(data, suffix=file_name.rsplit(".", 1)[-1])
        document = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if declared_size is None else declared_size,
        }
        return await self.send_update(message=self._message(document=document))

    async def send_sticker(self) -> dict[str, Any]:
        sticker = {
            "file_id": "STICKER1",
            "file_unique_id": "S1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self.send_update(message=self._message(sticker=sticker))

    async def send_voice(self) -> dict[str, Any]:
        voice = {"file_id": "VOICE1", "file_unique_id": "V1", "duration": 3}
        return await self.send_update(message=self._message(voice=voice))

    async def send_location(self) -> dict[str, Any]:
        location = {"latitude": 42.87, "longitude": 74.59}
        return await self.send_update(message=self._message(location=location))

    async def block_bot(self) -> dict[str, Any]:
        member = {
            "chat": {"id": self.chat_id, "type": "private"},
            "from": self._user(),
            "date": int(time.time()),
            "old_chat_member": {
                "status": "member",
                "user": {"id": 1, "is_bot": True, "first_name": "bot"},
            },
            "new_chat_member": {
                "status": "kicked",
                "until_date": 0,
                "user": {"id": 1, "is_bot": True, "first_name": "bot"},
            },
        }
        return await self.send_update(my_chat_member=member)

    # --- reading ------------------------------------------------------------------------

    def messages(self) -> list[SentMessage]:
        return self.api.chat_messages(self.chat_id)

    def new_messages(self) -> list[SentMessage]:
        """Messages sent to this chat since the previous call."""
        messages = self.messages()
        fresh = messages[self.seen :]
        self.seen = len(messages)
        return fresh

    def last_text(self) -> str:
        return self.messages()[-1].text
