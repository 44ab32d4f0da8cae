"""`stancemap export`: JSON and CSV of the statements, filters, and clear errors for bad options."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from app.ingest.store import ingest_text

runner = CliRunner()
FIELDS = {"country", "country_name", "stance", "stated_on", "date_precision", "quote", "speaker", "conditions",
          "confidence", "origin", "review_status", "article", "article_line", "source", "url"}


@pytest.fixture
def loaded(settings_env, session):
    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 1, 10),
                file_name="no.txt", source="Wire", url="https://example.org/no")
    ingest_text(session, body="Finland will not send troops to Ukraine.", published_on=dt.date(2025, 3, 10),
                file_name="fi.txt")
    ingest_text(session, body="Sweden does not rule out sending soldiers if asked.", published_on=dt.date(2025, 2, 1),
                file_name="se.txt")
    return session


def test_json_is_one_array_with_the_fields(loaded):
    result = runner.invoke(cli, ["export", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 3
    assert set(data[0]) >= FIELDS
    no = next(d for d in data if d["country"] == "NO")
    assert (no["country_name"], no["stance"], no["stated_on"], no["date_precision"]) == \
        ("Norway", "support", "2025-01-10", "day")
    assert (no["article"], no["source"], no["url"], no["origin"]) == ("no.txt", "Wire", "https://example.org/no", "machine")
    se = next(d for d in data if d["country"] == "SE")
    assert se["conditions"] == "if asked"


def test_csv_and_filters(loaded):
    result = runner.invoke(cli, ["export", "--format", "csv", "--as-of", "2025-02-15"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(rows[0]) >= FIELDS
    assert {r["country"] for r in rows} == {"NO", "SE"}
    only = json.loads(runner.invoke(cli, ["export", "--country", "fi"]).stdout)
    assert [d["country"] for d in only] == ["FI"]
    rejects = json.loads(runner.invoke(cli, ["export", "--stance", "reject"]).stdout)
    assert [d["country"] for d in rejects] == ["FI"]


def test_json_lines_articles_export_their_file_name_and_line(settings_env, session, tmp_path):
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"text": "Norway is ready to send troops to Ukraine.", "published": "2025-01-10"},
        {"text": "Finland will not send troops to Ukraine.", "published": "2025-03-10"},
    ]) + "\n", encoding="utf-8")
    assert runner.invoke(cli, ["ingest", str(tmp_path)]).exit_code == 0
    data = json.loads(runner.invoke(cli, ["export", "--format", "json"]).stdout)
    assert sorted((d["country"], d["article"], d["article_line"]) for d in data) == \
        [("FI", "feed.jsonl", 2), ("NO", "feed.jsonl", 1)]


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "unknown format"),
    (["--as-of", "2025-02-30"], "is not a date"),
    (["--as-of", "yesterday"], "is not a date"),
    (["--country", "XX"], "unknown country"),
    (["--stance", "maybe"], "unknown stance"),
])
def test_bad_options_exit_2_with_a_message(settings_env, args, message):
    result = runner.invoke(cli, ["export", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
