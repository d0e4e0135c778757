"""The official Twilio REST client on aiohttp, pointed at TWILIO_API_URL when it is set."""

from __future__ import annotations

from contextvars import ContextVar

from aiohttp import ClientSession, encode_basic_auth
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

TWILIO_API_BASE = "https://api.twilio.com"
DEFAULT_TIMEOUT = 15.0  # seconds; twilio passes no timeout of its own, aiohttp's default is none
# The Retry-After of the last answer in this task: twilio's exception does not carry headers,
# and a context variable set by the awaited request is visible to its caller, task by task.
_RETRY_AFTER: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)


def retry_after_hint() -> float | None:
    """Return the seconds Twilio's last answer in this task asked to wait, if it said so."""
    return _RETRY_AFTER.get()


class RebasedHttpClient(AsyncTwilioHttpClient):
    """Twilio's async HTTP client that can talk to another base URL, with a default timeout.

    Every generated resource of the twilio package hard-codes ``https://api.twilio.com``; the
    documented way to reach another host is a custom HTTP client, so URLs are rewritten here.
    Media URLs from webhooks go through `rebase` as well, which keeps tests on loopback.
    """

    def __init__(self, *, base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        # No session yet: aiohttp wants one created inside the running event loop.
        super().__init__(pool_connections=False, timeout=timeout)
        self.base_url = (base_url or TWILIO_API_BASE).rstrip("/")

    def rebase(self, url: str) -> str:
        """Return `url` with the official API base replaced by the configured one."""
        if url.startswith(TWILIO_API_BASE + "/"):
            return self.base_url + url[len(TWILIO_API_BASE) :]
        return url

    def is_api_url(self, url: str) -> bool:
        """Tell whether `url` belongs to the Twilio API (so it may receive our credentials)."""
        return url.startswith((TWILIO_API_BASE + "/", self.base_url + "/"))

    @property
    def client_session(self) -> ClientSession:
        """The shared aiohttp session, created on first use."""
        if self.session is None:
            self.session = ClientSession()
        return self.session  # type: ignore[return-value]

    async def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - twilio's HttpClient signature
        allow_redirects: bool = False,
    ) -> Response:
        _ = self.client_session
        if auth is not None:
            # twilio builds aiohttp.BasicAuth, deprecated in aiohttp 3.14: send the header.
            headers = {**(headers or {}), "Authorization": encode_basic_auth(*auth)}
        response = await super().request(
            method,
            self.rebase(url),
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout or self.timeout,
            allow_redirects=allow_redirects,
        )
        _RETRY_AFTER.set(_seconds((response.headers or {}).get("Retry-After")))
        return response


def _seconds(value: str | None) -> float | None:
    """Read a Retry-After given in seconds (the HTTP-date form is not used by Twilio)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def build_client(
    *, account_sid: str, auth_token: str, api_url: str | None = None
) -> tuple[Client, RebasedHttpClient]:
    """Return a Twilio client using the async HTTP client (close the latter at shutdown)."""
    http = RebasedHttpClient(base_url=api_url)
    client = Client(account_sid, auth_token, http_client=http)
    return client, http
