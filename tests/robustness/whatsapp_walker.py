"""An applicant on WhatsApp who reads what the bot asked last and answers that, as a person does.

The question is recognized by the form's own wording: each field's `prompt` in the chat's
language, as `core.texts.conversation_texts()` renders it. The answer comes from the one table of
sample answers (`tests/form_samples.py`, `Samples.of(number)`): typed text is typed, a choice is
answered with the number the bot printed next to the option's label, as a person reads it.

After a crash the walker cannot assume its message was answered. It waits for a reply that moves
the form on; when the server that accepted the message died before a reply came (the reply is
lost), or only an older question came again (a redelivered message answered with the current
question), it types "start", and the bot asks again where things stand. When the bot apologizes
and asks for the last answer again, it types it again, as a person does. It types an answer
again only when the bot asks the same question again after that (the answer was not taken, e.g.
a number whose list the state store lost), so an answer taken twice is the bot's doing.
It stops at the first photo question: the text part of the form is done.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field

from config.campaign import Campaign
from core.i18n import Translator
from flows.form import FIELDS, FORM, Kind
from tests.form_samples import Samples, option_label, prompt_marker
from tests.robustness.applicants import Granted
from tests.robustness.serving import ServerProcess
from tests.robustness.whatsapp_serving import Acked, ObservedTwilioApi, TwilioDelivery

LANG = "ru"
FIRST_PHOTO = next(f.name for f in FORM if f.kind is Kind.FILE)
# The text part of the form: every question before the first photo.
TEXT_PART = Samples().path(until=FIRST_PHOTO)
MAX_MESSAGES = 80  # the text part takes about fifteen; a lost reply costs one more
REPLY_WITHIN = 60.0  # seconds: a reply of a live server slower than this is a defect
AFTER_A_KILL = 1.0  # seconds for requests a killed server wrote just before dying to land
QUIET = 1.5  # seconds without news after the question answered came again
_NUMBERED = re.compile(r"^(\d+)\. (?:[✅⬜] )?(.+)$", re.MULTILINE)
LANGUAGE_QUESTION, PLACE_PICK, RESTARTED = "language", "place_pick", "restarted"


class Wording:
    """The bot's wording in one language: questions by their markers, option labels."""

    def __init__(self, texts: Translator, campaign: Campaign, lang: str = LANG) -> None:
        self.texts, self.campaign, self.lang = texts, campaign, lang
        self.markers = {f.name: prompt_marker(texts, lang, f.prompt) for f in FORM}
        self.markers[LANGUAGE_QUESTION] = prompt_marker(texts, "ky", "ask.language.both")
        self.markers[PLACE_PICK] = prompt_marker(texts, lang, "ask.place_pick")
        self.restarted = prompt_marker(texts, lang, "identity.welcome_back")
        self.apology = prompt_marker(texts, lang, "error.internal")  # "repeat your answer"

    def asked(self, text: str) -> str | None:
        """Return the question asked last in `text`: a field name, or one of the others."""
        found = {name: text.rfind(m) for name, m in self.markers.items()}
        name, position = max(found.items(), key=lambda item: item[1])
        return name if position >= 0 else None

    def label(self, name: str, value: str) -> str:
        """The label the bot shows for the option `value` of the field `name`."""
        return option_label(
            FIELDS[name], value, campaign=self.campaign, texts=self.texts, lang=self.lang
        )

    def keep_typed(self) -> str:
        return prompt_marker(self.texts, self.lang, "option.keep_typed")


def numbered(text: str) -> dict[str, str]:
    """{label: number} of the numbered lines in `text`; ticked labels keep their mark."""
    return {label.strip(): number for number, label in _NUMBERED.findall(text)}


def number_of(text: str, label: str) -> str:
    for shown, number in numbered(text).items():
        if shown.lstrip("✅⬜ ").strip() == label:
            return number
    raise AssertionError(f"{label!r} not offered in:\n{text}")


def ticked(text: str, label: str) -> bool:
    return f"✅ {label}" in text


@dataclass
class Conversation:
    """What the applicant sent and saw, in order, for the checks after the run."""

    sent: list[str] = field(default_factory=list)
    lost: int = 0  # replies that never came because the server that took the message died
    stale: int = 0  # times only the question just answered came again
    repeated: int = 0  # answers typed again because the bot apologized and asked for it


class WhatsAppWalker:
    """One applicant's phone on WhatsApp, answering whatever the bot asked last."""

    def __init__(
        self,
        api: ObservedTwilioApi,
        deliver: TwilioDelivery,
        server: ServerProcess,
        granted: Granted,
        *,
        wording: Wording,
    ) -> None:
        self.api = api
        self.deliver = deliver
        self.server = server
        self.granted = granted
        self.samples = Samples.of(granted.number)
        self.words = wording
        self.log = Conversation()
        self.stop_at = FIRST_PHOTO  # the question the walk ends at, unanswered

    @property
    def address(self) -> str:
        return f"whatsapp:{self.granted.phone}"

    def inbox(self) -> list[str]:
        return self.api.bodies_to(self.address)

    def stored(self) -> dict:
        """What the draft must hold once the text part is done."""
        return self.samples.stored(TEXT_PART)

    async def run(self) -> None:
        """Answer until `stop_at` is asked (by default the first photo: the text part is done)."""
        seen = bool(self.inbox()) or await self._say("Саламатсызбы", expect=None)
        last: tuple[str, str | None, str] = ("start", RESTARTED, "")
        while True:
            text = self.inbox()[-1] if seen else ""
            if self.words.apology in text:  # asked to repeat the last answer: a person does
                self.log.repeated += 1
                seen = await self._say(last[0], expect=last[1], shown=last[2])
                continue
            question = self.words.asked(text)
            if question == self.stop_at:
                return
            body = self._answer(question, text)
            if body is None:
                last = ("start", RESTARTED, "")
                seen = await self._say("start", expect=RESTARTED)
                continue
            last = (body, question, text)
            seen = await self._say(body, expect=question, shown=text)

    def _answer(self, question: str | None, text: str) -> str | None:  # noqa: PLR0911
        """What to type for `question` shown in `text` (None: nothing sensible; start over)."""
        words = self.words
        if question is not None:  # the options of the question asked, not of earlier ones
            text = text[text.rfind(words.markers[question]) :]
        if question == LANGUAGE_QUESTION:
            return number_of(text, words.texts.gettext(LANG, "language.name"))
        if question == PLACE_PICK:  # the typed place is close to a known one: kept as typed
            options = numbered(text)
            keep = words.keep_typed()
            return next((n for label, n in options.items() if keep in label), None)
        if question is None or question not in FIELDS:
            return None
        sample = self.samples[question]
        if sample.how == "text":
            return sample.value
        if sample.how == "choose":
            return number_of(text, words.label(question, sample.value))
        if sample.how == "toggle":
            pending = [v for v in sample.values if not ticked(text, words.label(question, v))]
            if pending:
                return number_of(text, words.label(question, pending[0]))
            return "0"  # "done" is numbered 0 on WhatsApp
        return None

    async def _say(self, body: str, *, expect: str | None, shown: str = "") -> bool:
        """Send `body` and wait for a reply that moves on from `expect`.

        When none comes, types "start" until the bot answers it. Returns whether anything came
        (False only when the first message's reply was lost: the walker starts over).
        """
        while True:
            before = len(self.inbox())
            self.log.sent.append(body)
            if len(self.log.sent) > MAX_MESSAGES:
                raise AssertionError(f"applicant {self.granted.number} is stuck:\n{self._tail()}")
            acked = await self.deliver(self.granted.phone, body, f"SM{uuid.uuid4().hex}")
            if await self._reply(acked, before, expect=expect, shown=shown):
                return True
            if expect is None:
                return bool(self.inbox())
            body, expect, shown = "start", RESTARTED, ""

    async def _reply(self, acked: Acked, before: int, *, expect: str | None, shown: str) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_WITHIN
        quiet_since: float | None = None
        while True:
            inbox = self.inbox()
            fresh = inbox[before:]
            if fresh and self._moves_on(fresh[-1], expect, shown):
                return True
            if fresh and quiet_since is None:
                quiet_since = loop.time()  # news, but only the question just answered
            if quiet_since is not None and loop.time() - quiet_since > QUIET:
                self.log.stale += 1
                return False
            if acked.generation != self.server.starts:
                # The server that took the message was killed: what it sent has landed by now.
                await asyncio.sleep(AFTER_A_KILL)
                inbox = self.inbox()
                if len(inbox) > before and self._moves_on(inbox[-1], expect, shown):
                    return True
                self.log.lost += 1
                return False
            if loop.time() > deadline:
                raise AssertionError(
                    f"no reply to applicant {self.granted.number} within {REPLY_WITHIN} s, "
                    f"and the server was not killed:\n{self._tail()}"
                )
            await self.api.news(within=0.1)  # or a kill, which sends no news

    def _moves_on(self, text: str, expect: str | None, shown: str) -> bool:
        """Tell whether `text`, the newest message, answers a message sent for `expect`."""
        if expect is None:
            return True
        if expect == RESTARTED:
            return self.words.restarted in text or self.words.asked(text) == LANGUAGE_QUESTION
        asked = self.words.asked(text)
        if asked != expect:
            return True
        # The same question: a multi-choice redrawn with a toggle moved on; a repeat did not.
        return (
            FIELDS.get(expect) is not None and FIELDS[expect].kind is Kind.MULTI and (text != shown)
        )

    async def wait_for_messages(self, count: int, within: float = REPLY_WITHIN) -> None:
        """Return once this phone has received `count` messages in all."""
        await self.api.wait_until(lambda: len(self.inbox()) >= count, within=within)
        await asyncio.sleep(0.5)  # and whatever else the same turn sends right after

    def _tail(self) -> str:
        return "\n---\n".join(body[:200] for body in self.inbox()[-4:])
