"""The central admin's home page shows the running campaign, and warns while it is a draft."""

from __future__ import annotations

import html

import pytest
from aiohttp.test_utils import TestClient

from config.campaign import Campaign, load_campaign
from config.settings import PROJECT_ROOT
from tests.web.conftest import WebWorld, login

# Officers of the factories read the web in Kyrgyz.
DRAFT = "Долбоор, бекитиле элек"


@pytest.fixture(params=["2026", "2027"])
def campaign(request: pytest.FixtureRequest) -> Campaign:
    """The real campaign files: 2026 is confirmed, 2027 a draft."""
    return load_campaign(PROJECT_ROOT / "campaigns" / f"{request.param}.toml")


async def page(client: TestClient) -> str:
    response = await client.get("/")
    assert response.status == 200
    return html.unescape(await response.text())


async def test_admin_sees_the_campaign_window_and_fees(
    client: TestClient, web_world: WebWorld, campaign: Campaign
) -> None:
    assert (await login(client, web_world.admin)).status == 302
    text = await page(client)
    assert f"Учурдагы кампания: {campaign.name_ky}" in text
    opens = campaign.registration_opens.strftime("%d.%m.%Y")
    closes = campaign.registration_closes.strftime("%d.%m.%Y")
    assert f"{opens} – {closes}" in text
    assert f"Негизги тест</dt><dd>{campaign.mandatory_tests[0].fee} сом" in text
    assert (DRAFT in text) is campaign.draft
    if campaign.year == 2027:
        assert campaign.draft and "каттоо азырынча ачыла элек" in text
    else:
        assert "каттоо жабылды" in text


async def test_coordinators_do_not_get_the_campaign_panel(
    client: TestClient, web_world: WebWorld
) -> None:
    assert (await login(client, web_world.coordinator_a)).status == 302
    text = await page(client)
    assert "Учурдагы кампания" not in text and DRAFT not in text
