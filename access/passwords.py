"""Officers' own passwords: login, the first-login change, the initial password's copy.

Rejected message ids: ``access.password.*`` (access catalog).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_officer_action
from core.people import validate_phone
from core.validation import Accepted, Rejected
from storage.credentials import (
    SecretBox,
    hash_password,
    hash_password_in_worker,
    verify_password_in_worker,
)
from storage.models import Officer

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# Verified when the phone is unknown, so a failed login costs the same time either way.
_DUMMY_HASH = hash_password("not-a-real-password-0")


def check_new_password(current: str, new: str, repeat: str) -> Rejected | None:
    """Return why `new` cannot be the password, or None when it can."""
    if len(new) < PASSWORD_MIN_LENGTH:
        return Rejected("access.password.too_short", {"min": PASSWORD_MIN_LENGTH})
    if len(new) > PASSWORD_MAX_LENGTH:
        return Rejected("access.password.too_long", {"max": PASSWORD_MAX_LENGTH})
    if not (re.search(r"[^\W\d_]", new) and re.search(r"\d", new)):
        return Rejected("access.password.letters_digits")
    if new == current:
        return Rejected("access.password.same")
    if new != repeat:
        return Rejected("access.password.mismatch")
    return None


async def change_own_password(
    session: AsyncSession, *, officer: Officer, current: str, new: str, repeat: str
) -> Accepted[Officer] | Rejected:
    """Replace the officer's password ("Паролду өзгөртүү"); the initial one is forgotten."""
    if not await verify_password_in_worker(officer.password_hash, current):
        return Rejected("access.password.wrong_current")
    problem = check_new_password(current, new, repeat)
    if problem is not None:
        return problem
    officer.password_hash = await hash_password_in_worker(new)
    officer.initial_password_encrypted = None
    officer.must_change_password = False
    officer.password_changed_at = datetime.now(UTC)
    await log_officer_action(
        session, actor=officer, officer=officer, action="officer.change_password"
    )
    return Accepted(officer)


async def authenticate(session: AsyncSession, *, phone_text: str, password: str) -> Officer | None:
    """Return the active officer with this phone and password, else None.

    Holds `session` open while argon2 runs; the web's login uses `find_login` and
    `password_matches` instead, so that no database connection waits for a worker thread.
    """
    officer = await find_login(session, phone_text=phone_text)
    return officer if await password_matches(officer, password) else None


async def find_login(session: AsyncSession, *, phone_text: str) -> Officer | None:
    """Return the officer whose login is this phone (active or not), else None."""
    checked = validate_phone(phone_text)
    if not isinstance(checked, Accepted):
        return None
    return await session.scalar(select(Officer).where(Officer.phone == checked.value))


async def password_matches(officer: Officer | None, password: str) -> bool:
    """Whether `officer` is active and `password` is theirs.

    An unknown phone (`officer` None) still costs one argon2 verification, so timing does not
    reveal which phones have accounts. The verification runs in argon2's worker threads, a few
    at a time, so a login flood does not stall the event loop. Throttling is the web's job.
    """
    if officer is None:
        await verify_password_in_worker(_DUMMY_HASH, password)
        return False
    if not await verify_password_in_worker(officer.password_hash, password):
        return False
    return officer.is_active


def initial_password(officer: Officer, secret_box: SecretBox) -> str | None:
    """Return the initial password while the owner has not changed it, else None."""
    if officer.initial_password_encrypted is None:
        return None
    return secret_box.decrypt(officer.initial_password_encrypted)
