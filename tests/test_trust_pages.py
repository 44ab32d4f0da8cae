"""What readers see of how sure a position is: trust words and the map's second cue, verified-only views, stale
and month-precision dates, corroboration, undated countries, and a country page with many statements."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import add_article, add_statement

HX = {"HX-Request": "true"}


@pytest.fixture
def trust_seeded(session):
    err, reuters = add_article(session, source="ERR"), add_article(session, source="Reuters")
    add_statement(session, "EE", "support", "2025-02-10", article=err, confidence=0.8, quote="Estonia is ready.")
    add_statement(session, "EE", "support", "2025-02-12", article=reuters, confidence=0.7, quote="Estonia ready (2).")
    add_statement(session, "FR", "undecided", "2024-01-05", origin="editor", review_status="verified",
                  quote="France is weighing it.")
    add_statement(session, "FR", "support", "2025-04-01", date_precision="month", confidence=0.9,
                  quote="France backs the force.")
    add_statement(session, "DE", "reject", "2024-06-01", review_status="verified", quote="Germany will not.")
    add_statement(session, "JP", "reject", None, date_precision="unknown", quote="Japan will not send troops.")
    session.commit()


def _row(html: str, iso2: str) -> str:
    m = re.search(rf'<tr id="row-{iso2}".*?</tr>', html, re.S)
    return m.group(0) if m else ""


def test_map_marks_unreviewed_positions_and_says_how_sure_each_is(client, trust_seeded):
    html = client.get("/?as_of=2025-05-01").text
    assert re.search(r'<a href="/countries/EE" class="country stance-support unreviewed"', html)
    assert re.search(r'<a href="/countries/DE" class="country stance-reject"', html)
    assert 'data-trust-label="machine-found, not reviewed (confidence 0.70)"' in html  # the later report wins
    assert "machine-found, not reviewed (confidence 0.70)" in _row(html, "EE")
    assert "verified by an editor" in _row(html, "DE")
    assert re.search(r'data-trust="reviewed">1<', html) and re.search(r'data-trust="unreviewed">2<', html)
    # since / last restated, month precision as "Apr 2025", corroboration
    assert "Apr 2025" in _row(html, "FR") and "2025-04-01" not in _row(html, "FR").split("<td")[3]
    assert "since Apr 2025" in html  # accessible name of France on the map
    assert "2 sources" in _row(html, "EE")
    # stale: Germany last spoke 11 months before the date
    assert "stale" in _row(html, "DE") and "last stated 11 months before this date" in _row(html, "DE")
    assert "stale" not in _row(html, "EE")
    assert "more than 180 days before the date" in html
    # a country with only undated statements is listed under the map, with a link
    assert re.search(r'undated:\s*<a href="/countries/JP">Japan</a> reject', html)


def test_verified_only_view(client, trust_seeded):
    html = client.get("/?as_of=2025-05-01&reviewed=verified").text
    assert re.findall(r'<tr id="row-([A-Z]{2})"', html) == ["FR", "DE"]
    assert "France is weighing it." in _row(html, "FR") and "entered by an editor" in _row(html, "FR")
    assert "unreviewed" not in re.search(r'<svg class="stance-map".*?</svg>', html, re.S).group(0).replace(
        "not reviewed", "")
    assert re.search(r'data-trust="unreviewed">0<', html)
    assert 'value="verified" checked' in html
    # the URL keeps the choice; the default "all" is left out of it and marked in the form
    r = client.get("/?as_of=2025-05-01&reviewed=verified&stance=reject", headers=HX)
    assert r.headers["HX-Push-Url"] == "/?as_of=2025-05-01&stance=reject&reviewed=verified"
    html = client.get("/?as_of=2025-05-01").text
    assert 'value="all" checked' in html and "(default)" in html
    r = client.get("/?reviewed=everything")
    assert r.status_code == 422 and "reviewed" in r.text


def test_machine_on_map_false_keeps_unverified_statements_off_the_map(trust_seeded, engine, monkeypatch):
    from fastapi.testclient import TestClient

    from app.settings import get_settings
    from app.web import create_app

    monkeypatch.setenv("MACHINE_ON_MAP", "false")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(engine)) as c:
            html = c.get("/?as_of=2025-05-01").text
            assert re.findall(r'<tr id="row-([A-Z]{2})"', html) == ["FR", "DE"]
            assert "keeps unreviewed machine findings off the map" in html
            assert {p["country"] for p in c.get("/api/positions?as_of=2025-05-01").json()} == {"FR", "DE"}
    finally:
        get_settings.cache_clear()


def test_country_page_says_since_last_restated_and_trust(client, trust_seeded):
    html = client.get("/countries/EE").text
    assert "since 10 Feb 2025, last restated 12 Feb 2025" in html
    assert "machine-found, not reviewed (confidence 0.70)" in html
    assert "No verified or editor-entered statement supports a position yet." in html
    # the two reports of one statement are one entry
    assert "2 reports of this within 7 days, in 2 articles from 2 sources: ERR, Reuters" in html
    assert html.count('class="tl-entry') == 1
    assert 'href="/statements/' in html
    fr = client.get("/countries/FR").text
    assert "Counting only verified and editor-entered statements:" in fr and "Apr 2025" in fr


def test_country_page_with_many_statements_pages_by_cursor(client, session):
    start = dt.date(2023, 1, 1)
    for n in range(130):  # 10 days apart: no two are reports of one statement
        add_statement(session, "PL", ("support", "reject")[n // 40 % 2], start + dt.timedelta(days=10 * n),
                      quote=f"statement number {n}.")
    session.commit()
    html = client.get("/countries/PL").text
    assert html.count('class="tl-entry') == 50
    assert "statement number 129." in html and "statement number 80." in html and "number 79." not in html
    assert "130 statements" in html and "(4 changes)" in html
    older = re.search(r'href="(/countries/PL\?before=[^"]+)"', html).group(1)
    page2 = client.get(older)  # without JavaScript: a whole page
    assert "<html" in page2.text and "statement number 79." in page2.text and "number 80." not in page2.text
    fragment = client.get(older, headers=HX)  # with htmx: only the next items and the next button
    assert "<html" not in fragment.text and fragment.text.count('class="tl-entry') == 50
    assert 'class="tl-more"' in fragment.text
    last = client.get(re.search(r'href="(/countries/PL\?before=[^"]+)"', fragment.text).group(1), headers=HX)
    assert last.text.count('class="tl-entry') == 30 and 'class="tl-more"' not in last.text
    assert client.get("/countries/PL?before=yesterday").status_code == 422
