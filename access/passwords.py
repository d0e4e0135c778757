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
from storage.credentials import SecretBox, hash_password, verify_password
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
    if not verify_password(officer.password_hash, current):
        return Rejected("access.password.wrong_current")
    problem = check_new_password(current, new, repeat)
    if problem is not None:
        return problem
    officer.password_hash = hash_password(new)
    officer.initial_password_encrypted = None
    officer.must_change_password = False
    officer.password_changed_at = datetime.now(UTC)
    await log_officer_action(
        session, actor=officer, officer=officer, action="officer.change_password"
    )
    return Accepted(officer)


async def authenticate(session: AsyncSession, *, phone_text: str, password: str) -> Officer | None:
    """Return the active officer with this phone and password, else None.

    An unknown phone still costs one argon2 verification, so timing does not reveal which
    phones have accounts. Login throttling is the web's job.
    """
    checked = validate_phone(phone_text)
    officer = None
    if isinstance(checked, Accepted):
        officer = await session.scalar(select(Officer).where(Officer.phone == checked.value))
    if officer is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(officer.password_hash, password) or not officer.is_active:
        return None
    return officer


def initial_password(officer: Officer, secret_box: SecretBox) -> str | None:
    """Return the initial password while the owner has not changed it, else None."""
    if officer.initial_password_encrypted is None:
        return None
    return secret_box.decrypt(officer.initial_password_encrypted)
