"""Settings: the one place that reads the environment (and an optional .env file)."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("stancemap")

DEFAULT_MAX_ARTICLE_BYTES = 5_000_000  # MAX_ARTICLE_BYTES; also the readers' own default
DEV_SECRET_KEY = "dev-insecure-change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///stancemap.db"
    secret_key: str = DEV_SECRET_KEY
    environment: str = "development"  # development | production
    log_level: str = "INFO"
    # Ingest refuses files larger than this (bytes).
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    # Extraction gives up on one article after this many seconds (reported as "article too complex"); 0: no limit.
    extract_time_limit_s: float = 10.0
    # false: machine-found statements nobody has verified stay off the map, the table, the position downloads
    # and /api/positions until an editor verifies them (every view then reads as reviewed=verified).
    machine_on_map: bool = True
    # A position whose last statement is older than this many days before the as-of date is marked as stale.
    stale_after_days: int = 180
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    # --- serving under load and behind proxies (README: Configuration) ---
    # Threads per worker process for the plain-def handlers, and the database connections they share: a handler
    # never waits for a connection while another thread of its worker holds one it does not need.
    web_threads: int = 20
    db_pool_size: int = 5
    db_max_overflow: int = 15
    db_pool_timeout: float = 10.0  # seconds a request waits for a connection before answering 503
    db_connect_timeout: int = 5  # seconds (Postgres) before an unreachable database answers 503
    # Argon2 checks at once per worker (each takes ~64 MB and a core for ~50 ms); the rest queue.
    password_checks_at_once: int = 2
    # Sign-in attempts handled at once per worker; more answer 429 at once (no database work), so a burst of
    # sign-ins cannot take every handler thread from the readers.
    sign_ins_at_once: int = 4
    # Host headers the app answers (comma-separated; "*" for any); others get 400.
    trusted_hosts: str = "127.0.0.1,localhost,::1"
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated IPs
    # or networks); empty: none, the peer's own address is the client.
    trusted_proxies: str = ""
    # Where /static is served from ("" = this site, relative URLs); e.g. https://cdn.example/stancemap.
    asset_base_url: str = ""
    # The site's public address (e.g. https://stancemap.example), for what leaves the site with absolute links:
    # the Atom feeds, the embed code and the suggested citation. "": the request's own scheme and Host (which
    # TRUSTED_HOSTS has checked).
    public_url: str = ""

    @property
    def trusted_host_list(self) -> list[str]:
        return [h.strip() for h in self.trusted_hosts.split(",") if h.strip()]

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [h.strip() for h in self.trusted_proxies.split(",") if h.strip()]

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
    def _secret_key_safe(self) -> Settings:
        if self.secret_key == DEV_SECRET_KEY:
            if self.environment == "production":
                raise ValueError("SECRET_KEY must be set to a secret value when ENVIRONMENT=production")
            log.warning("SECRET_KEY is the development default; set SECRET_KEY before serving real users")
        return self

    @field_validator("public_url")
    @classmethod
    def _absolute_public_url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v and not (v.startswith(("https://", "http://")) and len(v.split("/")) == 3 and "?" not in v):
            raise ValueError("PUBLIC_URL must be the site's address, e.g. https://stancemap.example (no path)")
        return v

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    return settings
