"""`GET /metrics`: the series move with turns, sends and web requests; only the token sees it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from telegram.applicant import ACCESS_CODE
from telegram.conftest import TOKEN
from telegram.test_registration_e2e import applicant, grant  # noqa: F401 - a fixture

from bot.app import create_app
from bot.runtime import Runtime
from bot.telegram import WEBHOOK_PATH
from config.settings import PROJECT_ROOT
from storage.enums import Channel, MessageDirection
from storage.models import ChannelMessage

METRICS_TOKEN = "metrics-token-0123456789abcdef"  # noqa: S105 - a test value
Samples = dict[tuple[str, frozenset], float]
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum")


@pytest.fixture
def telegram_settings(settings, fake_api):
    return settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_api_url": fake_api.base_url,
            "metrics_token": SecretStr(METRICS_TOKEN),
        }
    )


async def scrape(client: TestClient) -> tuple[Samples, str]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    text = await response.text()
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return samples, text


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_a_scrape_after_turns_and_web_requests_shows_them(
    start_app,
    grant,  # noqa: F811
    database,
    campaign,
) -> None:
    harness = await start_app("webhook")
    client = harness.client
    before, _ = await scrape(client)
    person = applicant(harness, "ru")
    await person.open_bot()
    await person.identify_by_contact()
    await person.personal_data()
    await person.address()
    await person.tests()
    await person.documents()  # three photos checked
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/review/424242", allow_redirects=False)).status in (302, 303)
    assert (await client.get("/no/such/page/515151")).status == 404
    refused = await client.post(WEBHOOK_PATH, json={"update_id": 1}, headers={})
    assert refused.status == 403
    async with database.session() as session:  # a send stuck for ten minutes
        session.add(
            ChannelMessage(
                channel=Channel.WHATSAPP,
                direction=MessageDirection.OUTBOUND,
                idempotency_key="stuck",
                phone="+996555000001",
                purpose="reply",
                status="reserved",
                attempts=1,
                created_at=datetime.now(UTC) - timedelta(minutes=10),
            )
        )
    after, text = await scrape(client)

    turns = moved(
        before, after, "ortbot_inbound_updates_total", channel="telegram", outcome="handled"
    )
    assert turns >= 15
    assert moved(before, after, "ortbot_turn_seconds_count", channel="telegram") == turns
    assert moved(before, after, "ortbot_turn_seconds_sum", channel="telegram") > 0
    assert moved(before, after, "ortbot_sends_total", channel="telegram", result="ok") >= turns
    assert moved(before, after, "ortbot_photo_check_seconds_count", kind="document") == 3
    assert (
        moved(before, after, "ortbot_inbound_updates_total", channel="telegram", outcome="refused")
        == 1
    )
    web = "ortbot_web_requests_total"
    assert moved(before, after, web, route="/healthz", method="GET", status="200") == 1
    assert moved(before, after, web, route=WEBHOOK_PATH, method="POST", status="200") >= turns
    assert moved(before, after, web, route=WEBHOOK_PATH, method="POST", status="403") == 1
    assert moved(before, after, web, route="unmatched", method="GET", status="404") == 1
    review = [k for k in after if k[0] == web and ("route", "/review/{registration_id}") in k[1]]
    assert review
    assert "424242" not in text and "515151" not in text  # ids of raw paths are no labels
    assert moved(before, after, "ortbot_web_request_seconds_count", route="/healthz") == 1
    # Computed at scrape time from the database.
    year = str(campaign.year)
    assert moved({}, after, "ortbot_registrations", campaign=year, status="draft") == 1
    assert moved({}, after, "ortbot_outbox_depth", channel="whatsapp") == 1
    age = moved({}, after, "ortbot_outbox_oldest_age_seconds", channel="whatsapp")
    assert 590 < age < 3600


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_whatsapp_turns_sends_and_twilio_error_codes_are_counted(
    start_whatsapp, registration_flow
) -> None:
    wa = await start_whatsapp(registration_flow)
    handled = sample("ortbot_inbound_updates_total", channel="whatsapp", outcome="handled")
    accepted = sample("ortbot_sends_total", channel="whatsapp", result="accepted")
    refused = sample("ortbot_sends_total", channel="whatsapp", result="21211")
    user = wa.user("+996555400004")
    assert await user.send("Саламатсызбы")
    wa.twilio.fail_next(1, status=400, code=21211)
    await user.send("Салам")
    assert sample("ortbot_inbound_updates_total", channel="whatsapp", outcome="handled") == (
        handled + 2
    )
    assert sample("ortbot_sends_total", channel="whatsapp", result="accepted") == accepted + 1
    assert sample("ortbot_sends_total", channel="whatsapp", result="21211") == refused + 1
    assert await wa.status("SMunknown0000000000000000000000000", "undelivered", 63016) == 204
    assert sample(
        "ortbot_delivery_status_total", channel="whatsapp", status="undelivered", error_code="63016"
    )


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {METRICS_TOKEN}", f"Bearer {METRICS_TOKEN}x", "Bearer "],
)
async def test_metrics_without_the_token_is_not_found(start_app, authorization) -> None:
    harness = await start_app("webhook")
    headers = {"Authorization": authorization} if authorization else {}
    response = await harness.client.get("/metrics", headers=headers)
    assert response.status == 404
    assert "ortbot_" not in await response.text()


@pytest.mark.parametrize("token", [None, ""])
async def test_metrics_is_off_without_metrics_token(settings, campaign, token) -> None:
    runtime = Runtime.from_settings(
        settings.model_copy(update={"metrics_token": None if token is None else SecretStr(token)}),
        campaign=campaign,
    )
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        for authorization in ("Bearer ", f"Bearer {METRICS_TOKEN}"):
            response = await client.get("/metrics", headers={"Authorization": authorization})
            assert response.status == 404
    finally:
        await client.close()
        await runtime.close()


async def test_the_access_code_never_reaches_a_label(start_app, grant) -> None:  # noqa: F811
    harness = await start_app("polling")
    person = applicant(harness, "ru")
    await person.open_bot(code=ACCESS_CODE)
    _, text = await scrape(harness.client)
    assert ACCESS_CODE not in text


async def test_the_dashboard_and_alert_rules_use_only_series_the_app_exports(start_app) -> None:
    harness = await start_app("webhook")
    _, text = await scrape(harness.client)
    families = re.findall(r"^# TYPE (ortbot_\w+) (\w+)$", text, flags=re.MULTILINE)
    exported = {f"{name}{suffix}" for name, _ in families for suffix in SUFFIXES}
    deploy = PROJECT_ROOT / "deploy"
    used: set[str] = set()
    rules = deploy / "prometheus" / "alerts.yml"
    dashboard_file = deploy / "grafana" / "ortbot-dashboard.json"
    for path in (rules, dashboard_file):
        used |= set(re.findall(r"\bortbot_[a-z_]+", path.read_text()))
    assert used and used <= exported, used - exported
    dashboard = json.loads(dashboard_file.read_text())
    assert all(panel["targets"] for panel in dashboard["panels"])
