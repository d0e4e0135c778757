"""Matching a typed city or district with the names of the codifier.

Names are compared by their distinctive part: case, «ё», Kyrgyz letters (ү ө ң read as у о н,
as they are often typed on a Russian keyboard) and the generic words (район, шаары, город…)
do not count. "Сокулук" is the same place as "Сокулук району"; "Сокулукский район" and
"Сакулук" are close to it (a Russian ending, one letter off) and are offered to pick from.
"""

from __future__ import annotations

import re

_GENERIC = {
    "район", "району", "районы", "р-н", "р-он", "шаары", "шаар", "шаарынын", "город", "г",
    "облусу", "область", "обл", "ш", "айылы", "айыл", "село", "с", "поселок", "кыштагы",
}  # fmt: skip
_LETTERS = str.maketrans({"ү": "у", "ө": "о", "ң": "н", "ё": "е", "-": " "})
_ENDINGS = ("ский", "ская", "ское", "ском", "ского", "ск")
MIN_STEM = 3  # shorter stems (Ош) match only exactly


def stem(name: str) -> str:
    """Return the distinctive part of a place name, folded."""
    words = re.sub(r"[^\w\s-]", " ", name.casefold()).split()
    kept = [w for w in words if w not in _GENERIC] or words
    return " ".join(" ".join(kept).translate(_LETTERS).split())


def exact(typed: str, known: list[str]) -> str | None:
    """Return the one known name that is the typed place, or None."""
    wanted = stem(typed)
    found = [name for name in known if stem(name) == wanted]
    return found[0] if len(found) == 1 else None


def close(typed: str, known: list[str]) -> list[str]:
    """Return the known names close to the typed place, closest first."""
    wanted = stem(typed)
    if len(wanted) < MIN_STEM:
        return []
    scored: list[tuple[int, str]] = []
    for name in known:
        distance = _distance(wanted, stem(name))
        if distance is not None:
            scored.append((distance, name))
    return [name for _, name in sorted(scored)]


def _distance(typed: str, known: str) -> int | None:
    """How far apart two stems are, or None when they are different places."""
    if len(known) < MIN_STEM:
        return 0 if typed == known else None
    if typed == known:
        return 0
    bare = typed
    for ending in _ENDINGS:
        if bare.endswith(ending) and len(bare) - len(ending) >= MIN_STEM:
            bare = bare.removesuffix(ending)
            break
    if bare == known or known.startswith(typed) or (typed.startswith(known) and bare != typed):
        return 1
    allowed = 1 if len(known) < 6 else 2
    edits = _levenshtein(bare, known)
    return edits if edits <= allowed else None


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]
