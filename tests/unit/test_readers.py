"""Readers: text, JSON Lines and HTML files to articles; bad files to a reason, never an exception."""
from __future__ import annotations

import datetime as dt
import json

from app.ingest.readers import parse_text, read_file, read_paths
from app.ingest.types import ArticleInput, ReadError


def test_headers_then_body(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("date 2025-02-03\nsource: Example Wire\ntitle: A title\nurl: https://example.org/a\n\nBody one.\n")
    [a] = read_file(f)
    assert a == ArticleInput(body="Body one.", title="A title", source="Example Wire", url="https://example.org/a",
                             published_on=dt.date(2025, 2, 3), date_precision="day", file_name="a.txt")


def test_date_and_first_sentence_on_one_indented_line():
    a = parse_text("  date 2024-05-06 First sentence here.\n\nSecond paragraph.")
    assert a.published_on == dt.date(2024, 5, 6)
    assert a.body == "First sentence here.\n\nSecond paragraph."


def test_no_header_keeps_every_line():
    a = parse_text("Headline without header\nBody line.")
    assert a.published_on is None and a.body.startswith("Headline without header")


def test_prose_starting_with_date_word_is_body():
    a = parse_text("Date of the summit is not set.")
    assert a.published_on is None and a.body == "Date of the summit is not set."


def test_bad_text_files_are_reasons(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "big.txt").write_text("x" * 200)
    (tmp_path / "header_only.txt").write_text("date 2025-01-01\ntitle: t\n")
    got = {r.path.rsplit("/", 1)[-1]: r.reason for r in read_paths([tmp_path], max_bytes=100)}
    assert "not UTF-8" in got["latin1.txt"]
    assert got["empty.txt"] == "empty file"
    assert "binary" in got["bin.txt"]
    assert "larger than the limit" in got["big.txt"]
    assert "no article text" in got["header_only.txt"]


def test_jsonl_bad_line_is_reported_and_others_load(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join([
        json.dumps({"title": "One", "url": "u1", "source": "S", "published": "2025-01-02T10:00:00Z", "text": "A."}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": "B.", "published": "2025-03"}),
        json.dumps({"text": "C.", "published": "someday"}),
    ]))
    got = list(read_file(f))
    assert [type(g).__name__ for g in got] == ["ArticleInput", "ReadError", "ReadError", "ArticleInput", "ReadError"]
    assert got[0].published_on == dt.date(2025, 1, 2)
    # the article keeps its file's name (what scoring matches on) and the line it came from
    assert (got[0].file_name, got[0].file_line) == ("feed.jsonl", 1)
    assert (got[3].file_name, got[3].file_line) == ("feed.jsonl", 4)
    assert got[1].path.endswith("feed.jsonl:2") and "malformed JSON" in got[1].reason
    assert (got[3].published_on, got[3].date_precision) == (dt.date(2025, 3, 1), "month")
    assert "not a date" in got[4].reason


def test_html_main_text_title_and_date(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(
        "<html><head><title>Peacekeepers debate</title>"
        '<meta property="article:published_time" content="2025-02-10T08:00:00Z"></head>'
        "<body><nav>Home | World | Sport</nav><article><h1>Peacekeepers debate</h1>"
        "<p>Norway is ready to send peacekeepers to Ukraine after a ceasefire, the government said on Monday.</p>"
        "<p>Finland has not decided yet and is waiting for the outcome of the talks in the coming weeks.</p>"
        "</article><footer>Copyright</footer></body></html>")
    [a] = read_file(f)
    assert isinstance(a, ArticleInput)
    assert "Norway is ready to send peacekeepers" in a.body and "Copyright" not in a.body
    assert a.title == "Peacekeepers debate"
    assert a.published_on == dt.date(2025, 2, 10)


def test_html_without_text_is_a_reason(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><title>x</title></head><body></body></html>")
    [r] = read_file(f)
    assert isinstance(r, ReadError) and "no article text" in r.reason


def test_unsupported_and_missing_paths(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    [r] = read_file(tmp_path / "notes.pdf")
    assert "unsupported file type" in r.reason
    assert list(read_paths([tmp_path])) == []  # folders only yield supported types
    [r] = read_paths([tmp_path / "nope.txt"])
    assert r.reason == "no such file or folder"


def test_a_date_header_known_only_to_the_month_or_year_keeps_that_precision():
    got = parse_text(" date 2024-03 Share:\n\nFrance is creating an alliance.")
    assert (got.published_on, got.date_precision, got.body) == (dt.date(2024, 3, 1), "month", "Share:\n\nFrance is creating an alliance.")
    got = parse_text("date 2025\nNorway is ready.")
    assert (got.published_on, got.date_precision) == (dt.date(2025, 1, 1), "year")
    assert parse_text("date 2025-13\nText.") == "the date line '2025-13' is not a valid date"
