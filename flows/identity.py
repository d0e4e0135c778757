"""Before the form: the language, who the applicant is, and whether registration is open."""

from __future__ import annotations

from core.i18n import LANGUAGES
from core.people import format_phone, validate_phone
from core.validation import Accepted
from flows.replies import Option, Reply
from flows.turn import Turn
from storage.credentials import normalize_access_code
from storage.models import AccessGrant
from storage.repositories import applicants
from storage.repositories.registrations import get_or_create_registration

# Wrong access codes allowed per chat per hour: codes are 8 characters from 32, but a bot
# must not be a free oracle for guessing them.
MAX_CODE_ATTEMPTS = 10
CODE_ATTEMPTS_WINDOW = 3600.0


def language_question(turn: Turn) -> Reply:
    options = tuple(
        Option(f"lang:{code}", turn.services.translator.gettext(code, "language.name"))
        for code in LANGUAGES
    )
    return Reply(turn.services.translator.gettext("ky", "ask.language.both"), options)


def choose_language(turn: Turn, code: str) -> None:
    turn.chat.language = code
    if turn.registration is not None:
        turn.registration.language = code


def identity_question(turn: Turn) -> Reply:
    return Reply(turn.t("ask.identity"), request_contact=True)


def no_grant_reply(turn: Turn, phone: str) -> Reply:
    return Reply(
        turn.t(
            "identity.no_grant", phone=format_phone(phone), campaign=turn.campaign.name(turn.lang)
        ),
        request_contact=False,
    )


async def remember_start_code(turn: Turn) -> None:
    """Keep a /start payload (the Excel's link carries the access code) until it is used."""
    payload = (turn.event.text or "").strip() if turn.event.command == "start" else ""
    if payload and normalize_access_code(payload):
        await turn.set_state("code", payload)


async def identify(turn: Turn) -> list[Reply] | None:
    """Link the chat to this campaign's grant; return replies when that is not possible yet.

    Returns None when the chat is linked (the caller goes on with the form).
    """
    event = turn.event
    grant_id = turn.chat.grant_id
    if grant_id is not None:
        grant = await applicants.grant_by_id(turn.session, grant_id)
        if grant and grant.campaign_year == turn.campaign.year and grant.revoked_at is None:
            turn.grant = grant
            return None
        turn.chat.grant_id = None
    phone = event.verified_phone or (event.phone if event.kind == "contact" else None)
    if phone:
        checked = validate_phone(phone)
        if isinstance(checked, Accepted):
            grant = await applicants.grant_by_phone(
                turn.session, turn.campaign.year, checked.value, chains=False
            )
            if grant is not None:
                turn.chat.phone = checked.value
                return await _link(turn, grant)
            if event.kind == "contact" or event.verified_phone:
                code_replies = await _try_code(turn)
                if code_replies is None:
                    return None
                return [no_grant_reply(turn, checked.value)]
    if event.kind == "unsupported" and event.unsupported == "contact_other":
        # Someone else's contact proves nothing: say why, and how to share one's own.
        return [Reply(turn.t("identity.contact_not_own")), identity_question(turn)]
    replies = await _try_code(turn)
    if replies is None:
        return None
    if event.kind == "contact" and not phone:
        return [Reply(turn.t("identity.contact_not_own")), identity_question(turn)]
    return replies


async def _try_code(turn: Turn) -> list[Reply] | None:
    """Try the typed text, or a remembered /start payload, as the one-time access code."""
    typed = turn.event.text if turn.event.kind == "text" else None
    from_start = await turn.get_state("code")
    candidate = typed or from_start
    if not candidate:
        return [identity_question(turn)]
    code = normalize_access_code(candidate)
    if code is None:
        return [Reply(turn.t("identity.not_a_code")), identity_question(turn)]
    attempts_key = f"codes:{turn.key.channel}:{turn.key.chat_id}"
    if await turn.services.state.incr(attempts_key, ttl=CODE_ATTEMPTS_WINDOW) > MAX_CODE_ATTEMPTS:
        return [Reply(turn.t("identity.too_many_codes"))]
    await turn.clear_state("code")
    code_hash = turn.services.secret_box.keyed_hash(code)
    grant = await applicants.grant_by_code_hash(turn.session, turn.campaign.year, code_hash)
    if grant is None:
        return [Reply(turn.t("identity.code_unknown")), identity_question(turn)]
    if grant.access_code_used_at is not None:
        return [Reply(turn.t("identity.code_used")), identity_question(turn)]
    applicants.mark_code_used(grant, turn.now)
    return await _link(turn, grant)


async def _link(turn: Turn, grant: AccessGrant) -> None:
    turn.chat.grant_id = grant.id
    turn.grant = grant
    turn.registration = await get_or_create_registration(
        turn.session, grant, language=turn.lang, channel=turn.key.channel, chains=False
    )
    await turn.clear_state("code")
    return None


def window_reply(turn: Turn) -> Reply | None:
    """Return the reply for a closed or not yet open registration window, else None."""
    state = turn.campaign.window_state(turn.now)
    if state not in ("not_open", "closed"):
        return None  # the usual case: no dates to format (Babel's formatting is not free)
    params = {
        "campaign": turn.campaign.name(turn.lang),
        "opens": turn.date(turn.campaign.registration_opens),
        "closes": turn.date(turn.campaign.registration_closes),
    }
    if state == "not_open":
        return Reply(turn.t("window.not_open", **params))
    if state == "closed":
        return Reply(turn.t("window.closed", **params))
    return None
