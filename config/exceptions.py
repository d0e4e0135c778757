"""Errors raised while reading configuration."""


class ConfigError(Exception):
    """Raised when settings or a campaign file cannot be used; the message is for an operator."""
