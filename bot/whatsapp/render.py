"""A flow `Reply` as WhatsApp text: numbered options, tick marks, and a length limit."""

from __future__ import annotations

from bot.whatsapp.numbering import Numbered
from flows.replies import Reply

MAX_CHARS = 1600  # Twilio's limit for a WhatsApp body, counted in UTF-16 code units here
TICKED, UNTICKED = "✅", "⬜"


def render(reply: Reply, numbered: Numbered | None, hint: str) -> str:
    """Return the message text of `reply`, its options numbered as in `numbered`."""
    if numbered is None:
        return reply.text
    selected = {o.id: o.selected for o in reply.options}
    lines = [reply.text, ""]
    for number, (option, label) in enumerate(zip(numbered.ids, numbered.labels, strict=True), 1):
        mark = selected.get(option)
        if numbered.multi and mark is not None:
            label = f"{TICKED if mark else UNTICKED} {label}"
        lines.append(f"{number}. {label}")
    if numbered.zero is not None:
        lines.append(f"0. {numbered.zero_label}")
    lines += ["", hint]
    return "\n".join(lines)


def toggle_example(reply: Reply, numbered: Numbered) -> str:
    """Return numbers to show in the multi-choice hint: two options that can really be ticked."""
    toggles = {o.id for o in reply.options if o.selected is not None and not o.fixed}
    numbers = [str(n) for n, oid in enumerate(numbered.ids, 1) if oid in toggles]
    return ", ".join(numbers[:2]) or "1"


def split_message(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split `text` into parts within `limit`, at paragraph, then line, then word boundaries."""
    if _size(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = piece if not current else f"{current}{piece}"
        if _size(candidate.rstrip()) <= limit:
            current = candidate
            continue
        if current.strip():
            parts.append(current.rstrip())
        current = piece
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _pieces(text: str, limit: int, separators: tuple[str, ...] = ("\n\n", "\n", " ")) -> list[str]:
    """Cut `text` into chunks within `limit`, each keeping the separator that follows it."""
    if _size(text) <= limit:
        return [text]
    if not separators:  # a single "word" longer than a message: cut it by size
        out, current = [], ""
        for char in text:
            if _size(current + char) > limit:
                out.append(current)
                current = ""
            current += char
        return [*out, current]
    separator, finer = separators[0], separators[1:]
    chunks = text.split(separator)
    out = []
    for index, chunk in enumerate(chunks):
        tail = separator if index < len(chunks) - 1 else ""
        if _size(chunk + tail) <= limit:
            out.append(chunk + tail)
        else:
            out.extend(_pieces(chunk, limit, finer))
            out.append(tail)
    return out


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
