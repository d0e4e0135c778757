"""Errors of the Telegram channel (never shown to users; they get a localized reply)."""


class TelegramChannelError(Exception):
    """Root of the channel's own errors."""


class FileRefused(TelegramChannelError):
    """Raised when a file a user sent cannot be taken; `message_id` names the reply."""

    message_id = "file.unavailable"


class FileTooLarge(FileRefused):
    """Raised when a file is over the download limit (the Bot API serves at most 20 MB)."""

    message_id = "file.too_large"


class FileUnavailable(FileRefused):
    """Raised when Telegram does not hand out a file (expired, deleted, no path)."""

    message_id = "file.unavailable"
