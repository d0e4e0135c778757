"""Errors of the access package: programmer misuse only (user mistakes are `Rejected` values)."""


class AccessError(Exception):
    """Root of the access package's errors."""


class AccessDenied(AccessError):
    """Raised when a caller asks for something the officer's role can never do.

    The web checks roles before calling; this is the second line of defence.
    """


class ReportHasErrors(AccessError):
    """Raised when a parsed file with errors is passed to an import that writes rows."""
