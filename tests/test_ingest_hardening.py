"""Ingest on a real database against hostile input and against other ingests: implausible dates, links out of
the folders, renaming records, legacy charsets, extraction failures, concurrent runs and --jobs N."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.db import session_factory
from app.ingest.extract import RuleExtractor
from dataclasses import replace

from app import positions
from app.ingest.dates import DateValue
from app.ingest.store import ingest_paths, prepare, store_article, store_prepared
from app.ingest.types import ArticleInput
from app.models import Article, Statement

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
COUNTRIES = ["Norway", "Finland", "Portugal", "Greece", "Austria", "Ireland", "Denmark", "Spain", "Italy", "Sweden"]
CUES = ["is ready to send troops to a reassurance force in Ukraine", "will not send soldiers to Ukraine",
        "does not rule out joining a peacekeeping mission in Ukraine"]


def write_corpus(folder: Path, n: int, start: int = 0) -> None:
    """n small articles, distinct bodies, as text files and one JSON Lines feed."""
    folder.mkdir(parents=True, exist_ok=True)
    feed = []
    for i in range(start, start + n):
        c, c2 = COUNTRIES[i % len(COUNTRIES)], COUNTRIES[(i * 3 + 1) % len(COUNTRIES)]
        body = (f"Report {i}: leaders meet.\n{c} {CUES[i % 3]}, the minister said on Monday. "
                f"{c2} {CUES[(i + 1) % 3]}. Markets were calm.")
        date = f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}"
        if i % 5 == 4:
            feed.append(json.dumps({"text": body, "published": date, "title": f"A{i}"}))
        else:
            (folder / f"a{i:05d}.txt").write_text(f"date {date}\ntitle: A{i}\n\n{body}\n", encoding="utf-8")
    if feed:
        (folder / f"feed{start:05d}.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")


def counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Article)),
            session.scalar(select(func.count()).select_from(Statement)),
            session.scalar(select(func.count(func.distinct(Article.body_sha256)))))


# --- dates, links, names, charsets ---------------------------------------------------------------------------

def test_a_future_header_date_is_reported_and_the_article_stored_undated(settings_env, session, tmp_path):
    (tmp_path / "future.txt").write_text("date 9999-12-31\nNorway is ready to send troops to Ukraine.\n")
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"text": "Finland will not send troops to Ukraine.", "published": "2999-01-01"},
        {"text": "Ireland will not send troops to Ukraine.", "published": "0001-01-01"},
    ]) + "\n")
    result = runner.invoke(cli, ["ingest", "--jobs", "1", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "ingested with a warning (3)" in result.stderr
    assert "future.txt: the date line '9999-12-31' is in the future" in result.stderr
    assert "feed.jsonl:1: published '2999-01-01' is in the future" in result.stderr
    assert "feed.jsonl:2: published '0001-01-01' is before 1900-01-01" in result.stderr
    rows = session.execute(select(Article.published_on, Article.date_precision)).all()
    assert rows == [(None, "unknown")] * 3
    assert {(s.stated_on, s.date_precision) for s in session.scalars(select(Statement))} == {(None, "unknown")}


def test_a_link_to_etc_passwd_is_reported_and_not_stored(settings_env, session, tmp_path):
    (tmp_path / "real.txt").write_text("date 2025-02-01\nIreland is ready to send peacekeepers to Ukraine.\n")
    os.symlink("/etc/passwd", tmp_path / "passwd.txt")
    result = runner.invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert "passwd.txt: a symbolic link to /etc/passwd, outside the folders given; not followed" in result.stderr
    bodies = session.scalars(select(Article.body)).all()
    assert len(bodies) == 1 and "root:" not in bodies[0]


def test_a_json_lines_file_name_does_not_rename_the_article(settings_env, session, tmp_path):
    (tmp_path / "feed.jsonl").write_text(json.dumps(
        {"text": "Austria will not send troops to Ukraine.", "file_name": "../../../etc/passwd"}) + "\n")
    assert runner.invoke(cli, ["ingest", str(tmp_path)]).exit_code == 0
    assert session.execute(select(Article.file_name, Article.file_line)).all() == [("feed.jsonl", 1)]


def test_a_windows_1252_page_is_stored_with_its_text(session, tmp_path):
    text = "Le président a déclaré que la France était prête à envoyer des soldats en Ukraine – « coûte que coûte »."
    page = (f'<html><head><meta charset="windows-1252"><title>France</title></head><body><article>'
            f"<p>{text}</p><p>Les discussions se poursuivent entre les alliés européens cette semaine.</p>"
            f"</article></body></html>")
    (tmp_path / "fr.html").write_bytes(page.encode("cp1252"))
    summary = ingest_paths(session, [tmp_path])
    assert (summary.added, summary.failed) == (1, 0), summary.errors
    assert text in session.scalar(select(Article.body))


# --- extraction failures and worker deaths ------------------------------------------------------------------

class FailsOn(RuleExtractor):
    """The rules, except that one body makes them raise (as the extractor's time limit does)."""

    def extract(self, article):
        if "Report 3:" in article.body:
            raise TimeoutError("extraction took longer than its limit")
        return super().extract(article)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_extractor_exception_is_reported_and_the_run_goes_on(session, tmp_path, jobs):
    write_corpus(tmp_path / "c", 10)
    summary = ingest_paths(session, [tmp_path / "c"], extractor=FailsOn(), jobs=jobs)
    assert (summary.added, summary.failed) == (9, 1)
    [err] = summary.errors
    assert err.path == "a00003.txt"
    assert err.reason == "could not be extracted (TimeoutError: extraction took longer than its limit)"


class DiesOn(RuleExtractor):
    """A worker process that dies on one article (as a crash in a parser or the OOM killer would)."""

    marker = "Report 33:"

    def extract(self, article):
        if self.marker in article.body:
            os._exit(3)
        return super().extract(article)


@pytest.mark.parametrize("marker, where", [("Report 33:", "a00033.txt"), ("Report 34:", "feed00000.jsonl:7")])
def test_a_worker_that_dies_is_reported_and_the_others_go_on(session, tmp_path, marker, where):
    write_corpus(tmp_path / "c", 200)  # 160 text files, a feed of 40 lines (two tasks)
    extractor = DiesOn()
    extractor.marker = marker
    summary = ingest_paths(session, [tmp_path / "c"], extractor=extractor, jobs=2)
    # the files (or lines) in flight with it are tried again one by one: only the one that kills a worker is lost
    [err] = summary.errors
    assert err.path.endswith(where) and "the worker process reading and extracting it died" in err.reason
    assert (summary.added, summary.failed) == (199, 1) and counts(session)[0] == 199
    stored = _stored(session)[0]
    assert stored == sorted(stored, key=lambda a: (a[1] or "", a[2] or 0))  # in the input's order
    again = ingest_paths(session, [tmp_path / "c"], jobs=2)  # with rules that finish it, a rerun stores it
    assert (again.added, again.skipped, again.failed) == (1, 199, 0) and counts(session)[0] == 200


# --- batches: what the database refuses of one article loses nothing else ---------------------------------------

class RefusedArticle(RuleExtractor):
    """The rules, except that one article comes with a date precision the database's check refuses."""

    def date(self, article):
        value = super().date(article)
        return DateValue(value.date, "fortnight") if "Report 5:" in article.body else value


class RefusedStatement(RuleExtractor):
    """The rules, except that one article's first statement names a country the database does not know."""

    def extract(self, article):
        found = super().extract(article)
        return [replace(found[0], country="XX"), *found[1:]] if "Report 7:" in article.body else found


def _as_rebuilt(session) -> bool:
    session.expire_all()
    kept = positions.snapshot(session)
    positions.rebuild_positions(session)
    session.commit()
    return positions.snapshot(session) == kept


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("extractor, culprit", [(RefusedArticle, "a00005.txt"), (RefusedStatement, "a00007.txt")])
def test_an_article_the_database_refuses_is_reported_and_the_rest_of_its_batch_stored(session, tmp_path, jobs,
                                                                                     extractor, culprit):
    write_corpus(tmp_path / "c", 30)  # one batch: the refused row rolls back its savepoint, or the refused
    summary = ingest_paths(session, [tmp_path / "c"], extractor=extractor(), jobs=jobs)  # statement the batch
    [err] = summary.errors
    assert err.path == culprit and err.reason.startswith("could not be stored (IntegrityError")
    assert (summary.added, summary.failed) == (29, 1) and counts(session)[:2] == (29, summary.statements)
    assert _as_rebuilt(session)  # the kept positions hold what was stored, not what was refused


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_body_repeated_in_the_input_is_stored_once_and_costs_no_id(session, tmp_path, jobs):
    write_corpus(tmp_path / "c", 20)
    for name in ("a00003.txt", "a00011.txt"):
        (tmp_path / "c" / name.replace(".txt", "b.txt")).write_bytes((tmp_path / "c" / name).read_bytes())
    summary = ingest_paths(session, [tmp_path / "c"], jobs=jobs)
    assert (summary.added, summary.skipped, summary.failed) == (20, 2, 0)
    ids = session.scalars(select(Article.id).order_by(Article.id)).all()
    assert len(ids) == 20 and ids[-1] - ids[0] == 19  # no insert was tried (and no sequence number spent) for them


def test_the_ids_a_batch_takes_for_its_statements_are_those_read_back(session):
    from app.ingest import store

    items = [ArticleInput(body=f"Report {i}: Norway will not send troops to Ukraine. Finland is ready to send troops "
                               f"to Ukraine.", published_on=dt.date(2025, 1, 1 + i), date_precision="day")
             for i in range(5)]
    store_prepared(session, prepare(items[0], RuleExtractor()))  # something stored before
    positions.bump_version(session)
    conn = session.connection()
    stored: list = []
    for p in [prepare(i, RuleExtractor()) for i in items[1:]]:
        assert store._store_article_row(conn, p, stored, {}, {}).added
    ids = store._insert_statement_rows(conn, [store._statement_row(c, a) for a, p, _ in stored for c in p.candidates])
    assert ids is not None and len(ids) == 8
    assert store._facts(conn, stored, ids) == store._facts(conn, stored, None)
    session.rollback()


# --- --jobs N gives the same result as one job ------------------------------------------------------------

def _stored(session) -> list[tuple]:
    session.expire_all()
    first = session.scalar(select(func.min(Article.id)))
    articles = session.execute(select(Article.id, Article.file_name, Article.file_line, Article.title,
                                      Article.published_on, Article.date_precision, Article.body_sha256)
                               .order_by(Article.id)).all()
    statements = session.execute(
        select(Statement.article_id, Statement.country_iso2, Statement.stance, Statement.stated_on,
               Statement.date_precision, Statement.quote, Statement.speaker, Statement.conditions,
               Statement.confidence, Statement.quote_start, Statement.quote_end, Statement.mention_start,
               Statement.cue_start, Statement.rules_version).order_by(Statement.id)).all()
    return ([(a[0] - first, *a[1:]) for a in articles], [(s[0] - first, *s[1:]) for s in statements])


def test_jobs_2_stores_the_same_as_jobs_1(settings_env, session, tmp_path):
    write_corpus(tmp_path / "c", 400)  # 320 text files, a feed of 80 lines (three tasks)
    (tmp_path / "c" / "bad.txt").write_bytes(b"\x00\x01")
    (tmp_path / "c" / "bad.jsonl").write_text('{"text": "Norway is ready to send troops."}\n{oops\n')
    for f in sorted((ROOT / "seeds").iterdir()):
        (tmp_path / "c" / f.name).write_bytes(f.read_bytes())
    one = runner.invoke(cli, ["ingest", "--jobs", "1", str(tmp_path / "c")])
    assert one.exit_code == 1 and "bad.txt: binary file" in one.stderr and "bad.jsonl:2: malformed JSON" in one.stderr
    by_one = _stored(session)
    assert len(by_one[0]) == 406 and len(by_one[1]) > 800
    session.execute(Statement.__table__.delete())
    session.execute(Article.__table__.delete())
    session.commit()
    two = runner.invoke(cli, ["ingest", "--jobs", "2", str(tmp_path / "c")])
    assert two.exit_code == 1 and "bad.txt: binary file" in two.stderr and "bad.jsonl:2: malformed JSON" in two.stderr
    assert _stored(session) == by_one
    rerun = runner.invoke(cli, ["ingest", "--jobs", "2", str(tmp_path / "c")])
    assert "406" in rerun.stderr and _stored(session) == by_one  # all skipped (already stored)


# --- ingests running at once ---------------------------------------------------------------------------------

def test_the_same_article_stored_at_once_by_two_sessions_is_stored_once(engine, session):
    item = ArticleInput(body="Norway is ready to send troops to Ukraine.", file_name="a.txt",
                        published_on=dt.date(2025, 1, 2), date_precision="day")
    first = store_prepared(session, prepare(item, RuleExtractor()), commit=False)  # holds it, uncommitted
    assert first.status == "added"
    got = {}

    def other_run():
        with session_factory(engine)() as other:
            got["result"] = store_article(other, item)

    t = threading.Thread(target=other_run)
    t.start()
    time.sleep(0.5)  # the other insert now waits on ours (Postgres: the row; SQLite: the write lock)
    session.commit()
    t.join(30)
    assert (got["result"].status, got["result"].article_id) == ("already stored", first.article_id)
    assert counts(session)[:2] == (1, 1)


def _ingest_process(db_url: str, folder: Path, jobs: int, output=subprocess.PIPE) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "ingest", "--jobs", str(jobs),
                             str(folder)], env=env, cwd=ROOT, stdout=output, stderr=output, text=True)


@pytest.mark.parametrize("jobs", [1, 2])
def test_two_ingests_of_overlapping_folders_at_once_store_each_article_once(db_url, session, tmp_path, jobs):
    shared = tmp_path / "shared"
    write_corpus(shared, 300)
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, 40, start=1000)
    write_corpus(b, 40, start=2000)
    for d in (a, b):  # both folders hold the shared articles, in the same order, so the runs collide
        for f in shared.iterdir():
            (d / f"s_{f.name}").write_bytes(f.read_bytes())
    runs = [_ingest_process(db_url, a, jobs), _ingest_process(db_url, b, jobs)]
    outs = [p.communicate(timeout=600) for p in runs]
    for p, (_out, err) in zip(runs, outs, strict=True):
        assert p.returncode == 0, err
        assert "not ingested" not in err and "failed" in err
    assert counts(session)[0] == counts(session)[2] == 380
    # what each run says it added and skipped adds up: every shared article once, skipped by the other
    figures = []
    for _, err in outs:
        row = next(line for line in err.splitlines() if line.strip().startswith("│") and any(ch.isdigit() for ch in line))
        figures.append([int(x) for x in row.replace("│", " ").split()])
    assert sum(f[0] for f in figures) == 380 and all(f[2] == 0 for f in figures)
    assert sum(f[1] for f in figures) == 300  # skipped (already stored): each shared article by one run


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_do_not_outlive_a_killed_ingest(db_url, tmp_path):
    import signal

    write_corpus(tmp_path / "c", 3000)
    p = _ingest_process(db_url, tmp_path / "c", 2, output=subprocess.DEVNULL)  # orphans would hold a pipe open
    children_file = Path(f"/proc/{p.pid}/task/{p.pid}/children")
    if not children_file.exists():
        p.kill()
        p.communicate()
        pytest.skip("the kernel does not list children in /proc")
    deadline = time.monotonic() + 60
    children: list[int] = []
    while len(children) < 2 and p.poll() is None and time.monotonic() < deadline:
        children = [int(c) for c in children_file.read_text().split()]
        time.sleep(0.05)
    assert len(children) == 2, "the workers did not start"
    p.send_signal(signal.SIGKILL)
    p.wait()

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while any(alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [c for c in children if alive(c)]
    for c in left:  # do not leave them behind when the test fails
        os.kill(c, signal.SIGKILL)
    assert not left, "worker processes outlived the killed ingest"
