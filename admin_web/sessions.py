"""Server-side sessions in the `web_sessions` table.

The cookie holds a random token; the table keeps only its SHA-256, so a copy of the database
does not log anyone in. A new token is issued at every login (no session fixation), the row is
deleted at logout, and a session lasts at most twelve hours from login.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, select

from config.settings import Settings
from storage.database import Database
from storage.models.officers import Officer, WebSession

SESSION_COOKIE = "ortweb_session"
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class ActiveSession:
    """A valid session of an active officer (the officer is detached from any DB session)."""

    token_hash: str
    csrf_token: str
    officer: Officer


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now_utc() -> datetime:
    return datetime.now(UTC)


async def open_session(database: Database, officer_id: int) -> str:
    """Create a session for `officer_id` and return the cookie token (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    async with database.session() as session:
        # Expired rows of anyone are useless; dropping them here keeps the table small.
        await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        session.add(
            WebSession(
                token_hash=hash_token(token),
                officer_id=officer_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return token


async def load_session(database: Database, token: str | None) -> ActiveSession | None:
    """Return the live session of `token`, or None when unknown, expired or deactivated."""
    if not token or len(token) > 128:
        return None
    async with database.session() as session:
        row = (
            await session.execute(
                select(WebSession, Officer)
                .join(Officer, Officer.id == WebSession.officer_id)
                .where(
                    WebSession.token_hash == hash_token(token),
                    WebSession.expires_at > now_utc(),
                    Officer.is_active.is_(True),
                )
            )
        ).first()
    if row is None:
        return None
    web_session, officer = row
    return ActiveSession(web_session.token_hash, web_session.csrf_token, officer)


async def close_session(database: Database, token_hash: str) -> None:
    async with database.session() as session:
        await session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


async def close_officer_sessions(database: Database, officer_id: int) -> None:
    """Log the officer out everywhere (after someone else reset their password)."""
    async with database.session() as session:
        await session.execute(delete(WebSession).where(WebSession.officer_id == officer_id))


def set_cookie(
    response: web.StreamResponse,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    httponly: bool = True,
) -> None:
    """Set a cookie with the flags every cookie of the web carries."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=httponly,
        samesite="Lax",
        secure=settings.uses_https,
    )


def set_session_cookie(response: web.StreamResponse, settings: Settings, token: str) -> None:
    set_cookie(
        response, settings, SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds())
    )


def clear_session_cookie(response: web.StreamResponse, settings: Settings) -> None:
    response.del_cookie(SESSION_COOKIE, path="/", secure=settings.uses_https, samesite="Lax")
