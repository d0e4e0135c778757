"""Errors of the command line."""


class CommandError(Exception):
    """Raised by a command for bad input; its message is printed as the one-line error."""
