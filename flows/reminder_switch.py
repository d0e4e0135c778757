"""«STOP» and «START»: the applicant turns the bot's own messages (reminders) off and on.

The words come from the `bot` catalog (`reminder.stop_words`, `reminder.start_words`) and are
recognised in either language, whatever the chat's language: a Russian speaker in a Kyrgyz
chat may still write «стоп». Only a message that is nothing but the word counts, so that an
answer such as a street name is never taken for it.
"""

from __future__ import annotations

import string

from core.i18n import LANGUAGES
from flows.replies import Reply
from flows.turn import Turn

_TRIM = string.punctuation + "«»!.… "


def _words(turn: Turn, message_id: str) -> set[str]:
    translator = turn.services.translator
    return {
        word.strip().casefold()
        for lang in LANGUAGES
        for word in translator.gettext(lang, message_id).split(",")
        if word.strip()
    }


def reminder_switch(turn: Turn) -> list[Reply] | None:
    """Answer «STOP»/«START» (setting the grant's flag), or None for any other message."""
    event = turn.event
    if event.kind != "text" or turn.grant is None:
        return None
    word = (event.text or "").strip().strip(_TRIM).casefold()
    if not word or len(word) > 12:
        return None
    if word in _words(turn, "reminder.stop_words"):
        if turn.grant.reminders_stopped_at is None:
            turn.grant.reminders_stopped_at = turn.now
        closes = turn.date(turn.campaign.registration_closes)
        return [Reply(turn.t("reminder.stopped", date=closes))]
    if word in _words(turn, "reminder.start_words"):
        turn.grant.reminders_stopped_at = None
        return [Reply(turn.t("reminder.started"))]
    return None
