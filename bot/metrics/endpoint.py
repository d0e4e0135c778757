"""`GET /metrics` in the Prometheus text format, for the holder of METRICS_TOKEN only.

Without METRICS_TOKEN the route answers 404 like any unknown path; with it, a request without
``Authorization: Bearer <METRICS_TOKEN>`` gets 404 too (nothing tells a prober it exists).
Also here: the middleware that counts and times every HTTP request by its route pattern.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.metrics.scrape import Backlog, outbox_backlog, registrations_by_status
from bot.metrics.series import WEB_REQUESTS, WEB_SECONDS
from storage.database import Database

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"  # no route: the raw path (a prober's guess) is never a label


class _ScrapeTime(Collector):
    """The figures read from the database for this one scrape."""

    def __init__(self, backlog: list[Backlog], registrations: dict[tuple[int, str], int]) -> None:
        self._backlog = backlog
        self._registrations = registrations

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "ortbot_outbox_depth",
            "Messages waiting to be handed to a provider.",
            labels=["channel"],
        )
        age = GaugeMetricFamily(
            "ortbot_outbox_oldest_age_seconds",
            "Age of the oldest message waiting in the outbox (0 when empty).",
            labels=["channel"],
        )
        for backlog in self._backlog:
            depth.add_metric([backlog.channel], backlog.depth)
            age.add_metric([backlog.channel], backlog.oldest_age_seconds)
        registrations = GaugeMetricFamily(
            "ortbot_registrations",
            "Registrations by campaign year and status.",
            labels=["campaign", "status"],
        )
        for (year, status), count in sorted(self._registrations.items()):
            registrations.add_metric([str(year), status], count)
        yield from (depth, age, registrations)


def _authorized(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken does not tell how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def metrics_handler(database: Database, token: str | None) -> Handler:
    """Return the `/metrics` view for `database`, guarded by `token` (None: always 404)."""

    async def metrics(request: web.Request) -> web.StreamResponse:
        if not token or not _authorized(request, token):
            raise web.HTTPNotFound()
        async with database.session() as session:
            backlog = await outbox_backlog(session)
            registrations = await registrations_by_status(session)
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            MultiProcessCollector(registry)  # every process's files, summed
        else:
            registry.register(_Forward(REGISTRY))
        registry.register(_ScrapeTime(backlog, registrations))
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics


class _Forward(Collector):
    """The process's own metrics (the default registry), inside the scrape's registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterator:  # type: ignore[type-arg]
        return iter(self._source.collect())


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request by its route's pattern (``/review/{registration_id}``)."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else UNMATCHED
        WEB_REQUESTS.labels(route, request.method, str(status)).inc()
        WEB_SECONDS.labels(route).observe(time.perf_counter() - started)


def mount_metrics(app: web.Application, *, database: Database, token: str | None) -> None:
    """Add `GET /metrics` and the request counting middleware to `app` (before it starts)."""
    app.middlewares.append(count_requests)
    app.router.add_get(METRICS_PATH, metrics_handler(database, token))
