"""Dates as people read them: one way per language, for the chat, the web and the reminders."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date


def local_date(value: date | str, lang: str) -> str:
    """Write a date (or an ISO date string) the way people of `lang` write it.

    Kyrgyz: 05.09.2007, because CLDR's Kyrgyz long form ("2007-ж., 5-сен.") is not how people
    write a date. Russian: "5 сентября 2007", without the "г." of the long form, which reads
    badly before a full stop.
    """
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if lang == "ky":
        return value.strftime("%d.%m.%Y")
    return format_date(value, "d MMMM y", locale=lang)


def editable_date(value: date | str) -> str:
    """Write a date the way the form's date question accepts it typed (05.09.2007)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")
