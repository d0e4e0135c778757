"""Typed cities and districts matched with the codifier's names (flows.places)."""

from __future__ import annotations

import pytest

from flows import places

KNOWN = ["Аламүдүн району", "Бишкек шаары", "Ленин району", "Ош шаары", "Сокулук району"]


@pytest.mark.parametrize(
    ("typed", "exact"),
    [
        ("Сокулук", "Сокулук району"),
        ("сокулук району", "Сокулук району"),
        ("г. Ош", "Ош шаары"),
        ("Бишкек ш.", "Бишкек шаары"),
        ("Аламудун", "Аламүдүн району"),  # typed on a Russian keyboard
    ],
)
def test_the_same_place_however_written(typed, exact):
    assert places.exact(typed, KNOWN) == exact


@pytest.mark.parametrize(
    ("typed", "close"),
    [
        ("Сокулукский район", ["Сокулук району"]),
        ("Сакулук", ["Сокулук району"]),
        ("Ленинский р-н", ["Ленин району"]),
    ],
)
def test_close_names_are_offered(typed, close):
    assert places.exact(typed, KNOWN) is None
    assert places.close(typed, KNOWN) == close


@pytest.mark.parametrize("typed", ["Кара-Балта", "Салам", "Ош-Ата", "Ак"])
def test_other_places_match_nothing(typed):
    assert places.exact(typed, KNOWN) is None and places.close(typed, KNOWN) == []
