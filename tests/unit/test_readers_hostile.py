"""Readers against hostile or careless input: dates out of range, links out of the folders, a JSON Lines record
naming another file, pages in a legacy charset. Each becomes a reported reason or warning, never a trusted value."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from app import clock
from app.ingest.readers import EARLIEST_ARTICLE_DATE, article_files, parse_text, read_file, read_paths
from app.ingest.types import ArticleInput, ReadError

BODY = "Norway is ready to send troops to a reassurance force in Ukraine after a ceasefire."


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 3, 10))
    return dt.date(2026, 3, 10)


@pytest.mark.parametrize("header", ["date 9999-12-31", "date 2999", "date 2999-01", "date 0001-01-15", "date 1899-12"])
def test_an_implausible_date_header_is_a_warning_and_no_date(header, frozen_today):
    a = parse_text(f"{header}\n{BODY}")
    assert isinstance(a, ArticleInput) and a.body == BODY
    assert (a.published_on, a.date_precision) == (None, "unknown")
    [w] = a.warnings
    assert repr(header.split()[1]) in w and ("in the future" in w or "is before" in w) and "undated" in w


def test_dates_up_to_tomorrow_and_from_the_earliest_are_kept(frozen_today):
    tomorrow = parse_text(f"date 2026-03-11\n{BODY}")  # a time zone east of UTC is a day ahead
    assert (tomorrow.published_on, tomorrow.warnings) == (dt.date(2026, 3, 11), ())
    later = parse_text(f"date 2026-03-12\n{BODY}")
    assert later.published_on is None and "in the future" in later.warnings[0]
    month = parse_text(f"date 2026-03\n{BODY}")  # this month starts before today
    assert (month.published_on, month.date_precision, month.warnings) == (dt.date(2026, 3, 1), "month", ())
    first = parse_text(f"date {EARLIEST_ARTICLE_DATE.isoformat()}\n{BODY}")
    assert first.published_on == EARLIEST_ARTICLE_DATE and first.warnings == ()


def test_json_lines_published_out_of_range_is_a_warning(tmp_path, frozen_today):
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(json.dumps({"text": f"{BODY} {i}", "published": p}) for i, p in enumerate(
        ["2999-05-01", "0001-01-01", "2999", "2027-01-01T10:00:00Z", "2025-06-01"])), encoding="utf-8")
    got = list(read_file(f))
    assert all(isinstance(g, ArticleInput) for g in got)
    assert [g.published_on for g in got] == [None, None, None, None, dt.date(2025, 6, 1)]
    assert ["future" in g.warnings[0] for g in got[:4]] == [True, False, True, True]
    assert "is before 1900-01-01" in got[1].warnings[0]
    assert got[4].warnings == ()


def test_a_json_lines_record_cannot_rename_its_file(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"text": BODY, "file_name": "../../../etc/passwd"}) + "\n", encoding="utf-8")
    [a] = read_file(f)
    assert (a.file_name, a.file_line) == ("feed.jsonl", 1)


def test_links_out_of_the_given_folders_are_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("date 2025-01-01\nA secret outside the folder.\n")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "real.txt").write_text(f"date 2025-01-02\n{BODY}\n")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink(outside / "secret.txt", folder / "secret.txt")
    os.symlink(outside, folder / "elsewhere")
    os.symlink(folder / "real.txt", folder / "sub" / "alias.txt")  # stays inside: read through
    os.symlink(tmp_path / "missing.txt", folder / "broken.txt")
    os.symlink("/etc/passwd", folder / "passwd")  # not an article file's name: ignored like any other
    got = list(read_paths([folder]))
    errors = {os.path.basename(g.path): g.reason for g in got if isinstance(g, ReadError)}
    assert set(errors) == {"passwd.txt", "secret.txt", "elsewhere", "broken.txt"}
    assert "outside the folders given; not followed" in errors["passwd.txt"] and "/etc/passwd" in errors["passwd.txt"]
    assert "outside the folders given" in errors["secret.txt"] and "outside the folders given" in errors["elsewhere"]
    assert "broken" in errors["broken.txt"]
    articles = [g for g in got if isinstance(g, ArticleInput)]
    assert [a.body for a in articles] == [BODY, BODY]  # real.txt, and its alias read through (the store skips it)
    assert not any("secret" in a.body or "root:" in a.body for a in articles)


def test_a_link_to_a_sibling_folder_given_too_is_followed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (b / "x.txt").write_text(BODY)
    os.symlink(b / "x.txt", a / "x.txt")
    assert [g for g in article_files([a, b])] == [b / "x.txt", b / "x.txt"]
    [err] = article_files([a])
    assert isinstance(err, ReadError) and "outside the folders given" in err.reason


def test_a_file_named_on_the_command_line_is_read_even_as_a_link(tmp_path):
    (tmp_path / "target.txt").write_text(BODY)
    os.symlink(tmp_path / "target.txt", tmp_path / "link.txt")
    [a] = read_paths([tmp_path / "link.txt"])
    assert isinstance(a, ArticleInput) and a.body == BODY


def test_a_fifo_in_place_of_a_file_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    [r] = read_file(tmp_path / "pipe.txt")
    assert isinstance(r, ReadError) and "not a regular file" in r.reason


PAGE = ("<html><head>{meta}<title>Peacekeepers</title></head><body><article><h1>Peacekeepers</h1>"
        "<p>{text}</p><p>Finland has not decided yet and is waiting for the outcome of the talks in the coming "
        "weeks, officials said.</p></article></body></html>")


def _page(tmp_path, name, text, encoding, meta=""):
    f = tmp_path / name
    f.write_bytes(PAGE.format(meta=meta, text=text).encode(encoding))
    return f


def test_a_page_in_its_declared_legacy_charset_is_decoded(tmp_path):
    text = "Le président français a déclaré que la France était prête à envoyer des soldats – « une force de réassurance » pour 5 € de plus."
    f = _page(tmp_path, "fr.html", text, "cp1252", '<meta charset="windows-1252">')
    [a] = read_file(f)
    assert isinstance(a, ArticleInput) and text in a.body


def test_a_page_declaring_latin1_is_read_as_windows_1252_like_a_browser(tmp_path):
    # the WHATWG maps the ISO-8859-1 label to windows-1252: bytes 0x93/0x94 are curly quotes, 0x80 the euro
    text = "The minister said \u201cwe are ready\u201d to pay \u20ac5 billion for the mission to Ukraine this year."
    f = _page(tmp_path, "en.html", text, "cp1252", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    [a] = read_file(f)
    assert isinstance(a, ArticleInput) and text in a.body


def test_an_undeclared_legacy_page_is_decoded_by_detection(tmp_path):
    text = ("Президент заявил, что страна не будет отправлять войска на Украину, и добавил, что решение "
            "о миротворческой миссии должно быть принято всеми союзниками после прекращения огня.")
    f = _page(tmp_path, "ru.html", text, "cp1251")
    [a] = read_file(f)
    assert isinstance(a, ArticleInput) and "не будет отправлять войска" in a.body


def test_a_utf16_page_with_its_byte_order_mark_is_not_binary(tmp_path):
    text = "Norway is ready to send peacekeepers to Ukraine after a ceasefire, the government said on Monday."
    f = tmp_path / "u16.html"
    f.write_bytes(PAGE.format(meta="", text=text).encode("utf-16"))  # with BOM: NUL bytes everywhere
    [a] = read_file(f)
    assert isinstance(a, ArticleInput) and text in a.body


def test_text_files_stay_utf8_only(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 troops".encode("latin-1"))
    [r] = read_file(tmp_path / "latin1.txt")
    assert isinstance(r, ReadError) and "not UTF-8" in r.reason
