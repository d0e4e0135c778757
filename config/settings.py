"""Settings read from the environment and `.env` (see the README's configuration table)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.exceptions import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = PROJECT_ROOT / "var"
_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}


class Settings(BaseSettings):
    """Every knob of the app; defaults are the embedded development setup."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    ortbot_env: Literal["development", "production"] = "development"
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'ortbot.db'}"
    redis_url: str | None = None
    # PostgreSQL connections kept per process: at least the turns it runs at once (48 Telegram
    # updates) so none waits for a connection or opens one under load; lower it when many
    # replicas share a server's max_connections (100 by default). Overflow connections are
    # opened for bursts and closed after; every connection is replaced after the recycle time.
    db_pool_size: int = Field(default=50, ge=1)
    db_pool_overflow: int = Field(default=10, ge=0)
    db_pool_recycle_seconds: int = Field(default=1800, ge=60)
    media_dir: Path = VAR_DIR / "media"
    secret_key: SecretStr | None = None
    campaign: Path | None = None
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    public_base_url: str | None = None
    # How many reverse proxies in front of the app append to X-Forwarded-For (nginx in
    # docker-compose: 1). 0 trusts no header: the peer address is the client.
    web_trusted_proxy_hops: int = 0
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    telegram_bot_username: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_url: str | None = None
    # Approved WhatsApp Content templates for messages outside the 24-hour window: "HX…" for
    # every language, or one per language "ky:HX…,ru:HX…". Credentials: {{1}} name, {{2}} login
    # link, {{3}} password; notification: {{1}} the text.
    twilio_template_credentials_sid: str | None = None
    twilio_template_notification_sid: str | None = None
    # Notices (decisions, reminders, announcements) sent on WhatsApp per second, all replicas
    # together; replies to an applicant's own message are not counted against it.
    whatsapp_notice_rate: int = Field(default=20, ge=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Retention (`ortbot purge`): a closed campaign's photos and personal data may be erased
    # this many days after its window closed; delivery rows are kept this many days.
    purge_after_days: int = Field(default=180, ge=0)
    messages_keep_days: int = Field(default=90, ge=1)
    # "text": one readable line a record; "json": one JSON object a line, for a log collector.
    log_format: Literal["text", "json"] = "text"
    # GET /metrics answers only with "Authorization: Bearer <this>"; unset: /metrics is 404.
    metrics_token: SecretStr | None = None
    # Where photos live: unset, files under MEDIA_DIR; "s3://bucket/prefix", an S3-compatible
    # bucket (S3_ENDPOINT_URL, S3_REGION and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
    media_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    aws_access_key_id: str | None = None
    aws_secret_access_key: SecretStr | None = None

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    # How often `serve` looks for reminders due (seconds); 0 leaves it to `ortbot remind`.
    reminders_interval_seconds: int = Field(default=600, ge=0)

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> Settings:
        if self.is_production:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.strip().lower() in _PLACEHOLDER_SECRETS or len(key) < 32:
                raise ConfigError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production"
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.ortbot_env == "production"

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(
            self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from
        )

    @property
    def uses_https(self) -> bool:
        return bool(self.public_base_url and self.public_base_url.startswith("https://"))

    def resolved_secret_key(self) -> str:
        """Return SECRET_KEY, generating one into var/ on first use in development."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.is_production:
            raise ConfigError("SECRET_KEY is required in production")
        key_file = VAR_DIR / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
