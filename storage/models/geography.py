"""Oblasts, districts and schools: the codifier."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamped


def search_key(text: str) -> str:
    """Return `text` folded for case-insensitive search (SQLite's lower() skips Cyrillic)."""
    return " ".join(text.split()).casefold().replace("ё", "е")


def search_default(source: str) -> Callable[[ExecutionContext], str]:
    """Fill a `*_search` column from column `source` on insert."""

    def _default(context: ExecutionContext) -> str:
        return search_key(context.get_current_parameters().get(source) or "")

    return _default


class Oblast(Base):
    __tablename__ = "oblasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    districts: Mapped[list[District]] = relationship(back_populates="oblast")


class District(Base):
    """A district (raion) or city with its own education department and ORT coordinator."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("oblast_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("oblasts.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))

    oblast: Mapped[Oblast] = relationship(back_populates="districts", lazy="joined")


class School(Timestamped, Base):
    """A school of the codifier. Code 9999 ("not in the codifier") has no district."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # search_key(name), kept by whoever renames a school (access.codifier).
    name_search: Mapped[str] = mapped_column(String(300), default=search_default("name"))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="RESTRICT"), index=True
    )

    district: Mapped[District | None] = relationship(lazy="joined")
