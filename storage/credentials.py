"""Passwords, one-time access codes and the secrets kept encrypted until handed over."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

# No 0/O, 1/I/l: these are read off paper and typed on phones.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
ACCESS_CODE_LENGTH = 8
PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# One argon2 hash costs ~0.2 s of CPU (and releases the GIL). On the event loop a burst of
# logins stalled every webhook; in the default executor it would crowd out photo decoding.
# Two threads of its own: a burst queues here while the loop and the other workers go on.
# They run at a lower CPU priority (Linux sets it per thread, and argon2's lane threads
# inherit it), so that on a busy machine the event loop still gets the CPU when it needs it.
ARGON2_CONCURRENCY = 2
ARGON2_NICENESS = 10


def _lower_priority() -> None:
    try:
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(current + ARGON2_NICENESS, 19))
    except (AttributeError, OSError):  # not Linux, or not allowed: run at the usual priority
        pass


_argon2_threads = ThreadPoolExecutor(
    max_workers=ARGON2_CONCURRENCY, thread_name_prefix="argon2", initializer=_lower_priority
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_in_worker(password: str) -> str:
    """Hash like `hash_password`, in argon2's worker threads (never on the event loop)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_argon2_threads, hash_password, password)


async def verify_password_in_worker(password_hash: str, password: str) -> bool:
    """Verify like `verify_password`, in argon2's worker threads (never on the event loop)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_argon2_threads, verify_password, password_hash, password)


def new_password() -> str:
    """Return a random initial password that is easy to type from a printed sheet."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if re.search(r"\d", candidate) and re.search(r"[a-z]", candidate):
            return candidate


def new_access_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def normalize_access_code(text: str) -> str | None:
    """Return the code in canonical form, or None when the text cannot be a code."""
    cleaned = re.sub(r"[\s\-]", "", text).upper()
    if len(cleaned) != ACCESS_CODE_LENGTH or any(ch not in _CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


class SecretBox:
    """Encrypts secrets at rest and derives keyed hashes from SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("secret_key must not be empty")
        digest = hashlib.sha256(b"ortbot-fernet:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._hmac_key = hashlib.sha256(b"ortbot-hmac:" + secret_key.encode()).digest()

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str | None:
        """Return the plaintext, or None when the key has changed since it was written."""
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            return None

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self._hmac_key, value.encode(), hashlib.sha256).hexdigest()
