"""The pages of the officers' web, one module per concern, each with its declared `ROUTES`."""

from __future__ import annotations

from admin_web.routing import WebRoute
from admin_web.views import (
    announcements,
    audit,
    auth,
    dashboard,
    deliveries,
    exports,
    grants,
    home,
    officer_form,
    officers,
    payments,
    review,
    schools,
)

__all__ = ["all_routes"]


def all_routes() -> list[WebRoute]:
    """Every declared route of the web, in registration order."""
    return [
        *auth.ROUTES,
        *home.ROUTES,
        *officers.ROUTES,
        *schools.ROUTES,
        *grants.ROUTES,
        *exports.ROUTES,
        *audit.ROUTES,
        *review.ROUTES,
        *payments.ROUTES,
        *officer_form.ROUTES,
        *dashboard.ROUTES,
        *deliveries.ROUTES,
        *announcements.ROUTES,
    ]
