"""Hostile text through the real flow, judged by what is stored.

The answers of a good registration are typed again in disguise: digits of other scripts,
fullwidth and Cyrillic letters, controls, bidi overrides, zero-width characters and odd
whitespace slipped in anywhere; or replaced by arbitrary text. The oracle is the stored draft:
the disguised answer is stored as the plain one, the PIN and the passport hold ASCII digits
only, and no stored text holds an invisible character.
"""

from __future__ import annotations

import os
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.texts import conversation_texts
from flows.events import ChatKey, Event
from storage.database import Database
from storage.enums import Channel
from tests.robustness.applicants import add_applicants
from tests.robustness.registration import opening as registration_opening
from tests.robustness.registration import registration_runner
from tests.robustness.test_properties import GOOD_PATH, GOOD_STEPS, answers_of

TEXTS = conversation_texts()
EXAMPLES = settings(
    max_examples=int(os.environ.get("ORTBOT_HOSTILE_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Where in GOOD_PATH each typed field is answered, and its plain answer (the sample's).
FIELDS = {
    name: (position, event.text)
    for position, (name, event) in enumerate(GOOD_STEPS)
    if name in ("pin", "passport", "city", "village", "street")
}
DIGIT_SCRIPTS = ["0", "٠", "۰", "०", "০", "๐", "０", "𝟎", "၀", "០"]  # each script's zero
INVISIBLE = list("\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x80\x85\x9b\x9f") + [
    "\u00ad", "\u061c", "\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
    "\u202e", "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\U000e0041",
]  # fmt: skip
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000"]
LOOKALIKE = {"A": ["А", "Ａ", "a"], "N": ["Н", "Ｎ", "n"]}
# Format characters a stored text may keep: joiners between two letters shape some scripts.
JOINERS = {"\u200c", "\u200d"}


@st.composite
def disguised(draw: st.DrawFn, plain: str, *, digits: bool) -> str:
    """`plain` as a hostile client could type it, meaning the same."""
    out: list[str] = []
    for ch in plain:
        if digits and ch.isdigit():
            ch = chr(ord(draw(st.sampled_from(DIGIT_SCRIPTS))) + int(ch))
        elif digits and ch in LOOKALIKE:
            ch = draw(st.sampled_from([ch, *LOOKALIKE[ch]]))
        elif ch == " ":
            ch = draw(st.sampled_from(SPACES))
        out.append(ch)
        if draw(st.integers(0, 3)) == 0:
            out.append("".join(draw(st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=3))))
    edge = st.lists(st.sampled_from(INVISIBLE + SPACES), max_size=3).map("".join)
    return draw(edge) + "".join(out) + draw(edge)


ARBITRARY = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(INVISIBLE + [s for s in SPACES if len(s) == 1]),
        st.sampled_from([chr(ord(z) + n) for z in DIGIT_SCRIPTS for n in range(10)]),
    ),
    max_size=40,
)


def invisible_in(text: str) -> list[str]:
    """The characters of `text` nobody can see: controls, format characters, surrogates."""
    found = []
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category in {"Cc", "Cs", "Zl", "Zp"} or (category == "Zs" and ch != " "):
            found.append(ch)
        elif category == "Cf":
            between_letters = (
                0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
            )
            if ch not in JOINERS or not between_letters:
                found.append(ch)
    return found


def assert_clean(answers: dict) -> None:
    pin, passport = answers.get("pin"), answers.get("passport")
    assert pin is None or re.fullmatch(r"[0-9]{14}", pin), ascii(pin)
    assert passport is None or re.fullmatch(r"[A-Z]{2}[0-9]{7}", passport), ascii(passport)
    for name, value in answers.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                assert not invisible_in(text), f"{name}: {ascii(text)}"
                assert text == text.strip() and "  " not in text, f"{name}: {ascii(text)}"


async def run_form(database, state, filestore, campaign, secret_box, events: list[Event]) -> dict:
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    flow = registration_runner(database, state, filestore, campaign, secret_box)
    key = ChatKey(Channel.TELEGRAM, granted.phone.removeprefix("+"))
    opening = registration_opening(granted.phone)
    for event in [*opening, *events]:
        assert await flow.handle(key, event)
    return await answers_of(database, granted.grant_id)


# field -> what its plain answer is stored as, found once by the real flow.
STORED_PLAIN: dict[str, object] = {}


@EXAMPLES
@given(data=st.data(), field=st.sampled_from(sorted(FIELDS)))
async def test_a_disguised_answer_is_stored_as_the_plain_one(
    database: Database, state, filestore, campaign, secret_box, data, field: str
) -> None:
    position, plain = FIELDS[field]
    typed = data.draw(disguised(plain, digits=field in {"pin", "passport"}), label="typed")
    if field not in STORED_PLAIN:
        # What the plain answer is stored as (a city the codifier knows is kept as it spells it).
        plain_answers = await run_form(database, state, filestore, campaign, secret_box, GOOD_PATH)
        STORED_PLAIN[field] = plain_answers.get(field)
    events = list(GOOD_PATH)
    events[position] = Event(kind="text", text=typed)
    answers = await run_form(database, state, filestore, campaign, secret_box, events)
    stored = answers.get(field)
    assert stored == STORED_PLAIN[field], f"{ascii(typed)} -> {ascii(stored)}"
    assert_clean(answers)


@EXAMPLES
@given(texts=st.lists(ARBITRARY, min_size=1, max_size=7), at=st.integers(1, 6))
async def test_whatever_is_typed_nothing_invisible_and_no_foreign_digit_is_stored(
    database: Database, state, filestore, campaign, secret_box, texts: list[str], at: int
) -> None:
    events = list(GOOD_PATH[:at]) + [Event(kind="text", text=t) for t in texts]
    events += GOOD_PATH[at:]
    answers = await run_form(database, state, filestore, campaign, secret_box, events)
    assert_clean(answers)
