"""Errors of the access package: programmer misuse only (user mistakes are `Rejected` values)."""


class AccessError(Exception):
    """Root of the access package's errors."""


class AccessDenied(AccessError):
    """Raised when a caller asks for something the officer's role can never do.

    The web checks roles before calling; this is the second line of defence.
    """


class ReportHasErrors(AccessError):
    """Raised when a parsed file with errors is passed to an import that writes rows."""


class OutOfScope(AccessError):
    """Raised when a row asked for by id does not exist or lies outside the officer's scope.

    The two cases are one error on purpose: telling them apart would reveal which ids exist
    in other districts. The web answers it with 404, the officers' chat with "not found".
    """
