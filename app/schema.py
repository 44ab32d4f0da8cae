"""The schema's lifecycle: Alembic upgrade and downgrade, and the reference rows (countries) it needs."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

from alembic import command
from alembic.config import Config
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Country
from app.settings import PROJECT_ROOT

COUNTRIES_CSV = Path(__file__).resolve().parent / "data" / "countries.csv"


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


class CountryRow(TypedDict):
    iso2: str
    iso3: str
    numeric: str | None
    name: str
    eu: bool
    nato: bool


@lru_cache
def country_rows() -> tuple[CountryRow, ...]:
    with COUNTRIES_CSV.open(encoding="utf-8") as f:
        return tuple(
            CountryRow(iso2=r["iso2"], iso3=r["iso3"], numeric=r["numeric"] or None, name=r["name"],
                       eu=r["eu"] == "1", nato=r["nato"] == "1")
            for r in csv.DictReader(f)
        )


def sync_countries(session: Session) -> int:
    """Insert or update every country from the data file; returns how many rows changed."""
    existing = {c.iso2: c for c in session.scalars(select(Country))}
    changed = 0
    for row in country_rows():
        country = existing.get(row["iso2"])
        if country is None:
            session.add(Country(**row))
            changed += 1
        elif any(getattr(country, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(country, k, v)
            changed += 1
    session.flush()
    return changed
