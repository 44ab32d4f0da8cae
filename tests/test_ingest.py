"""The ingest job end to end on a real database: the quality gate on the seeds, idempotence, bad files, review."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from app.cli import app as cli
from app.ingest.extract import RULES_VERSION
from app.ingest.reextract import reextract_article
from app.ingest.store import ingest_paths, ingest_text
from app.models import Article, Statement

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
runner = CliRunner()


def test_seeds_meet_the_quality_gate(settings_env, tmp_path):
    """Fresh database, `stancemap ingest seeds/`, export, score with the reference scorer: F1 >= 0.90, dates >= 0.80."""
    result = runner.invoke(cli, ["ingest", str(ROOT / "seeds")])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(cli, ["export", "--format", "json"])
    assert exported.exit_code == 0
    out = tmp_path / "out.json"
    out.write_text(exported.stdout, encoding="utf-8")
    scored = subprocess.run([sys.executable, str(GOLD / "score.py"), str(GOLD / "seeds.json"), str(out), "--quiet"],
                            capture_output=True, text=True, check=True)
    line = scored.stdout.strip()
    words = line.split()
    figures = dict(zip(words[0::2], map(float, words[1::2]), strict=False))
    print(line)
    assert figures["F1"] >= 0.90, line
    assert figures["dates"] >= 0.80, line


def test_second_run_changes_nothing(settings_env, session):
    first = runner.invoke(cli, ["ingest", str(ROOT / "seeds")])
    assert first.exit_code == 0
    count = session.scalar(select(func.count()).select_from(Statement))
    assert count > 0
    second = runner.invoke(cli, ["ingest", str(ROOT / "seeds")])
    assert second.exit_code == 0
    assert session.scalar(select(func.count()).select_from(Statement)) == count
    assert session.scalar(select(func.count()).select_from(Article)) == 5


def test_if_empty_only_loads_an_empty_database(settings_env, session, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("date 2025-01-10\nNorway is ready to send troops to Ukraine.\n")
    assert runner.invoke(cli, ["ingest", "--if-empty", str(a)]).exit_code == 0
    b = tmp_path / "b.txt"
    b.write_text("date 2025-01-11\nFinland will not send troops to Ukraine.\n")
    result = runner.invoke(cli, ["ingest", "--if-empty", str(b)])
    assert result.exit_code == 0
    assert "already has articles" in result.stderr
    assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_bad_files_are_named_and_the_rest_loads(settings_env, session, tmp_path):
    (tmp_path / "good.txt").write_text("date 2025-02-01\nIreland is ready to send peacekeepers to Ukraine.\n")
    (tmp_path / "latin1.txt").write_bytes("Ca\xe9 troops".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": "Austria will not send troops to Ukraine.", "published": "2025-02-02",
                    "title": "Austria", "source": "Wire", "url": "https://example.org/at"}) + "\n{oops\n")
    result = runner.invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert "latin1.txt" in result.stderr and "not UTF-8" in result.stderr
    assert "empty.txt" in result.stderr
    assert "feed.jsonl:2" in result.stderr and "malformed JSON" in result.stderr
    got = {(s.country_iso2, s.stance) for s in session.scalars(select(Statement))}
    assert got == {("IE", "support"), ("AT", "reject")}


def test_statements_carry_evidence_offsets_and_rules_version(session):
    body = "Background first.\nThe Czech government does not rule out sending soldiers, officials said on 2 May."
    result = ingest_text(session, body=body, title="Czech view", source="Wire", url="https://example.org/cz",
                         published_on=dt.date(2025, 5, 20), file_name="cz.txt")
    assert result.status == "added" and result.statements_added == 1
    [s] = session.scalars(select(Statement))
    article = session.get(Article, result.article_id)
    assert article.body[s.quote_start:s.quote_end] == s.quote
    assert s.quote[s.mention_start:s.mention_end] == "Czech"
    assert s.quote[s.cue_start:s.cue_end] == "not rule out"
    assert (s.country_iso2, s.stance, s.stated_on, s.date_precision) == ("CZ", "undecided", dt.date(2025, 5, 2), "day")
    assert s.rules_version == RULES_VERSION and s.origin == "machine" and s.review_status == "unreviewed"
    again = ingest_text(session, body="  " + body + "\n", file_name="copy.txt")
    assert (again.status, again.article_id, again.statements_added) == ("already stored", result.article_id, 0)


def test_ingest_text_refuses_a_blank_body(session):
    with pytest.raises(ValueError):
        ingest_text(session, body="   ")


def test_unknown_date_is_stored_as_unknown(session):
    ingest_text(session, body="Norway is ready to send troops to Ukraine.")
    [s] = session.scalars(select(Statement))
    article = session.scalar(select(Article))
    assert (article.published_on, article.date_precision) == (None, "unknown")
    assert (s.stated_on, s.date_precision) == (None, "unknown")


def test_reextract_keeps_reviewed_and_editor_statements(session):
    body = ("Norway is ready to send troops to Ukraine. Finland will not send troops to Ukraine. "
            "Sweden does not rule out sending soldiers.")
    result = ingest_text(session, body=body, published_on=dt.date(2025, 4, 1))
    rows = {s.country_iso2: s for s in session.scalars(select(Statement))}
    assert set(rows) == {"NO", "FI", "SE"}
    rows["NO"].review_status = "verified"
    rows["FI"].review_status = "dismissed"
    rows["SE"].stance = "support"
    rows["SE"].origin = "editor"
    session.add(Statement(country_iso2="DK", stance="support", quote="hand entered", origin="editor",
                          article_id=result.article_id, date_precision="unknown"))
    session.commit()
    removed, added = reextract_article(session, result.article_id)
    assert (removed, added) == (0, 0)
    after = {(s.country_iso2, s.stance, s.origin, s.review_status) for s in session.scalars(select(Statement))}
    assert after == {("NO", "support", "machine", "verified"), ("FI", "reject", "machine", "dismissed"),
                     ("SE", "support", "editor", "unreviewed"), ("DK", "support", "editor", "unreviewed")}


def test_reextract_replaces_unreviewed_machine_statements(session):
    result = ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=dt.date(2025, 4, 1))
    [old] = session.scalars(select(Statement))
    old_id = old.id
    # the same rules find the same statement: nothing is replaced, and its id (and every link to it) stays
    assert reextract_article(session, result.article_id) == (0, 0)
    [same] = session.scalars(select(Statement))
    assert same.id == old_id
    # rules that now find something else replace the unreviewed statement
    session.execute(update(Statement).values(stance="undecided"))
    session.commit()
    removed, added = reextract_article(session, result.article_id)
    assert (removed, added) == (1, 1)
    [new] = session.scalars(select(Statement))
    assert (new.country_iso2, new.stance, new.quote) == ("NO", "support", old.quote)


def test_ingest_paths_summary(session, tmp_path):
    (tmp_path / "one.txt").write_text("date 2025-01-01\nPortugal will contribute soldiers to the force.\n")
    (tmp_path / "two.txt").write_text("date 2025-01-02\nGreece rejected the idea of a peacekeeping force.\n")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00")
    summary = ingest_paths(session, [tmp_path])
    assert (summary.added, summary.skipped, summary.failed, summary.statements) == (2, 0, 1, 2)
    assert not summary.ok
    again = ingest_paths(session, [tmp_path / "one.txt"])
    assert (again.added, again.skipped, again.failed) == (0, 1, 0) and again.ok


ARTICLE_A = """date 2025-05-14
title: Nordic leaders weigh a force for Ukraine
source: Example Wire

Norway is ready to send troops to a reassurance force once a ceasefire holds, Prime Minister Jonas Gahr Støre said on Tuesday.
Finland has not decided whether to contribute soldiers, and President Alexander Stubb said it was too early to say.
Last month, Hungary's Viktor Orbán rejected the idea of any European troops in Ukraine.
The ministers of Norway, Sweden and Finland will meet in Oslo next week to discuss the mission.
Analysts say Sweden and Denmark are likely to form the core of such a force.
"""

ARTICLE_B = """Austria weighs neutrality and peacekeeping
8:40 AM CET, March 3, 2025
Austrian Chancellor Christian Stocker said his country would only send peacekeepers under a UN mandate.
In February, Greek Prime Minister Kyriakos Mitsotakis ruled out sending Greek troops to Ukraine.
Russia rejected any deployment of Western troops near its borders.
"""


def test_articles_of_our_own_end_to_end(settings_env, session, tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    assert runner.invoke(cli, ["ingest", str(tmp_path)]).exit_code == 0
    data = json.loads(runner.invoke(cli, ["export", "--format", "json"]).stdout)
    got = {(d["article"], d["country"], d["stance"], d["stated_on"], d["date_precision"]) for d in data}
    assert got == {
        ("a.txt", "NO", "support", "2025-05-13", "day"),
        ("a.txt", "FI", "undecided", "2025-05-14", "day"),
        ("a.txt", "HU", "reject", "2025-04-01", "month"),
        ("b.txt", "AT", "undecided", "2025-03-03", "day"),
        ("b.txt", "GR", "reject", "2025-02-01", "month"),
    }
    no = next(d for d in data if d["country"] == "NO")
    assert (no["speaker"], no["source"]) == ("Jonas Gahr Støre", "Example Wire")
    at = next(d for d in data if d["country"] == "AT")
    assert at["conditions"] == "under a UN mandate"
