"""Cross-site request forgery protection for every POST of the web.

A logged-in officer's forms carry the session's own token (kept server-side in
`web_sessions`). Before login there is no session, so the login and language forms use a
signed double-submit: a random cookie, and in the form its keyed hash, which a page of another
site can neither read nor compute.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from storage.credentials import SecretBox

PRE_SESSION_COOKIE = "ortweb_csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def new_pre_session_secret() -> str:
    return secrets.token_urlsafe(32)


def pre_session_token(secret_box: SecretBox, cookie_value: str) -> str:
    """Return the value the form must send back for this pre-session cookie."""
    return secret_box.keyed_hash(f"csrf:{cookie_value}")


def tokens_match(expected: str | None, sent: str | None) -> bool:
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


async def sent_token(request: web.Request) -> str | None:
    """Return the token a POST carries, in its form (urlencoded or multipart) or header."""
    header = request.headers.get(HEADER)
    if header:
        return header
    form = await request.post()  # cached by aiohttp: the view reads the same form again
    value = form.get(FORM_FIELD)
    return value if isinstance(value, str) else None
