"""Bad input, generated: every validator takes any text without raising, and the flow engine
takes any sequence of events without failing or losing an answer it accepted.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.people import format_phone, validate_full_name, validate_phone
from core.texts import conversation_texts
from core.validation import Accepted, Rejected
from flows.events import ChatKey, Event, IncomingFile
from flows.form import FIELDS
from flows.form import validators as v
from storage.database import Database
from storage.enums import Channel
from tests.form_samples import DONE, SAMPLES, Samples, option_id
from tests.robustness.applicants import add_applicants
from tests.robustness.registration import opening as registration_opening
from tests.robustness.registration import registration_runner

PROPERTIES = settings(max_examples=60, deadline=None, derandomize=True)
TODAY = date(2026, 3, 1)
CONTEXT = v.FormContext(today=TODAY)
TEXTS = conversation_texts()
# Text people type, and text nobody should: controls, RTL marks, emoji, lookalikes, huge runs.
ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789 -.+/()№#", max_size=40),
    st.text(alphabet="АВЕКМНОРСТУХІИДанAN ID-", max_size=20),
    st.sampled_from(["", " ", "\u200f", "\x00", "ـ" * 500, "😀" * 50, "1" * 10_000, "NaN"]),
)
TEXT_VALIDATORS = [
    v.validate_pin,
    v.validate_birth_date,
    v.validate_passport,
    v.validate_place,
    v.validate_extra_phone,
    v.validate_amount,
    v.validate_receipt_number,
]


def known(result: Accepted | Rejected) -> None:
    """A rejection must be a message both languages can say."""
    assert isinstance(result, Accepted | Rejected)
    if isinstance(result, Rejected):
        for lang in ("ky", "ru"):
            assert TEXTS.has(lang, result.message_id), result.message_id


@pytest.mark.parametrize("validator", TEXT_VALIDATORS, ids=lambda f: f.__name__)
@PROPERTIES
@given(text=ANY_TEXT, repeated=st.booleans())
def test_form_validators_take_any_text(validator, text: str, repeated: bool) -> None:
    known(validator(text, v.FormContext(today=TODAY, repeated=repeated)))


@PROPERTIES
@given(text=ANY_TEXT)
def test_people_validators_take_any_text(text: str) -> None:
    known(validate_phone(text))
    known(validate_full_name(text))


@PROPERTIES
@given(text=ANY_TEXT)
def test_accepted_values_are_accepted_again_unchanged(text: str) -> None:
    """What is stored, typed again, means the same (editing never drifts a value)."""
    for validator in (v.validate_passport, v.validate_place, v.validate_receipt_number):
        first = validator(text, CONTEXT)
        if isinstance(first, Accepted):
            assert validator(str(first.value), CONTEXT) == first
    phone = validate_phone(text)
    if isinstance(phone, Accepted):
        assert validate_phone(format_phone(phone.value)) == phone
    name = validate_full_name(text)
    if isinstance(name, Accepted):
        assert validate_full_name(name.value) == name


@PROPERTIES
@given(
    born=st.dates(min_value=TODAY - timedelta(days=80 * 365), max_value=TODAY),
    gender=st.sampled_from("12"),
    serial=st.integers(0, 99999),
    sep=st.sampled_from(["", " ", "-"]),
)
def test_a_pin_decodes_to_the_birth_date_and_gender_it_holds(born, gender, serial, sep) -> None:
    pin = f"{gender}{born:%d%m%Y}{serial:05d}"
    typed = sep.join([pin[:1], pin[1:9], pin[9:]])
    result = v.validate_pin(typed, CONTEXT)
    age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
    if v.MIN_AGE <= age <= v.MAX_AGE:
        assert result == Accepted(
            pin,
            also={
                "pin_gender": "female" if gender == "1" else "male",
                "pin_birth_date": born.isoformat(),
            },
        )
    else:
        assert isinstance(result, Rejected)
        assert isinstance(
            v.validate_pin(typed, v.FormContext(today=TODAY, repeated=True)), Accepted
        )


@PROPERTIES
@given(
    series=st.sampled_from(["AN", "ID", "an", "ан", "АН", "ид"]),
    number=st.integers(0, 9_999_999),
    sep=st.sampled_from(["", " ", "  ", " № "]),
)
def test_any_way_of_typing_a_passport_number_gives_the_same_value(series, number, sep) -> None:
    result = v.validate_passport(f"{series}{sep}{number:07d}", CONTEXT)
    expected = {"an": "AN", "ан": "AN", "ид": "ID"}.get(series.lower(), series.upper())
    assert result == Accepted(f"{expected}{number:07d}")


@PROPERTIES
@given(
    amount=st.integers(1, v.MAX_AMOUNT), spaced=st.booleans(), unit=st.sampled_from(["", " сом"])
)
def test_amounts_are_read_as_typed(amount: int, spaced: bool, unit: str) -> None:
    typed = f"{amount:,}".replace(",", " ") if spaced else str(amount)
    assert v.validate_amount(typed + unit, CONTEXT) == Accepted(amount)


# --- the engine ------------------------------------------------------------------------------

CHOICES = [
    "lang:ky", "lang:ru", "is_student:yes", "is_student:no", "personal_confirm:yes",
    "personal_confirm:no", "has_benefits:yes", "has_benefits:no", "extra_phone:skip",
    "subjects:done", "subjects:math", "subjects:chemistry", "subjects:physics",
    "test_language:ky", "test_language:ru", "gender:male", "gender:female", "city:keep",
    "city:pick:0", "payment_amount:due", "payment_confirm:yes", "pay:stop", "yes", "no",
    "edit", "edit:city", "edit:pin", "edit:subjects", "edit:passport", "summary", "menu",
    "continue", "submit", "pay", "student:change", "pay:cancel:1", "nonsense",
]  # fmt: skip
GOOD_TEXT = ["20509200712345", "AN1234567", "Сокулук", "Ленин көчөсү, 12", "0700 123 456"]


def _answering(name: str) -> list[Event]:
    """The events that answer question `name` with its sample: typed, or buttons pressed."""
    sample = SAMPLES[name]
    if sample.how == "text":
        return [Event(kind="text", text=sample.value)]
    presses = [*sample.values, DONE] if sample.how == "toggle" else [sample.value]
    return [Event(kind="choice", choice=option_id(FIELDS[name], value)) for value in presses]


# A valid start of the form, its text part answered from the table of samples: the random
# events then come at any point of it.
GOOD_STEPS = [
    (name, event) for name in Samples().path(until="passport_front") for event in _answering(name)
]
GOOD_PATH = [event for _, event in GOOD_STEPS]
UNSUPPORTED = ["sticker", "voice", "video", "location", "contact_other", "other", "??"]
EVENTS = st.one_of(
    st.builds(
        lambda t: Event(kind="text", text=t), st.one_of(st.sampled_from(GOOD_TEXT), ANY_TEXT)
    ),
    st.builds(
        lambda c: Event(kind="choice", choice=c),
        st.one_of(st.sampled_from(CHOICES), st.text(max_size=70)),
    ),
    st.builds(
        lambda c, a: Event(kind="command", command=c, text=a),
        st.sampled_from(["start", "help", "status", "edit", "language", "cancel"]),
        st.one_of(st.none(), st.text(max_size=70)),
    ),
    st.builds(lambda u: Event(kind="unsupported", unsupported=u), st.sampled_from(UNSUPPORTED)),
    st.builds(lambda d: Event(kind="file", file=IncomingFile(d, "x.jpg")), st.binary(max_size=64)),
)
# Answers that, once given, stay (an edit may change them; nothing may drop them).
KEPT = ("pin", "passport", "city", "village", "street", "subjects", "test_language")


@settings(PROPERTIES, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answered=st.integers(0, len(GOOD_PATH)), events=st.lists(EVENTS, max_size=25))
async def test_any_sequence_of_events_is_answered_and_keeps_every_accepted_answer(
    database: Database, state, filestore, campaign, secret_box, answered: int, events: list[Event]
) -> None:
    [granted] = await add_applicants(database, secret_box, 1, campaign_year=campaign.year)
    phone = granted.phone
    flow = registration_runner(database, state, filestore, campaign, secret_box)
    key = ChatKey(Channel.TELEGRAM, phone.removeprefix("+"))
    failure = {TEXTS.gettext(lang, "error.internal") for lang in ("ky", "ru")}
    # Straight to the form, then whatever comes.
    opening = registration_opening(phone)
    kept: dict[str, object] = {}
    for event in [*opening, *GOOD_PATH[:answered], *events]:
        replies = await flow.handle(key, event)
        assert replies, f"no answer to {event.kind}"
        assert not failure & {r.text for r in replies}, f"internal failure on {event}"
        answers = await answers_of(database, granted.grant_id)
        for name in kept:
            assert answers.get(name) is not None, f"{name} lost after {event}"
        kept = {name: answers[name] for name in KEPT if answers.get(name) is not None}
    seen.append(len(kept))


seen: list[int] = []  # how many answers each example ended with: the test is not vacuous


def test_the_generated_sequences_did_reach_the_form() -> None:
    if not seen:
        pytest.skip("checks the examples of the engine property test, which did not run")
    assert max(seen) == len(KEPT), seen


async def answers_of(database: Database, grant_id: int) -> dict:
    from sqlalchemy import select

    from storage.models import Registration

    async with database.session() as session:
        registration = await session.scalar(
            select(Registration).where(Registration.grant_id == grant_id)
        )
        return dict(registration.answers) if registration is not None else {}
