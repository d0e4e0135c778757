"""Errors of the WhatsApp channel; user mistakes are replies, not exceptions."""


class WhatsAppError(Exception):
    """Root of the WhatsApp channel's errors."""


class MediaRefused(WhatsAppError):
    """Raised when an inbound media item cannot be fetched (too large, gone, not Twilio's)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "too_large" | "unavailable"
