r"""Where to go after logging in or switching the language: a page of this site, or home.

``next`` comes from the address or a form, so anyone can write it. Browsers forgive a lot
in a Location header: they drop tabs and line breaks anywhere (``/<TAB>/evil.example/`` becomes
``//evil.example/``, another site), read a backslash as a slash, and a line break cannot even
be sent in a header. So the rule is strict: one leading ``/``, not followed by ``/`` or ``\``,
no backslash and no control character anywhere, before or after percent-decoding.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

HOME = "/"
MAX_LENGTH = 2000
_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def local_path(value: str | None) -> str:
    """Return `value` when it is a path of this site, else the home page."""
    if not value or len(value) > MAX_LENGTH:
        return HOME
    for form in (value, unquote(value)):
        if not form.startswith("/") or form.startswith("//"):
            return HOME
        if _CONTROL_OR_BACKSLASH.search(form):
            return HOME
    return value
