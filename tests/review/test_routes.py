"""Role × route × scope for the review, payment, officer-form and dashboard pages.

Each entry, photo and payment is requested by every kind of visitor; another scope's object
answers 404, exactly like one that does not exist. `tests/web/test_route_matrix.py` counts
these cases when it checks that every declared route has an expectation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp.test_utils import TestServer

from tests.review.conftest import ReviewWorld
from tests.web.conftest import only, signed_in_clients

EVERYONE = {"central": 200, "district_a": 200, "district_b": 200, "school_a": 200}


Parts = Callable[[ReviewWorld, dict[str, int]], dict[str, str]]


@dataclass(frozen=True)
class Case:
    method: str
    name: str
    expected: dict[str, int]
    parts: Parts | None = None


def entry(attr: str) -> Parts:
    return lambda w, ids: {"registration_id": str(getattr(w, attr).id)}


def document(attr: str) -> Parts:
    return lambda w, ids: {
        "registration_id": str(getattr(w, attr).id),
        "document_id": str(ids[f"doc:{attr}"]),
    }


def payment(attr: str) -> Parts:
    return lambda w, ids: {"payment_id": str(ids[f"pay:{attr}"])}


def grant(attr: str) -> Parts:
    return lambda w, ids: {"grant_id": str(getattr(w.web, attr).id)}


# An МЖБ entry of district A: its district and the admin, not the school, not district B.
MZHB = {"central": 200, "district_a": 200, "district_b": 404, "school_a": 404}
MZHB_POST = {"central": 302, "district_a": 302, "district_b": 404, "school_a": 404}
# A current graduate of school 10101: the school coordinator too.
GRADUATE = {**MZHB, "school_a": 200}
CHECKERS = {"central": 200, "district_a": 200, "district_b": 200}

CASES = [
    Case("GET", "review.queue", only(EVERYONE, anon=302)),
    Case("POST", "review.bulk_approve", only({a: 302 for a in EVERYONE}, anon=403)),
    Case("GET", "review.detail", only(MZHB, anon=302), entry("mzhb_entry")),
    Case("GET", "review.detail", only(GRADUATE, anon=302), entry("graduate_entry")),
    Case("GET", "review.document", only(MZHB, anon=302), document("mzhb_entry")),
    Case("GET", "review.document", only(GRADUATE, anon=302), document("graduate_entry")),
    # Without reasons the page answers again with the error (200); elsewhere 404.
    Case("POST", "review.reject", only(MZHB, anon=403), entry("mzhb_entry")),
    Case("POST", "review.approve", only(MZHB_POST, anon=403), entry("mzhb_entry")),
    Case("POST", "payments.reject", only(MZHB_POST, anon=403), payment("mzhb_entry")),
    Case("POST", "payments.confirm", only(MZHB_POST, anon=403), payment("mzhb_entry")),
    Case("GET", "payments.list", only(CHECKERS, anon=302)),
    Case("POST", "payments.statement", only(CHECKERS, anon=403)),
    Case("GET", "review.fill_list", only(EVERYONE, anon=302)),
    Case("GET", "review.fill", only(MZHB, anon=302), grant("mzhb_a")),
    # Approved above: the page answers that it can no longer be changed (200).
    Case("POST", "review.fill", only(MZHB, anon=403), grant("mzhb_a")),
    Case("GET", "review.fill", only(GRADUATE, anon=302), grant("graduate_a")),
    # An empty receipt is refused on the page (200); another scope's grant is absent (404).
    Case("POST", "review.fill_payment", only(MZHB, anon=403), grant("mzhb_a")),
    Case("GET", "dashboard", only(EVERYONE, anon=302)),
    Case("GET", "dashboard.export", only(EVERYONE, anon=302)),
]
ROUTES = {(case.method, case.name) for case in CASES}


async def test_review_routes_by_role_and_scope(
    make_client, server: TestServer, review_world: ReviewWorld, database
) -> None:  # type: ignore[no-untyped-def]
    web = review_world.web
    officers = {
        "central": web.admin,
        "district_a": web.coordinator_a,
        "district_b": web.coordinator_b,
        "school_a": web.teacher_a,
    }
    ids: dict[str, int] = {}
    for attr in ("mzhb_entry", "graduate_entry"):
        registration = getattr(review_world, attr)
        ids[f"doc:{attr}"] = (await review_world.document_of(database, registration)).id
        ids[f"pay:{attr}"] = (await review_world.payment_of(database, registration)).id
    clients, tokens = await signed_in_clients(make_client, officers)
    router = server.app.router
    failures = []
    for case in CASES:
        parts = case.parts(review_world, ids) if case.parts else {}
        path = str(router[case.name].url_for(**parts))
        # District B and the school first: a refused request must change nothing for the rest.
        for actor in ("anon", "district_b", "school_a", "district_a", "central"):
            client = clients[actor]
            if case.method == "GET":
                response = await client.get(path, allow_redirects=False)
            else:
                data = {"csrf_token": tokens[actor]}
                response = await client.post(path, data=data, allow_redirects=False)
            await response.read()
            if response.status != case.expected[actor]:
                failures.append(
                    f"{case.method} {path} as {actor}: {response.status}, "
                    f"expected {case.expected[actor]}"
                )
    assert not failures, "\n".join(failures)
