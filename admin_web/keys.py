"""Typed keys of what the web keeps on the application and on each request."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import WebTexts
from admin_web.sessions import ActiveSession
from admin_web.throttle import LoginThrottle

WEB_TEXTS = web.AppKey("admin_web_texts", WebTexts)
LOGIN_THROTTLE = web.AppKey("admin_web_login_throttle", LoginThrottle)

# Filled by the session middleware for every page of the web.
SESSION = web.RequestKey("admin_web_session", ActiveSession)  # absent when not logged in
LANG = web.RequestKey("admin_web_lang", str)
CSRF_TOKEN = web.RequestKey("admin_web_csrf", str)
