"""`stancemap export --format datapackage DIR`: a Frictionless Data package the frictionless validator accepts."""
from __future__ import annotations

import csv
import datetime as dt
import json

from frictionless import validate
from typer.testing import CliRunner

from app.cli import app as cli
from app.ingest.store import ingest_text

runner = CliRunner()


def test_datapackage_is_valid_and_complete(settings_env, session, tmp_path):
    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 1, 10),
                file_name="no.txt", source="Wire", url="https://example.org/no")
    ingest_text(session, body="Finland will not send troops to Ukraine.", published_on=dt.date(2025, 3, 10),
                file_name="fi.txt")
    out = tmp_path / "pkg"
    result = runner.invoke(cli, ["export", "--format", "datapackage", str(out), "--as-of", "2025-02-01"])
    assert result.exit_code == 0, result.output
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert {r["name"] for r in descriptor["resources"]} == {"statements", "countries", "positions"}
    statements = next(r for r in descriptor["resources"] if r["name"] == "statements")
    with (out / "statements.csv").open() as f:
        header = next(csv.reader(f))
    # every column has its schema, in order
    assert [fl["name"] for fl in statements["schema"]["fields"]] == header
    assert all(fl.get("description") for fl in statements["schema"]["fields"])
    with (out / "positions.csv").open() as f:
        positions = list(csv.DictReader(f))
    assert [(p["country"], p["stance"]) for p in positions] == [("NO", "support")]  # Finland spoke later
    with (out / "countries.csv").open() as f:
        assert sum(1 for _ in csv.DictReader(f)) > 200
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"


def test_datapackage_needs_a_folder(settings_env):
    result = runner.invoke(cli, ["export", "--format", "datapackage"])
    assert result.exit_code == 2
    assert "writes into a folder" in result.output
    result = runner.invoke(cli, ["export", "somewhere", "--format", "csv"])
    assert result.exit_code == 2
    assert "only for --format datapackage" in result.output
