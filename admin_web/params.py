"""Numbers a request carries (row ids in the path or a form, page numbers), parsed here only.

An id or a page number is written in ASCII digits and lies in 1..`MAX_ROW_ID`, the range of
the database's INTEGER keys. `int()` alone is not enough: it accepts other scripts' digits,
signs, spaces and underscores, and a 25-digit number reaches the database, which fails on it.
A bad number in the address answers 404 (no such page); in a posted form, 400.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from storage.base import MAX_ROW_ID

_MAX_DIGITS = len(str(MAX_ROW_ID))


def parse_id(text: object) -> int | None:
    """Return `text` as an id in 1..`MAX_ROW_ID`, or None when it is anything else."""
    if not isinstance(text, str) or not 0 < len(text) <= _MAX_DIGITS:
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ROW_ID else None


def path_id(request: web.Request, name: str) -> int:
    """Return the id in the path segment `name`.

    Raises:
        web.HTTPNotFound: when the segment is not a valid id.

    """
    number = parse_id(request.match_info.get(name))
    if number is None:
        raise web.HTTPNotFound()
    return number


def query_id(request: web.Request, name: str) -> int | None:
    """Return the id in the query parameter `name`, None when it is absent or empty.

    Raises:
        web.HTTPNotFound: when the parameter is present but not a valid id.

    """
    value = request.query.get(name, "")
    if value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise web.HTTPNotFound()
    return number


def page_number(request: web.Request, name: str = "page") -> int:
    """Return the page number in the query parameter `name`; 1 when it is absent or empty.

    Raises:
        web.HTTPNotFound: when the parameter is present but not a valid page number.

    """
    return query_id(request, name) or 1


def form_id(value: object) -> int | None:
    """Return the id a form field carries, None when the field is empty or absent.

    Raises:
        web.HTTPBadRequest: when the field holds anything but a valid id.

    """
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise web.HTTPBadRequest()
    return number


def form_ids(values: Iterable[object]) -> list[int]:
    """Return the ids of a repeated form field (ticked boxes), in order, without repeats.

    Raises:
        web.HTTPBadRequest: when one of them is not a valid id.

    """
    ids: dict[int, None] = {}
    for value in values:
        number = form_id(value)
        if number is None:
            raise web.HTTPBadRequest()
        ids[number] = None
    return list(ids)
