"""Re-key what SECRET_KEY protects in the database, so that a new key can replace the old one.

Stored under the key, and re-keyed here in one transaction:

- each grant's access code: its keyed hash (the lookup when an applicant types the code, so
  without re-keying no unused code would work) and its encrypted copy (shown in exports);
- each officer's initial password, encrypted until its owner changes it (shown in exports).

Derived from the key but not stored, so nothing to re-key: the Telegram webhook secret (set
again by `serve` at start), signed photo links (short-lived), CSRF tokens of forms already open,
login-throttle counters and the conversation's fingerprints of rejected answers (transient).
Web sessions and passwords do not depend on the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from storage.credentials import SecretBox
from storage.enums import AuditFlag
from storage.models import AccessGrant, Officer


@dataclass
class RotationReport:
    """How many secrets moved to the new key, were already under it, or could not be read."""

    codes: int = 0
    passwords: int = 0
    already: int = 0
    unreadable: int = 0

    def line(self) -> str:
        """Return the outcome for the operator in one line."""
        return (
            f"re-keyed {self.codes} access code(s) and {self.passwords} initial password(s); "
            f"{self.already} already under the new key; {self.unreadable} unreadable under "
            "either key (left as they were)"
        )


async def rotate_secret(session: AsyncSession, *, old: SecretBox, new: SecretBox) -> RotationReport:
    """Move every stored secret from `old` to `new`; running it again changes nothing.

    Args:
        session: one transaction; every replica must be stopped meanwhile, since an app
            still on the old key cannot find re-keyed access codes.
        old: the box of the SECRET_KEY in use until now.
        new: the box of the SECRET_KEY that replaces it.

    """
    report = RotationReport()
    for grant in await session.scalars(select(AccessGrant).order_by(AccessGrant.id)):
        code = old.decrypt(grant.access_code_encrypted)
        if code is None:
            if new.decrypt(grant.access_code_encrypted) is not None:
                report.already += 1
            else:
                report.unreadable += 1
            continue
        grant.access_code_hash = new.keyed_hash(code)
        grant.access_code_encrypted = new.encrypt(code)
        report.codes += 1
    kept = select(Officer).where(Officer.initial_password_encrypted.is_not(None))
    for officer in await session.scalars(kept.order_by(Officer.id)):
        password = old.decrypt(officer.initial_password_encrypted or b"")
        if password is None:
            if new.decrypt(officer.initial_password_encrypted or b"") is not None:
                report.already += 1
            else:
                report.unreadable += 1
            continue
        officer.initial_password_encrypted = new.encrypt(password)
        report.passwords += 1
    if report.codes or report.passwords:
        await log_action(
            session,
            actor=None,
            action="secret_key.rotate",
            flag=AuditFlag.CHANGE,
            obj_type="secret_key",
            obj_id=None,
            obj_repr="SECRET_KEY",
            changes=[
                {"field": "access_codes_rekeyed", "before": None, "after": report.codes},
                {"field": "initial_passwords_rekeyed", "before": None, "after": report.passwords},
            ],
        )
    return report
