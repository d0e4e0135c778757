"""The channel-neutral registration conversation: event in, draft updated, replies out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from core.i18n import LANGUAGES, Translator
from flows import payment, rejection
from flows.answers import take
from flows.choices import small_talk
from flows.events import ChatKey, Event
from flows.form import current_form, next_missing
from flows.form.fields import Field
from flows.form.upload import reopen
from flows.identity import (
    choose_language,
    identify,
    identity_question,
    language_question,
    remember_start_code,
    window_reply,
)
from flows.questions import ask
from flows.reminder_switch import reminder_switch
from flows.replies import Reply
from flows.screens import (
    EDITABLE_STATUSES,
    after_submission,
    continue_greeting,
    edit_menu,
    editable_fields,
    fix_saved,
    help_reply,
    home,
    status_screen,
    student_refusal,
    summary_screen,
    summary_text,
)
from flows.submission import submit
from flows.turn import Services, Turn
from flows.uploads import with_photo_warnings
from storage.credentials import SecretBox
from storage.enums import RegistrationStatus
from storage.filestore import FileStore
from storage.repositories.applicants import grant_by_id
from storage.repositories.chats import get_or_create_chat
from storage.repositories.registrations import get_or_create_registration, update_answers
from storage.state import StateStore

_SCREEN_CHOICES = {"edit", "summary", "menu", "continue", "submit", "pay", "student:change"}
# Small talk that asks for what the command of the same name does (flows.choices.SMALL_TALK).
_TALK_COMMANDS = ("status", "help", "menu")


class RegistrationFlow:
    """Runs the registration conversation for every channel (a `flows.conversation.Conversation`).

    The caller holds the chat: `bot.turns.TurnRunner` locks it, owns the transaction, records
    the delivery and sends the notices the turn queued.
    """

    def __init__(
        self,
        *,
        state: StateStore,
        filestore: FileStore,
        campaign: Campaign,
        translator: Translator,
        secret_box: SecretBox,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._services = Services(state, filestore, campaign, translator, secret_box)
        self._clock = clock or (lambda: datetime.now(UTC))

    async def respond(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Apply one event of one chat within `session` and return the replies, in order.

        The caller holds the chat and owns the transaction (`flows.conversation`): submissions
        queue their notices on `session` for it to send after the commit.
        """
        return await self._handle(key, event, session)

    async def resume(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Return the chat's current question without applying `event` (a redelivery)."""
        chat = await get_or_create_chat(session, key.channel, key.chat_id)
        turn = Turn(key, event, session, self._services, self._clock(), chat)
        if chat.language is None:
            return [language_question(turn)]
        if chat.grant_id is None:
            return [identity_question(turn)]
        grant = await grant_by_id(session, chat.grant_id)
        if grant is None:
            return [identity_question(turn)]
        turn.grant = grant
        turn.registration = await get_or_create_registration(
            session, grant, language=turn.lang, channel=key.channel, chains=False
        )
        return [window] if (window := window_reply(turn)) else await home(turn)

    async def _handle(self, key: ChatKey, event: Event, session: AsyncSession) -> list[Reply]:
        chat = await get_or_create_chat(session, key.channel, key.chat_id)
        turn = Turn(key, event, session, self._services, self._clock(), chat)
        language_chosen = False
        if event.kind == "choice" and (event.choice or "").startswith("lang:"):
            code = (event.choice or "").removeprefix("lang:")
            if code in LANGUAGES:
                choose_language(turn, code)
                language_chosen = True
        if not language_chosen and (chat.language is None or event.command == "language"):
            await remember_start_code(turn)
            return [language_question(turn)]
        was_linked = chat.grant_id is not None
        replies = await identify(turn)
        if replies is not None:
            window = window_reply(turn)
            return [window] if window else replies
        assert turn.grant is not None
        switched = reminder_switch(turn)
        if switched is not None:
            return switched
        if turn.registration is None:
            turn.registration = await get_or_create_registration(
                session, turn.grant, language=turn.lang, channel=key.channel, chains=False
            )
        turn.registration.language = turn.lang
        turn.registration.channel = key.channel  # reminders go to the channel used last
        window = window_reply(turn)
        if window is not None:
            if event.command == "status":
                return await status_screen(turn)
            return [window]
        if not was_linked:
            if turn.answers or turn.registration.status is not RegistrationStatus.DRAFT:
                # The form was begun elsewhere (another channel): it goes on, it does not start.
                return await home(turn, intro=True, prefix=continue_greeting(turn))
            greeting = turn.t("identity.welcome", name=turn.grant.full_name)
            return await home(turn, intro=True, prefix=greeting)
        if language_chosen:
            return await home(turn, intro=True, prefix=turn.t("language.changed"))
        return await self._route(turn)

    async def _route(self, turn: Turn) -> list[Reply]:
        event = turn.event
        if event.kind == "command":
            return await self._command(turn, event.command or "")
        if event.kind == "unsupported":
            message_id = f"unsupported.{event.unsupported}"
            if not self._services.translator.has(turn.lang, message_id):
                message_id = "unsupported.other"
            return await home(turn, prefix=turn.t(message_id))
        talk = small_talk(self._services.translator, event.text or "")
        if event.kind == "text" and talk in _TALK_COMMANDS:
            # "статус", "жардам", "меню" typed: what the commands do, never an answer.
            return await self._command(turn, talk)
        pending = await turn.get_state(payment.STATE)
        if pending:
            return await payment.handle(turn, pending)
        choice = event.choice or "" if event.kind == "choice" else ""
        if choice in _SCREEN_CHOICES or choice.startswith(("edit:", "pay:cancel:")):
            return await self._screen_choice(turn, choice)
        field, editing = await self._current_field(turn)
        if field is None:
            if event.kind == "text" and talk is not None:
                return await home(turn, prefix=turn.t(f"smalltalk.{talk}"))
            refusal = "error.old_button" if event.kind == "choice" else "error.use_buttons"
            return await home(turn, prefix=turn.t(refusal))
        outcome = await take(turn, field, editing=editing)
        if not outcome.accepted:
            return outcome.replies
        replies = await self._after_answer(turn, field, editing)
        return with_photo_warnings(turn, field, outcome.warnings, replies)

    async def _command(self, turn: Turn, command: str) -> list[Reply]:
        if command == "help":
            return [help_reply(turn), *await home(turn)]
        if command == "status":
            return await status_screen(turn)
        await turn.clear_state("edit", payment.STATE)
        if command == "start":
            return await home(turn, intro=True, prefix=turn.t("identity.welcome_back"))
        if command == "edit":
            if not editable_fields(turn):
                return await home(turn, prefix=turn.t("edit.not_allowed"))
            return [Reply(summary_text(turn)), *edit_menu(turn)]
        if command == "cancel":
            return await home(turn, prefix=turn.t("cancelled"))
        if command == "menu":
            return await home(turn)
        return await home(turn, prefix=turn.t("error.unknown_command"))

    async def _current_field(self, turn: Turn) -> tuple[Field | None, bool]:
        """Return the field being edited, else the first missing one (None: nothing to ask)."""
        answers = turn.answers
        editing = await turn.get_state("edit")
        form = current_form()
        if editing in form and form[editing] in editable_fields(turn):
            return form[editing], True
        if form.refusal(answers) is not None:
            return None, False
        if turn.registration.status not in EDITABLE_STATUSES:
            return None, False
        return next_missing(answers), False

    async def _screen_choice(self, turn: Turn, choice: str) -> list[Reply]:
        registration = turn.registration
        assert registration is not None
        refusal = current_form().refusal(turn.answers)
        if choice == "student:change" and refusal is not None:
            update_answers(registration, {}, remove=(refusal.name,))
            return await home(turn)
        if choice == "edit":
            return edit_menu(turn)
        if choice.startswith("edit:"):
            return await self._start_edit(turn, choice.removeprefix("edit:"))
        if choice == "submit":
            return await self._submit(turn)
        if choice == "pay":
            return await payment.start(turn)
        if choice.startswith("pay:cancel:"):
            return await payment.cancel(turn, choice.removeprefix("pay:cancel:"))
        await turn.clear_state("edit")
        if choice == "summary" and next_missing(turn.answers) is None:
            return summary_screen(turn)
        return await home(turn)

    async def _start_edit(self, turn: Turn, name: str) -> list[Reply]:
        allowed = {f.name: f for f in editable_fields(turn)}
        field = allowed.get(name)
        if field is None:
            return await home(turn, prefix=turn.t("edit.not_allowed"))
        if field.per_choice is not None:
            # Sending the documents again: the old ones are set aside, each chosen option is
            # asked for anew.
            await reopen(turn.session, turn.registration, field, turn.now)
            return await ask(turn, field)
        await turn.set_state("edit", name)
        return await ask(turn, field, editing=True)

    async def _after_answer(self, turn: Turn, field: Field, editing: bool) -> list[Reply]:
        await turn.clear_state("edit")
        if turn.registration.status is RegistrationStatus.REJECTED:
            rejection.note_fixed(turn.registration, field.name)
        if current_form().refusal(turn.answers) is not None:
            return student_refusal(turn)
        following = next_missing(turn.answers)
        if following is not None:
            return await ask(turn, following, intro=following.step != field.step)
        if turn.registration.status is RegistrationStatus.DRAFT:
            prefix = turn.t("edit.saved" if editing else "form.complete")
            return summary_screen(turn, prefix)
        if turn.registration.status is RegistrationStatus.REJECTED:
            # A returned entry: what is still to fix, and the way back to "Submit again".
            return fix_saved(turn)
        return summary_screen(turn, turn.t("edit.saved_submitted"))

    async def _submit(self, turn: Turn) -> list[Reply]:
        registration = turn.registration
        assert registration is not None
        answers = turn.answers
        if next_missing(answers) is not None or current_form().refusal(answers) is not None:
            return await home(turn, prefix=turn.t("submit.incomplete"))
        if registration.status in (RegistrationStatus.DRAFT, RegistrationStatus.REJECTED):
            again = registration.status is RegistrationStatus.REJECTED
            await submit(turn.session, registration, now=turn.now, officer=None)
            return await after_submission(turn, "submit.again" if again else "submit.done")
        return await after_submission(turn, "submit.already")
