"""The citable data: a Frictionless Data package of the statements, the countries and the positions on a date.

Written by `stancemap export --format datapackage DIR`; the schema of every column is declared here, once,
beside the export fields it describes, and the package is assembled and written by the frictionless library.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from frictionless import Package, Resource, Schema
from sqlalchemy.orm import Session

from app import clock, queries
from app.export import EXPORT_FIELDS, csv_chunks
from app.ingest.extract import RULES_VERSION
from app.models import ORIGINS, PRECISIONS, REVIEW_STATUSES, STANCES
from app.schema import country_rows

LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0"}
TITLE = "stancemap: country positions on a multinational force in Ukraine"


def _enum(name: str, values: tuple[str, ...], description: str, required: bool = True) -> dict:
    return {"name": name, "type": "string", "description": description,
            "constraints": {"enum": list(values), "required": required}}


_ISO2 = {"type": "string", "constraints": {"pattern": "[A-Z]{2}", "required": True}}

STATEMENT_FIELDS: dict[str, dict] = {
    "id": {"type": "integer", "description": "The statement's id (its page is /statements/{id})",
           "constraints": {"required": True, "unique": True}},
    "country": {**_ISO2, "description": "ISO 3166-1 alpha-2 code of the country whose position it is"},
    "country_name": {"type": "string", "description": "The country's name"},
    "stance": _enum("stance", STANCES, "support | reject | undecided"),
    "stated_on": {"type": "date", "description": "The day the position was expressed; for month or year "
                                                 "precision, the first day of that month or year"},
    "date_precision": _enum("date_precision", PRECISIONS, "How precisely stated_on is known"),
    "quote": {"type": "string", "description": "The evidence: the sentence that states the position"},
    "speaker": {"type": "string", "description": "Who said it, when the text says"},
    "conditions": {"type": "string", "description": "Conditions attached to the position"},
    "confidence": {"type": "number", "description": "The extractor's confidence (machine statements)",
                   "constraints": {"minimum": 0, "maximum": 1}},
    "origin": _enum("origin", ORIGINS, "machine (found by the ingest) or editor (entered by a person)"),
    "review_status": _enum("review_status", REVIEW_STATUSES, "unreviewed, verified or dismissed by an editor"),
    "rule": {"type": "string", "description": "The extraction rule that decided a machine statement"},
    "rule_reason": {"type": "string", "description": "Why that rule decided it, in words"},
    "article": {"type": "string", "description": "The ingested article's file name"},
    "article_line": {"type": "integer", "description": "The line of a JSON Lines file that held the article"},
    "source": {"type": "string", "description": "The outlet that reported it"},
    "url": {"type": "string", "format": "uri", "description": "Where it was reported"},
}

COUNTRY_FIELDS: dict[str, dict] = {
    "iso2": {**_ISO2, "description": "ISO 3166-1 alpha-2 code"},
    "iso3": {"type": "string", "description": "ISO 3166-1 alpha-3 code"},
    "numeric": {"type": "string", "description": "ISO 3166-1 numeric code"},
    "name": {"type": "string", "description": "Name", "constraints": {"required": True}},
    "eu": {"type": "boolean", "description": "Member of the European Union"},
    "nato": {"type": "boolean", "description": "Member of NATO"},
}

POSITION_FIELDS: dict[str, dict] = {
    "country": {**_ISO2, "description": "ISO 3166-1 alpha-2 code"},
    "country_name": {"type": "string", "description": "The country's name"},
    "stance": _enum("stance", STANCES, "The position on the package's date"),
    "stated_on": {"type": "date", "description": "When the statement behind the position was made"},
    "date_precision": _enum("date_precision", PRECISIONS, "How precisely stated_on is known"),
    "statement_id": {"type": "integer", "description": "The statement behind the position (statements.csv id)"},
    "speaker": {"type": "string", "description": "Who said it"},
    "source": {"type": "string", "description": "The outlet that reported it"},
    "url": {"type": "string", "format": "uri", "description": "Where it was reported"},
}


def _schema(fields: dict[str, dict], primary_key: str | None = None) -> Schema:
    descriptor: dict = {"fields": [{"name": name, **{k: v for k, v in spec.items() if k != "name"}}
                                   for name, spec in fields.items()]}
    if primary_key:
        descriptor["primaryKey"] = [primary_key]
    return Schema.from_descriptor(descriptor)


def _write_rows(path: Path, fields: list[str], rows: Iterable[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        for chunk in csv_chunks(rows, fields):
            f.write(chunk)


def write_datapackage(session: Session, target: Path, as_of: dt.date | None = None) -> Path:
    """Write statements.csv, countries.csv, positions.csv and datapackage.json into target; returns the
    descriptor's path. Positions are those on `as_of` (today when not given)."""
    as_of = as_of or clock.today()
    target.mkdir(parents=True, exist_ok=True)
    _write_rows(target / "statements.csv", EXPORT_FIELDS,
                queries.statement_records(session, queries.StatementFilters()))
    _write_rows(target / "countries.csv", list(COUNTRY_FIELDS),
                ({**r, "eu": "true" if r["eu"] else "false", "nato": "true" if r["nato"] else "false"}
                 for r in country_rows()))
    positions = ({"country": p.country, "country_name": p.country_name, "stance": p.stance,
                  "stated_on": p.stated_on.isoformat(), "date_precision": p.date_precision,
                  "statement_id": p.statement_id, "speaker": p.speaker, "source": p.source, "url": p.url}
                 for p in queries.positions_as_of(session, as_of))
    _write_rows(target / "positions.csv", list(POSITION_FIELDS), positions)
    package = Package(
        name="stancemap-ukraine-force", title=TITLE,
        description=(f"Dated statements of country positions with their evidence, found by the ingest (rules "
                     f"{RULES_VERSION}) or entered by editors; positions as of {as_of.isoformat()}."),
        licenses=[LICENCE], created=clock.utcnow().replace(microsecond=0).isoformat(),
        resources=[
            Resource(name="statements", path="statements.csv", schema=_schema(STATEMENT_FIELDS, "id"),
                     description="Every statement that is not deleted (dismissed ones included, marked)"),
            Resource(name="countries", path="countries.csv", schema=_schema(COUNTRY_FIELDS, "iso2"),
                     description="The reference countries"),
            Resource(name="positions", path="positions.csv", schema=_schema(POSITION_FIELDS, "country"),
                     description=f"Each country's position on {as_of.isoformat()}"),
        ])
    path = target / "datapackage.json"
    package.to_json(str(path))
    return path
