"""What the officers' web needs from the process that hosts it."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from access.notifier import CredentialsNotifier
from config.campaign import Campaign
from config.settings import Settings
from core.i18n import Translator
from flows.notifications import DiscardNotices, NoticePublisher
from storage.credentials import SecretBox
from storage.database import Database
from storage.filestore import FileStore
from storage.state import StateStore


@dataclass
class WebContext:
    settings: Settings
    database: Database
    state: StateStore
    filestore: FileStore
    secret_box: SecretBox
    campaign: Campaign
    notifier: CredentialsNotifier
    bot_texts: Translator  # the `bot` catalog: validator messages shared with the conversation
    # Delivers what officers' decisions tell applicants (flows.notifications).
    publisher: NoticePublisher = field(default_factory=DiscardNotices)


WEB_CONTEXT = web.AppKey("web_context", WebContext)
