"""Configuration shared by every part of the app: settings and the campaign."""

from config.campaign import Campaign, Fee, Subject, load_campaign, newest_campaign_file
from config.settings import Settings, get_settings

__all__ = [
    "Campaign",
    "Fee",
    "Settings",
    "Subject",
    "get_settings",
    "load_campaign",
    "newest_campaign_file",
]
