"""The process's metrics and the one-line hooks the channel edges call.

Label values are closed sets (channels, outcomes, provider error codes, route patterns), never
a chat, a phone or a raw path, so the number of series stays small and nothing private is in
them. With PROMETHEUS_MULTIPROC_DIR set, every process writes its values to files there and a
scrape of any process sums them all (replicas on one host sharing the directory).
"""

from __future__ import annotations

import logging
import os
import socket
import time

from prometheus_client import Counter, Histogram, values

log = logging.getLogger("bot.turns")

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Files are named by process id; containers sharing the directory each run as pid 1, so
    # the host name goes with it. It must be set before the first metric is created.
    _HOST = socket.gethostname().replace("_", "-")
    values.ValueClass = values.MultiProcessValue(lambda: f"{_HOST}-{os.getpid()}")

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

INBOUND = Counter(
    "ortbot_inbound_updates",
    "Updates and messages received, by channel and what became of them.",
    ["channel", "outcome"],
)
TURN_SECONDS = Histogram(
    "ortbot_turn_seconds",
    "From an update entering the process's handling to its replies sent.",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
SENDS = Counter(
    "ortbot_sends",
    "Messages handed to a provider, by result: ok/accepted, or the provider's error code.",
    ["channel", "result"],
)
DELIVERY_STATUS = Counter(
    "ortbot_delivery_status",
    "Delivery status callbacks received (WhatsApp), with the provider's error code.",
    ["channel", "status", "error_code"],
)
WEB_REQUESTS = Counter(
    "ortbot_web_requests",
    "HTTP requests by route pattern, method and status.",
    ["route", "method", "status"],
)
WEB_SECONDS = Histogram(
    "ortbot_web_request_seconds",
    "Time to answer an HTTP request, by route pattern.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)


def inbound(channel: str, outcome: str) -> None:
    """Count an update that did not become a turn (a duplicate, a refused or broken request)."""
    INBOUND.labels(channel, outcome).inc()


def turn_finished(channel: str, outcome: str, started: float, *, turn_id: str | None) -> None:
    """Count a turn, time it from `started` (a `time.perf_counter()` reading) and log it.

    Args:
        channel: "telegram" or "whatsapp".
        outcome: "handled", or "failed" when the user got the apology instead.
        started: when the update arrived.
        turn_id: the provider's id of the update (never a chat id or a phone).

    """
    seconds = time.perf_counter() - started
    INBOUND.labels(channel, outcome).inc()
    TURN_SECONDS.labels(channel).observe(seconds)
    latency_ms = round(seconds * 1000)
    extra = {"channel": channel, "turn_id": turn_id, "latency_ms": latency_ms}
    level = logging.INFO if outcome == "handled" else logging.WARNING
    log.log(level, "%s turn %s in %d ms", channel, outcome, latency_ms, extra=extra)


def sent(channel: str, result: str) -> None:
    """Count one call that puts a message in front of a user, by its result."""
    SENDS.labels(channel, result).inc()


def delivery_status(channel: str, status: str, error_code: int | None) -> None:
    """Count a provider's status callback."""
    DELIVERY_STATUS.labels(channel, status, str(error_code or "")).inc()
