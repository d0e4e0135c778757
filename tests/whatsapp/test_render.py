"""Numbered answers and message splitting, without the network."""

from __future__ import annotations

import pytest

from bot.whatsapp.numbering import Numbered
from bot.whatsapp.render import split_message
from flows.replies import Option, Reply

SINGLE = Numbered.of(Reply("?", (Option("yes", "Ооба"), Option("no", "Жок"))))
MULTI = Numbered.of(
    Reply(
        "?",
        (
            Option("a", "Физика", False),
            Option("b", "Химия", True),
            Option("done", "Даяр", finishes=True),
        ),
        multi=True,
    )
)


@pytest.mark.parametrize(
    ("numbered", "text", "picked"),
    [
        (SINGLE, "2", ["no"]),
        (SINGLE, " 1. ", ["yes"]),
        (SINGLE, "жок", ["no"]),
        (SINGLE, "1, 2", None),  # one answer expected
        (SINGLE, "3", None),  # not in the list: the flow gets the text
        (SINGLE, "0555 123 456", None),  # a phone number stays text
        (SINGLE, "05.09.2007", None),
        (MULTI, "1, 2", ["a", "b"]),
        (MULTI, "2 1 0", ["b", "a", "done"]),
        (MULTI, "0, 1", ["a", "done"]),  # done after the toggles written with it
        (MULTI, "даяр", ["done"]),
        (MULTI, "1, 9", None),
    ],
)
def test_numbered_answers(numbered, text, picked):
    assert numbered.resolve(text) == picked


def test_numbered_lists_survive_the_state_store():
    assert Numbered.from_json(MULTI.to_json()) == MULTI


def test_a_word_longer_than_a_message_is_cut():
    parts = split_message("ы" * 3500, limit=1600)
    assert [len(p) for p in parts] == [1600, 1600, 300]


def test_short_texts_are_one_message():
    assert split_message("Салам") == ["Салам"]
