"""What an entry costs: the campaign's mandatory tests plus each test the applicant chose."""

from __future__ import annotations

from typing import Any

from config.campaign import Campaign
from flows.form import current_form


def chosen_tests(answers: dict[str, Any], campaign: Campaign) -> list[str]:
    """Return the chosen tests the fee is paid for, in the order chosen.

    A test the campaign no longer offers (its configuration changed after the answer) is
    neither listed nor charged.
    """
    return [c for c in current_form().priced(answers) if c in campaign.subjects_by_code]


def entry_fee(answers: dict[str, Any], campaign: Campaign) -> int:
    """Return the fee for the mandatory tests and each chosen test."""
    return campaign.fee_for(chosen_tests(answers, campaign))
