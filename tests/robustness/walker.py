"""An applicant who reads what the bot asked last and answers that, as a person does.

Unlike the scripted applicant of the channel tests, it does not assume its previous message
was answered: after a crash it may find the same question, the next one, or no answer at all
(the reply was lost), in which case it types /start and the bot asks again where it stands.
The question is recognized by its catalog text and answered from the table of sample answers
(`tests/form_samples.py`) with the applicant's own values (`Samples.of(number)`), so the path
through the form is not written here. It stops at the question `until` (by default the first
photo: the whole text part of the form is done).
"""

from __future__ import annotations

from typing import Any

from fakes.telegram_api import FakeTelegramAPI, SentMessage
from fakes.telegram_user import Deliver, TelegramUser

from core.i18n import Translator
from flows.form import Field
from tests.form_samples import BENEFIT_DONE, DONE, Sample, Samples, asked_field, option_id
from tests.robustness.applicants import Granted
from tests.sample_photos import document_photo_jpeg, face_photo_jpeg

LANG = "ru"
MAX_ACTIONS = 80  # a lost reply costs two actions; the form needs about fifteen
TICKED = "✅"
PHOTOS = {"document": document_photo_jpeg, "face": face_photo_jpeg}


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
        until: str = "passport_front",
    ) -> None:
        self.api = api
        self.granted = granted
        self.texts = texts
        self.until = until
        self.answers = Samples.of(granted.number)
        self.user = TelegramUser(api, deliver, user_id=user_id, language_code=LANG)
        self.done = False
        self.actions = 0

    def stored(self) -> dict[str, Any]:
        """What the draft must hold once every question before `until` is answered: exactly
        this applicant's answers."""
        return self.answers.stored(self.answers.path(self.until))

    def _last(self) -> SentMessage | None:
        messages = self.user.messages()
        return messages[-1] if messages else None

    def _state(self) -> tuple[int, str, str]:
        last = self._last()
        if last is None:
            return (0, "", "")
        return (last.message_id, last.text, str(last.reply_markup))

    async def run(self) -> None:
        """Answer until the question `until` is asked."""
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

    async def _answer(self, last: SentMessage | None) -> None:
        if last is None:
            await self.user.send_text("/start")
            return
        ids = [b["callback_data"] for b in last.buttons()]
        keyboard = (last.reply_markup or {}).get("keyboard") or [[{}]]
        question = asked_field(self.texts, LANG, last.text)
        keep = [i for i in ids if i.endswith(":keep")]
        if f"lang:{LANG}" in ids:
            await self._press(last, f"lang:{LANG}")
        elif keyboard[0][0].get("request_contact"):
            await self.user.share_contact(self.granted.phone.removeprefix("+"))
        elif keep:  # close to a name the form knows (a district): kept as typed
            await self._press(last, keep[0])
        elif question is None:
            await self.user.send_text("/start")
        elif question.name == self.until:
            self.done = True
        else:
            await self._give(last, question, self.answers[question.name])

    async def _give(self, last: SentMessage, question: Field, sample: Sample) -> None:
        """One action towards answering `question`: what the last message shows decides it."""
        if sample.how == "text":
            await self.user.send_text(sample.value)
        elif sample.how == "choose":
            await self._press(last, option_id(question, sample.value))
        elif sample.how == "toggle":
            ticked = {b["callback_data"] for b in last.buttons() if b["text"].startswith(TICKED)}
            wanted = [option_id(question, v) for v in sample.values]
            left = [data for data in wanted if data not in ticked]
            await self._press(last, left[0] if left else option_id(question, DONE))
        elif sample.how == "photos" and option_id(question, BENEFIT_DONE) in {
            b["callback_data"] for b in last.buttons()
        }:
            await self._press(last, option_id(question, BENEFIT_DONE))
        else:
            await self.user.send_photo(PHOTOS[sample.value]())
