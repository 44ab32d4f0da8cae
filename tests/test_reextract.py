"""`stancemap reextract`: the current rules over every stored article, replacing only unreviewed machine
statements, reporting per country what changed; a dry run writes nothing; a second run changes nothing."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update
from typer.testing import CliRunner

from app.cli import app as cli
from app.ingest.store import ingest_text
from app.models import Statement

runner = CliRunner()


def _stances(session) -> set[tuple[str, str, str, str]]:
    session.expire_all()
    return {(s.country_iso2, s.stance, s.origin, s.review_status) for s in session.scalars(select(Statement))}


def _older_rules(session, country: str, stance: str) -> None:
    """What an older rules version had stored: another stance for one country's unreviewed statement."""
    session.execute(update(Statement).where(Statement.country_iso2 == country).values(stance=stance))
    session.commit()


def test_reextract_reports_and_replaces_only_unreviewed_machine_statements(settings_env, session):
    ingest_text(session, body="Norway is ready to send troops to Ukraine. Finland will not send troops to Ukraine.",
                published_on=dt.date(2025, 4, 1), file_name="nordic.txt")
    [fi] = session.scalars(select(Statement).where(Statement.country_iso2 == "FI"))
    fi.review_status = "verified"
    fi.stance = "undecided"  # an editor's correction, not what the rules say
    session.commit()
    _older_rules(session, "NO", "undecided")
    before = _stances(session)

    dry = runner.invoke(cli, ["reextract", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "nordic.txt" in dry.stdout and "NO" in dry.stdout and "changed stance" in dry.stdout
    assert "would be removed: 1, added: 1" in dry.stdout
    assert _stances(session) == before  # a dry run writes nothing

    real = runner.invoke(cli, ["reextract"])
    assert real.exit_code == 0, real.output
    assert "changed stance 1" in real.stdout
    assert _stances(session) == {("NO", "support", "machine", "unreviewed"),
                                 ("FI", "undecided", "machine", "verified")}  # the verified one untouched

    again = runner.invoke(cli, ["reextract"])
    assert again.exit_code == 0
    assert "0 changed" in again.stdout and "nothing to change" in again.stdout


def test_reextract_adds_and_removes_countries(settings_env, session):
    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 4, 1),
                file_name="no.txt")
    # an older rules version had also found Chile here, and had missed Norway
    [no] = session.scalars(select(Statement))
    no.country_iso2 = "CL"
    session.commit()
    result = runner.invoke(cli, ["reextract"])
    assert result.exit_code == 0, result.output
    assert "countries added 1, removed 1" in result.stdout
    assert {s[0] for s in _stances(session)} == {"NO"}


def test_editor_statements_never_touched(settings_env, session):
    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 4, 1))
    session.add(Statement(country_iso2="DK", stance="support", quote="hand entered", origin="editor",
                          date_precision="unknown"))
    session.commit()
    assert runner.invoke(cli, ["reextract"]).exit_code == 0
    assert ("DK", "support", "editor", "unreviewed") in _stances(session)


def test_rule_is_stored_and_exported(settings_env, session):
    """Each machine statement keeps the rule that decided it and its reason; exports carry both."""
    from app.ingest.extract import Candidate, RuleExtractor

    class Labelled(RuleExtractor):
        # the stored rule comes from the extractor's candidates; label them to see them arrive
        def extract(self, article):
            return [Candidate(**{**c.__dict__, "rule": c.rule or "test-rule", "rule_reason": c.rule_reason or
                                 "a reason in words"}) for c in super().extract(article)]

    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 4, 1),
                extractor=Labelled())
    [s] = session.scalars(select(Statement))
    assert s.rule and s.rule_reason
    data = json.loads(runner.invoke(cli, ["export", "--format", "json"]).stdout)
    assert (data[0]["rule"], data[0]["rule_reason"]) == (s.rule, s.rule_reason)
    header = runner.invoke(cli, ["export", "--format", "csv"]).stdout.splitlines()[0].split(",")
    assert "rule" in header and "rule_reason" in header


def test_rule_is_shown_to_editors_and_in_the_api(session, client):
    from app.ingest.extract import Candidate, RuleExtractor

    class Labelled(RuleExtractor):
        def extract(self, article):
            return [Candidate(**{**c.__dict__, "rule": "ready-to-send", "rule_reason": "the country says it is ready"})
                    for c in super().extract(article)]

    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 4, 1),
                extractor=Labelled())
    [s] = session.scalars(select(Statement))
    item = client.get("/api/statements").json()["items"][0]
    assert (item["rule"], item["rule_reason"]) == ("ready-to-send", "the country says it is ready")
    page = client.get(f"/statements/{s.id}").text
    assert "Why the machine thought so" in page and "the country says it is ready" in page


def test_the_rules_name_the_rule_that_decided_each_statement(session):
    from pathlib import Path

    from app.ingest.store import ingest_paths

    ingest_paths(session, [Path(__file__).resolve().parent.parent / "seeds"])
    rows = list(session.scalars(select(Statement)))
    assert rows and all(s.rule and s.rule_reason for s in rows)
    assert len({s.rule for s in rows}) > 1  # more than one rule decides the seeds
