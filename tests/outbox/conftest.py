"""The outbox tests run on the reminders' campus: applicants on both channels, the real app."""

from tests.reminders.conftest import (  # noqa: F401 - fixtures, found by pytest by name
    both_channels,
    campaign_2026,
    campus,
    fake_telegram,
    fake_twilio,
    runtime,
    served,
)
