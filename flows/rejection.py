"""A returned entry: what the officer's reasons let the applicant change, and what is still to fix.

The reasons fixed since the rejection are kept in the draft (``answers["fixed_reasons"]``), so
any channel, and /status, tell the same; a resubmission clears them.
"""

from __future__ import annotations

from storage.models import Registration
from storage.repositories.registrations import update_answers

# What an officer's rejection reason lets the applicant change; anything else (e.g. names
# that do not match the documents) is fixed by the officer.
REASON_FIELDS: dict[str, tuple[str, ...]] = {
    "face_photo": ("face_photo",),
    "passport": ("passport", "passport_front", "passport_back"),
    "certificate": ("certificate",),
    "benefits": ("has_benefits", "benefit_categories", "benefit_documents"),
    "other": (),  # filled in by flows.screens: every editable field
}
# Reasons the applicant cannot tick off by changing an answer: the officer's comment says
# what "other" is; names are corrected by the officer who granted access.
NOT_TICKED = ("other", "names")
FIXED_KEY = "fixed_reasons"


def note_fixed(registration: Registration, field_name: str) -> None:
    """Remember that the reasons covering `field_name` were fixed by a saved change."""
    reasons = [
        r
        for r in registration.rejection_reasons or []
        if r not in NOT_TICKED and field_name in REASON_FIELDS.get(r, ())
    ]
    done = list((registration.answers or {}).get(FIXED_KEY) or [])
    added = [r for r in reasons if r not in done]
    if added:
        update_answers(registration, {FIXED_KEY: [*done, *added]})


def still_to_fix(registration: Registration) -> list[str]:
    """Return the reasons of the rejection not yet fixed (the officer's own ones left out)."""
    done = set((registration.answers or {}).get(FIXED_KEY) or [])
    return [
        r for r in registration.rejection_reasons or [] if r not in NOT_TICKED and r not in done
    ]


def forget_fixes(registration: Registration) -> None:
    """Drop the record of fixes (the entry is sent again, or decided)."""
    if FIXED_KEY in (registration.answers or {}):
        update_answers(registration, {}, remove=(FIXED_KEY,))
