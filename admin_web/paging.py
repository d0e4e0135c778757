"""Paging and search parameters of list pages (`?q=...&page=N`)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from admin_web.params import page_number

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class PageRequest:
    query: str
    page: int
    size: int = PAGE_SIZE

    @classmethod
    def from_request(cls, request: web.Request, *, size: int = PAGE_SIZE) -> PageRequest:
        """Read `?q=` and `?page=`; a page that is not a number in range answers 404."""
        query = request.query.get("q", "").strip()[:MAX_QUERY_LENGTH]
        return cls(query=query, page=page_number(request), size=size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True)
class Page:
    """One page of a list as templates show it: rows, totals and neighbour pages."""

    rows: list
    total: int
    request: PageRequest

    @property
    def pages(self) -> int:
        return max((self.total + self.request.size - 1) // self.request.size, 1)

    @property
    def previous(self) -> int | None:
        return self.request.page - 1 if self.request.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.request.page + 1 if self.request.page < self.pages else None

    def query_for(self, page: int) -> dict[str, str]:
        params = {"page": str(page)}
        if self.request.query:
            params["q"] = self.request.query
        return params
