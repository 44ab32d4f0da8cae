"""Settings: the one place that reads the environment (and an optional .env file)."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("stancemap")

DEV_SECRET_KEY = "dev-insecure-change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///stancemap.db"
    secret_key: str = DEV_SECRET_KEY
    environment: str = "development"  # development | production
    log_level: str = "INFO"
    # Ingest refuses files larger than this (bytes).
    max_article_bytes: int = 5_000_000
    # false: machine-found statements nobody has verified stay off the map, the table, the position downloads
    # and /api/positions until an editor verifies them (every view then reads as reviewed=verified).
    machine_on_map: bool = True
    # A position whose last statement is older than this many days before the as-of date is marked as stale.
    stale_after_days: int = 180
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, v: str) -> str:
        v = v.lower()
        if v not in {"development", "production"}:
            raise ValueError("ENVIRONMENT must be 'development' or 'production'")
        return v

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return v

    @model_validator(mode="after")
    def _secret_key_safe(self) -> "Settings":
        if self.secret_key == DEV_SECRET_KEY:
            if self.environment == "production":
                raise ValueError("SECRET_KEY must be set to a secret value when ENVIRONMENT=production")
            log.warning("SECRET_KEY is the development default; set SECRET_KEY before serving real users")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    return settings
