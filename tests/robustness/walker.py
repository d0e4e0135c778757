"""An applicant who reads what the bot asked last and answers that, as a person does.

Unlike the scripted applicant of the channel tests, it does not assume its previous message
was answered: after a crash it may find the same question, the next one, or no answer at all
(the reply was lost), in which case it types /start and the bot asks again where it stands.
It stops at the documents step: the whole text part of the form is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakes.telegram_api import FakeTelegramAPI, SentMessage
from fakes.telegram_user import Deliver, TelegramUser

from core.i18n import Translator
from tests.robustness.applicants import Granted

LANG = "ru"
MAX_ACTIONS = 80  # a lost reply costs two actions; the form needs about fifteen


@dataclass(frozen=True)
class Answers:
    """What one applicant types and picks; distinct per applicant."""

    pin: str
    passport: str
    city: str
    village: str
    street: str
    subject: str
    test_language: str

    @classmethod
    def of(cls, number: int) -> Answers:
        return cls(
            pin=f"205092007{number:05d}",  # a man born 5 September 2007
            passport=f"AN{number:07d}",
            city=f"Сокулук району {number}",
            village=f"Айыл {number}",
            street=f"Ленин көчөсү, {number}",
            subject="math" if number % 2 else "chemistry",
            test_language="ru" if number % 3 else "ky",
        )

    def stored(self) -> dict[str, Any]:
        """The answers as the draft must hold them."""
        return {
            "is_student": False,
            "pin": self.pin,
            "gender": "male",
            "birth_date": "2007-09-05",
            "passport": self.passport,
            "city": self.city,
            "village": self.village,
            "street": self.street,
            "extra_phone": None,
            "subjects": [self.subject],
            "test_language": self.test_language,
        }


class Walker:
    """One applicant, one chat, answering whatever the bot asked last."""

    def __init__(
        self,
        api: FakeTelegramAPI,
        deliver: Deliver,
        granted: Granted,
        *,
        texts: Translator,
        user_id: int,
    ) -> None:
        self.api = api
        self.granted = granted
        self.answers = Answers.of(granted.number)
        self.user = TelegramUser(api, deliver, user_id=user_id, language_code=LANG)
        # The opening words of each question: some carry parameters, or lines added below.
        self._ask = {
            key: texts.gettext(LANG, f"ask.{key}")[:30]
            for key in (
                "is_student",
                "pin",
                "passport",
                "city",
                "village",
                "street",
                "extra_phone",
                "subjects",
                "test_language",
                "passport_front",
            )
        }
        self.done = False
        self.actions = 0

    def _last(self) -> SentMessage | None:
        messages = self.user.messages()
        return messages[-1] if messages else None

    def _state(self) -> tuple[int, str, str]:
        last = self._last()
        if last is None:
            return (0, "", "")
        return (last.message_id, last.text, str(last.reply_markup))

    async def run(self) -> None:
        """Answer until the documents step is reached."""
        await self.user.send_text("/start")
        while not self.done:
            self.actions += 1
            if self.actions > MAX_ACTIONS:
                shown = [m.text[:70] for m in self.user.messages()[-4:]]
                raise AssertionError(f"applicant {self.granted.number} is stuck at {shown}")
            before = self._state()
            await self._answer(self._last())
            if not self.done and self._state() == before:
                await self.user.send_text("/start")  # no answer came: ask where things stand

    async def _press(self, message: SentMessage, data: str) -> None:
        for button in message.buttons():
            if button["callback_data"] == data:
                await self.user.press_button(message, button)
                return
        raise AssertionError(f"no {data!r} button on {message.text[:60]!r}")

    async def _answer(self, last: SentMessage | None) -> None:  # noqa: C901 - one case a question
        if last is None:
            await self.user.send_text("/start")
            return
        text, ids = last.text, [b["callback_data"] for b in last.buttons()]
        ask, mine = self._ask, self.answers
        keyboard = (last.reply_markup or {}).get("keyboard") or [[{}]]
        if ask["passport_front"] in text:
            self.done = True
        elif "lang:ru" in ids:
            await self._press(last, "lang:ru")
        elif keyboard[0][0].get("request_contact"):
            await self.user.share_contact(self.granted.phone.removeprefix("+"))
        elif "city:keep" in ids:  # close to a district of the codifier: kept as typed
            await self._press(last, "city:keep")
        elif ask["is_student"] in text:
            await self._press(last, "is_student:no")
        elif ask["pin"] in text:
            await self.user.send_text(mine.pin)
        elif ask["subjects"] in text:
            chosen = any(
                b["callback_data"] == f"subjects:{mine.subject}" and b["text"].startswith("✅")
                for b in last.buttons()
            )
            await self._press(last, "subjects:done" if chosen else f"subjects:{mine.subject}")
        elif ask["test_language"] in text:
            await self._press(last, f"test_language:{mine.test_language}")
        elif "personal_confirm:yes" in ids:  # the PIN's gender and birth date, shown to confirm
            await self._press(last, "personal_confirm:yes")
        elif ask["passport"] in text:
            await self.user.send_text(mine.passport)
        elif ask["city"] in text:
            await self.user.send_text(mine.city)
        elif ask["village"] in text:
            await self.user.send_text(mine.village)
        elif ask["street"] in text:
            await self.user.send_text(mine.street)
        elif ask["extra_phone"] in text:
            await self._press(last, "extra_phone:skip")
        else:
            await self.user.send_text("/start")
