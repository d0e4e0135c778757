"""A valid path through the form, to bring a test applicant to the step it is about."""

from __future__ import annotations

from tests.flows.conftest import APPLICANT_PHONE, ChatDriver

# (the field answered, how) in the order the form asks.
ANSWERS: list[tuple[str, str, str]] = [
    ("is_student", "choose", "no"),
    ("pin", "text", "20509200712345"),
    ("personal_confirm", "choose", "yes"),
    ("passport", "text", "AN1234567"),
    ("city", "text", "Бишкек"),
    ("village", "text", "Бишкек"),
    ("street", "text", "Чуй 1"),
    ("extra_phone", "choose", "skip"),
    ("subjects", "choose", "math"),
    ("subjects_done", "choose", "done"),
    ("test_language", "choose", "ky"),
    ("passport_front", "photo", "document"),
    ("passport_back", "photo", "document"),
    ("certificate", "photo", "document"),
    ("has_benefits", "choose", "no"),
    ("face_photo", "photo", "face"),
]


async def start(chat: ChatDriver, lang: str = "ru") -> None:
    await chat.command("start")
    await chat.choose(f"lang:{lang}")
    if chat.verified_phone is None:
        await chat.contact(APPLICANT_PHONE)


async def advance(
    chat: ChatDriver, photos: dict[str, bytes], *, until: str | None = None, begin: str = ""
) -> None:
    """Answer the form from `begin` (or the start) up to, not including, field `until`."""
    names = [name for name, _, _ in ANSWERS]
    first = names.index(begin) if begin else 0
    for name, how, value in ANSWERS[first:]:
        if name == until:
            return
        if how == "choose":
            await chat.choose(value)
        elif how == "text":
            await chat.text(value)
        else:
            await chat.photo(photos[value])
