"""The ORT campaign of one year, read from `campaigns/<year>.toml`."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from config.exceptions import ConfigError
from config.settings import PROJECT_ROOT

CAMPAIGNS_DIR = PROJECT_ROOT / "campaigns"


class _Named(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name_ky: str
    name_ru: str

    def name(self, lang: str) -> str:
        return self.name_ky if lang == "ky" else self.name_ru


class Fee(_Named):
    fee: int


class Subject(Fee):
    pass


class Choice(_Named):
    pass


WindowState = Literal["not_open", "open", "closed"]


class Reminders(BaseModel):
    """When the bot nudges applicants by itself; a number of days left out turns its rule off.

    Days count from the grant (never started), the last change of the draft (not submitted),
    the officer's return (not fixed) and the submission (no receipt). Nothing is sent in the
    quiet window (local time of the campaign), which may run over midnight.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    not_started_days: int | None = Field(default=None, ge=1)
    incomplete_days: int | None = Field(default=None, ge=1)
    returned_days: int | None = Field(default=None, ge=1)
    no_receipt_days: int | None = Field(default=None, ge=1)
    before_close_days: tuple[int, ...] = ()
    quiet_from: time = time(21, 0)
    quiet_until: time = time(9, 0)

    @model_validator(mode="after")
    def _check(self) -> Reminders:
        if any(days < 0 for days in self.before_close_days):
            raise ValueError("before_close_days must not be negative")
        if len(set(self.before_close_days)) != len(self.before_close_days):
            raise ValueError("duplicate day in before_close_days")
        return self

    def is_quiet(self, local: time) -> bool:
        """Whether `local` (the campaign's time of day) falls in the quiet window."""
        start, end = self.quiet_from, self.quiet_until
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end


class Campaign(BaseModel):
    """One year's campaign: dates, tests, fees, languages and benefit categories."""

    # Unknown keys are refused: a misspelt `registration_close` must not pass silently.
    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int
    name_ky: str
    name_ru: str
    # A draft holds dates and fees not yet confirmed by the Center; officers are told so.
    draft: bool = False
    timezone: str = "Asia/Bishkek"
    registration_opens: date
    registration_closes: date
    currency_ky: str = "сом"
    currency_ru: str = "сом"
    benefits_info_url: str
    # The same page in Kyrgyz, shown to Kyrgyz-speaking applicants (the Russian one when unset).
    benefits_info_url_ky: str | None = None
    school_not_in_codifier: str = "9999"
    payment_types: tuple[Choice, ...]
    mandatory_tests: tuple[Fee, ...]
    subjects: tuple[Subject, ...]
    languages: tuple[Choice, ...]
    benefits: tuple[Choice, ...]
    reminders: Reminders = Reminders(enabled=False)

    @model_validator(mode="after")
    def _check(self) -> Campaign:
        if self.registration_closes < self.registration_opens:
            raise ValueError("registration_closes is before registration_opens")
        for group in ("subjects", "languages", "benefits", "payment_types", "mandatory_tests"):
            codes = [item.code for item in getattr(self, group)]
            if len(codes) != len(set(codes)):
                raise ValueError(f"duplicate code in {group}")
            if not codes:
                raise ValueError(f"{group} is empty")
        ZoneInfo(self.timezone)
        return self

    def name(self, lang: str) -> str:
        return self.name_ky if lang == "ky" else self.name_ru

    def benefits_url(self, lang: str) -> str:
        """Return the "do I have benefits?" page in `lang` (Russian when there is none)."""
        if lang == "ky" and self.benefits_info_url_ky:
            return self.benefits_info_url_ky
        return self.benefits_info_url

    def currency(self, lang: str) -> str:
        return self.currency_ky if lang == "ky" else self.currency_ru

    def money(self, amount: int, lang: str) -> str:
        """Write a sum as the bot and the web both show it: "1 410 сом" (thousands spaced)."""
        return f"{amount:,}".replace(",", " ") + " " + self.currency(lang)

    @cached_property
    def subjects_by_code(self) -> dict[str, Subject]:
        return {s.code: s for s in self.subjects}

    def fee_for(self, subject_codes: list[str] | tuple[str, ...]) -> int:
        """Return the fee for the mandatory tests plus each chosen subject."""
        unknown = [c for c in subject_codes if c not in self.subjects_by_code]
        if unknown:
            raise ValueError(f"unknown subject codes: {unknown}")
        return sum(t.fee for t in self.mandatory_tests) + sum(
            self.subjects_by_code[c].fee for c in set(subject_codes)
        )

    def summary(self) -> list[str]:
        """Return the campaign in a few lines for the operator: name, window, fees, lists."""
        tests = ", ".join(f"{t.code} {t.fee}" for t in self.mandatory_tests)
        subjects = ", ".join(f"{s.code} {s.fee}" for s in self.subjects)
        return [
            f"{self.name_ru} / {self.name_ky} (year {self.year})"
            + (": DRAFT, dates and fees not confirmed" if self.draft else ""),
            f"window: {self.registration_opens.isoformat()} .. "
            f"{self.registration_closes.isoformat()} ({self.timezone}), "
            f"now {self.window_state().replace('_', ' ')}",
            f"mandatory tests ({self.currency_ru}): {tests}",
            f"subjects: {subjects}",
            f"languages: {', '.join(lang.code for lang in self.languages)}; "
            f"benefit categories: {len(self.benefits)}; "
            f"payment types: {', '.join(p.code for p in self.payment_types)}",
        ]

    def today(self, now: datetime | None = None) -> date:
        tz = ZoneInfo(self.timezone)
        return (now.astimezone(tz) if now else datetime.now(tz)).date()

    def window_state(self, now: datetime | None = None) -> WindowState:
        today = self.today(now)
        if today < self.registration_opens:
            return "not_open"
        if today > self.registration_closes:
            return "closed"
        return "open"


def newest_campaign_file(directory: Path = CAMPAIGNS_DIR) -> Path:
    """Return the campaign file with the highest year in its name."""
    files = sorted(directory.glob("[0-9][0-9][0-9][0-9].toml"))
    if not files:
        raise ConfigError(f"no campaign file in {directory}")
    return files[-1]


def load_campaign(path: Path | None = None) -> Campaign:
    """Read and check a campaign file; a broken file raises ConfigError with the reason."""
    path = path or newest_campaign_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Campaign.model_validate(data)
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise ConfigError(f"campaign file not found: {path}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"campaign file {path.name} is not UTF-8 text") from exc
    except ValidationError as exc:
        raise ConfigError(f"campaign file {path.name} is not valid: {_first_error(exc)}") from exc
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"campaign file {path.name} is not valid: {first}") from exc


def _first_error(exc: ValidationError) -> str:
    """Name the first broken key and what is wrong with it, in one line."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"
