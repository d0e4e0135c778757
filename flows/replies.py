"""What the flow engine asks a channel to send, independent of the channel's markup."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Option:
    """One button / numbered choice.

    Attributes:
        id: at most 48 ASCII bytes (Telegram's callback_data limit is 64). An answer to a
            question carries the question it belongs to: ``<question>:<value>``
            (`flows.choices.tag`), so a press on an older message is never taken as the
            answer to a later question of the same kind.
        label: the text shown to the user.
        selected: None for a plain choice; True/False for a toggle in a multi-choice.
        finishes: the option that closes a multi-choice ("Done"; WhatsApp numbers it 0).
        fixed: a toggle shown ticked that cannot be unticked (a mandatory test).

    """

    id: str
    label: str
    selected: bool | None = None
    finishes: bool = False
    fixed: bool = False


@dataclass(frozen=True)
class Reply:
    """One message to send.

    Attributes:
        text: plain text, may contain a URL; no markup.
        options: Telegram: inline keyboard; WhatsApp/shell: a numbered list.
        multi: the options are toggles; the Option with `finishes` closes the choice.
        request_contact: Telegram: a reply keyboard with a request_contact button.
        updates_previous: a toggle's redraw: Telegram may edit the last message.
        expects_file: the next answer is a photo / image document.

    """

    text: str
    options: tuple[Option, ...] = ()
    multi: bool = False
    request_contact: bool = False
    updates_previous: bool = False
    expects_file: bool = False


def preceded(text: str | None, replies: list[Reply]) -> list[Reply]:
    """Return `replies` with `text` said first: in the first message when it may carry it.

    One message instead of two where the texts allow (a greeting or a step's introduction and
    the question): each message sent costs a Bot API call. Kept apart from a multi-choice,
    whose toggles redraw the message with the question alone (the text would vanish), and
    from a redraw itself.
    """
    if not text:
        return replies
    if not replies or replies[0].multi or replies[0].updates_previous:
        return [Reply(text), *replies]
    first = replies[0]
    return [replace(first, text=f"{text}\n\n{first.text}"), *replies[1:]]
