"""The HTML screens as a reader gets them: the map page, a country's timeline, the statement list, downloads,
htmx fragments from the same URLs, and error pages instead of tracebacks."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from factories import add_article, add_statement
from fastapi.testclient import TestClient

HX = {"HX-Request": "true"}


@pytest.fixture
def seeded(session):
    reuters = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=reuters, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=reuters, quote="France is ready to send troops.",
                  speaker="Emmanuel Macron", conditions="with a US backstop")
    add_statement(session, "DE", "reject", "2025-02-17", article=reuters, quote="Germany will not send soldiers.")
    add_statement(session, "GB", "support", "2025-02-16", quote="Britain is ready to put boots on the ground.",
                  source_url="https://gov.example/uk")
    add_statement(session, "AU", "undecided", "2025-03-02", quote="Australia is open to contributing.")
    add_statement(session, "PL", "support", "2025-02-18", review_status="dismissed", quote="Misread sentence.")
    add_statement(session, "IT", "reject", None, quote="Italy will not send troops (undated).")
    session.commit()


def _table_countries(html: str) -> list[str]:
    return re.findall(r'<tr id="row-([A-Z]{2})"', html)


def _legend(html: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(r'class="legend-count" data-stance="(\w+)">(\d+)<', html)}


# --- the map page ------------------------------------------------------------------------------------------------

def test_map_page_shows_positions_legend_table_and_freshness(client, seeded):
    r = client.get("/", params={"as_of": "2025-03-10"})
    assert r.status_code == 200
    html = r.text
    assert _legend(html) == {"support": 2, "reject": 1, "undecided": 1}
    assert _table_countries(html) == ["AU", "FR", "DE", "GB"]  # by name: Australia, France, Germany, United Kingdom
    assert "Misread sentence" not in html  # dismissed
    # The map colours each country by its stance and links it to its page.
    assert re.search(r'<a href="/countries/FR"[^>]*data-stance="support"', html)
    assert re.search(r'<a href="/countries/DE"[^>]*data-stance="reject"', html)
    assert re.search(r'<a href="/countries/PL"[^>]*data-stance="none"', html)
    assert "Statements through <strong>2 Mar 2025</strong>" in html
    assert "last ingest 1 Mar 2025, 12:00 UTC" in html
    assert 'href="/about"' in html
    assert re.search(r"/static/vendor/htmx-2.0.11.min.[0-9a-f]{12}.js", html)  # content-hashed name
    assert "HX-Request" in r.headers["vary"]


def test_an_earlier_date_shows_earlier_positions(client, seeded):
    html = client.get("/?as_of=2025-01-01").text
    assert _table_countries(html) == ["FR"]
    assert _legend(html) == {"support": 0, "reject": 0, "undecided": 1}
    assert re.search(r'<a href="/countries/FR"[^>]*data-stance="undecided"', html)
    assert 'value="2025-01-01"' in html  # the date field shows the date in the URL


def test_slider_ticks_mark_the_dates_positions_changed(client, seeded):
    import datetime as dt

    from app import clock

    html = client.get("/?as_of=2025-03-10").text
    day = lambda n: (dt.date(1970, 1, 1) + dt.timedelta(days=int(n))).isoformat()  # noqa: E731
    slider = re.search(r'<input type="range" id="as_of_slider" min="(\d+)" max="(\d+)" value="(\d+)"', html)
    # From the first statement to today (the slider's end and the date field agree), at the date shown.
    assert [day(v) for v in slider.groups()] == ["2024-11-01", clock.today().isoformat(), "2025-03-10"]
    ticks = re.findall(r'<option value="(\d+)"></option>', html.split('id="change-ticks"')[1].split("</datalist>")[0])
    # 2024-11-01, 2025-02-16 (GB), 2025-02-17 (FR changes, DE), 2025-03-02 (AU); PL is dismissed.
    assert [day(t) for t in ticks] == ["2024-11-01", "2025-02-16", "2025-02-17", "2025-03-02"]


def test_a_filter_draws_the_countries_it_hides_as_not_in_this_view(client, seeded):
    html = client.get("/?as_of=2025-03-10&stance=support").text
    assert re.search(r'data-iso2="DE" data-name="Germany" data-stance="filtered"[^>]*aria-label="Germany: not in '
                     r'this view"', html)  # rejects: hidden by the filter, not "no position"
    assert re.search(r'data-iso2="ES"[^>]*data-stance="none"', html)  # no position at all
    assert "Filtered: showing only" in html and "not in this view" in html
    html = client.get("/?as_of=2025-03-10&group=eu").text
    assert re.search(r'data-iso2="GB"[^>]*data-stance="filtered"', html)  # not an EU member
    assert re.search(r'data-iso2="AU"[^>]*data-stance="filtered"', html)  # its "Elsewhere" tile stays, muted
    assert re.search(r'data-iso2="FR"[^>]*data-stance="support"', html)
    # Without a filter nothing is "not in this view".
    assert "not in this view" not in client.get("/?as_of=2025-03-10").text


def test_the_live_region_sums_up_the_view_in_one_line(client, seeded):
    r = client.get("/?as_of=2025-03-10&group=eu", headers=HX)
    status = re.search(r'<p id="view-status"[^>]*hx-swap-oob="innerHTML">([^<]*)</p>', r.text).group(1)
    assert status == "Positions on 10 Mar 2025 (EU members): 1 support, 1 reject, 0 undecided."
    assert 'aria-live' not in r.text.split('id="view-status"')[0]  # the view itself is not re-read


def test_filters_sort_and_highlight_come_from_the_url(client, seeded):
    html = client.get("/?as_of=2025-03-10&stance=support").text
    assert _table_countries(html) == ["FR", "GB"]
    assert _legend(html) == {"support": 2, "reject": 1, "undecided": 1}  # the legend still counts every stance
    assert re.search(r'<a href="/countries/DE"[^>]*data-stance="filtered"', html)  # filtered out of the map too
    assert _table_countries(client.get("/?as_of=2025-03-10&group=eu").text) == ["FR", "DE"]
    assert _table_countries(client.get("/?as_of=2025-03-10&group=others").text) == ["AU"]
    assert _table_countries(client.get("/?as_of=2025-03-10&sort=-date").text) == ["AU", "FR", "DE", "GB"]
    assert _table_countries(client.get("/?as_of=2025-03-10&sort=stance").text) == ["FR", "GB", "DE", "AU"]
    html = client.get("/?as_of=2025-03-10&country=de").text
    assert 'id="row-DE" data-country="DE" data-stance="reject" class="is-highlight' in html
    assert re.search(r'<a href="/countries/DE" class="[^"]*highlight', html)
    # Sort links keep the other parameters, so a shared URL reproduces the view.
    assert 'href="/?as_of=2025-03-10&amp;sort=stance&amp;country=DE"' in html


def test_htmx_request_gets_only_the_view_and_form_state(client, seeded):
    r = client.get("/?as_of=2025-01-01&stance=undecided&group=&sort=&country=", headers=HX)
    assert r.status_code == 200 and "HX-Request" in r.headers["vary"]
    assert r.headers["hx-push-url"] == "/?as_of=2025-01-01&stance=undecided"  # the address bar gets a clean URL
    assert "<html" not in r.text and "site-header" not in r.text
    assert _table_countries(r.text) == ["FR"]
    assert 'id="form-state"' in r.text and 'hx-swap-oob="true"' in r.text
    assert 'id="view-status"' in r.text
    assert re.search(r'<option value="undecided" selected>', r.text)
    # A history restore must get the whole page, so back/forward/reload work.
    restore = client.get("/?as_of=2025-01-01", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text and "site-header" in restore.text


@pytest.mark.parametrize("query, field, message", [
    ("as_of=2025-02-30", "as_of", "is not a date"),
    ("stance=maybe", "stance", "is not one of: support, reject, undecided"),
    ("group=g7", "group", "is not one of: eu, nato, others"),
    ("sort=quote", "sort", "is not one of"),
    ("country=XX", "country", "not a known"),
])
def test_bad_map_parameters_keep_the_page_and_say_why(client, seeded, query, field, message):
    r = client.get(f"/?{query}")
    assert r.status_code == 422
    assert "Traceback" not in r.text
    assert f"<code>{field}</code>: " in r.text and message in r.text
    assert 'id="view-form"' in r.text and "stance-map" in r.text  # the page and its map are still there
    if field == "as_of":
        assert 'value="2025-02-30"' in r.text  # what was typed is kept in the field


def test_table_download_is_exactly_the_filtered_table(client, seeded):
    r = client.get("/positions.csv?as_of=2025-03-10&stance=support&sort=-country")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="positions-2025-03-10.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["country"], x["stance"], x["stated_on"]) for x in rows] == [
        ("GB", "support", "2025-02-16"), ("FR", "support", "2025-02-17")]
    assert rows[0]["url"] == "https://gov.example/uk" and rows[1]["speaker"] == "Emmanuel Macron"
    data = client.get("/positions.json?as_of=2025-01-01").json()
    assert [(x["country"], x["stance"]) for x in data] == [("FR", "undecided")]
    html = client.get("/?as_of=2025-03-10&stance=support&sort=-country").text
    assert 'href="/positions.csv?as_of=2025-03-10&amp;stance=support&amp;sort=-country"' in html


def test_whole_dataset_downloads_every_statement(client, seeded, session):
    for i in range(1200):  # more than one streamed batch and more than a page
        add_statement(session, "NO", "support", "2025-01-01", quote=f"bulk {i}")
    session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/statements.csv").text)))
    assert len(rows) == 7 + 1200
    assert {"Misread sentence.", "Italy will not send troops (undated)."} <= {x["quote"] for x in rows}
    assert len(client.get("/statements.json").json()) == 1207
    assert 'href="/statements.csv"' in client.get("/").text


def test_bad_download_parameters_are_a_page_not_a_traceback(client, seeded):
    r = client.get("/positions.csv?as_of=soon")
    assert r.status_code == 422 and "as_of" in r.text and "<html" in r.text
    assert client.get("/positions.xml").status_code == 404


# --- a country -----------------------------------------------------------------------------------------------

def test_country_timeline_marks_changes(client, seeded):
    r = client.get("/countries/FR")
    assert r.status_code == 200
    html = r.text
    # newest first
    assert html.index("France does not rule out troops.") > html.index("France is ready to send troops.")
    assert "first position" in html and "changed from undecided" in html
    assert "Emmanuel Macron" in html and "with a US backstop" in html
    assert 'href="https://reuters.example/1"' in html
    assert "Current position:" in html and "since 17 Feb 2025" in html
    assert 'href="/statements.csv?country=FR"' in html


def test_country_timeline_shows_dismissed_and_undated_as_not_counting(client, seeded):
    assert "dismissed by an editor" in client.get("/countries/PL").text
    assert "undated — does not count" in client.get("/countries/IT").text
    assert "No position on record." in client.get("/countries/IT").text


def test_country_codes_are_case_insensitive_and_unknown_is_404(client, seeded):
    r = client.get("/countries/fr", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/countries/FR"
    r = client.get("/countries/ZZ")
    assert r.status_code == 404 and "No such country" in r.text and "<html" in r.text
    assert client.get("/countries/France").status_code == 404


# --- the statement list ---------------------------------------------------------------------------------------

def test_statements_list_filters(client, seeded):
    html = client.get("/statements").text
    assert "<strong>7</strong> statements" in html
    html = client.get("/statements?country=FR&stance=support").text
    assert "<strong>1</strong> statement match" in html and "France is ready to send troops." in html
    html = client.get("/statements?date_from=2025-02-17&date_to=2025-02-18").text
    assert "<strong>3</strong> statements" in html
    assert "<strong>1</strong> statement" in client.get("/statements?review_status=dismissed").text
    assert "<strong>0</strong> statements" in client.get("/statements?origin=editor").text
    html = client.get("/statements?q=boots").text
    assert "<strong>1</strong> statement" in html and "Britain" in html
    # The form shows the filters in effect.
    assert re.search(r'<option value="FR" selected>France</option>', client.get("/statements?country=fr").text)
    html = client.get("/statements?country=JP").text  # a valid country with no statements stays selected
    assert '<option value="JP" selected>Japan</option>' in html and "<strong>0</strong> statements" in html


def test_statements_list_paginates(client, seeded, session):
    for i in range(120):
        add_statement(session, "NO", "support", f"2024-0{1 + i % 9}-01", quote=f"bulk {i}")
    session.commit()
    p1 = client.get("/statements").text
    assert "page 1 of 3" in p1 and 'rel="next" href="/statements?page=2"' in p1
    p3 = client.get("/statements?page=3").text
    assert "page 3 of 3" in p3 and "Italy will not send troops (undated)." in p3  # undated last
    past = client.get("/statements?stance=reject&page=9").text
    assert "Page 9 is past the end of this list (1 page)" in past and 'href="/statements?stance=reject"' in past
    filtered = client.get("/statements?country=NO&page=2").text
    assert 'href="/statements?country=NO&amp;page=3"' in filtered


def test_statements_list_htmx_fragment(client, seeded):
    r = client.get("/statements?country=&stance=reject&q=&page=1", headers=HX)
    assert "HX-Request" in r.headers["vary"] and r.headers["hx-push-url"] == "/statements?stance=reject"
    assert "<html" not in r.text and "filter-form" not in r.text
    assert "<strong>2</strong> statements" in r.text  # Germany, and Italy's undated statement
    assert "Germany will not send soldiers." in r.text


def test_filtered_list_downloads(client, seeded):
    rows = list(csv.DictReader(io.StringIO(client.get("/statements.csv?stance=reject").text)))
    assert sorted(x["country"] for x in rows) == ["DE", "IT"]
    data = json.loads(client.get("/statements.json?country=FR").text)
    assert [x["stated_on"] for x in data] == ["2024-11-01", "2025-02-17"]
    html = client.get("/statements?stance=reject").text
    assert 'href="/statements.csv?stance=reject"' in html


def test_bad_statement_filters_keep_the_form_and_say_why(client, seeded):
    r = client.get("/statements?country=ZZ&date_from=03/01/2025&q=troops")
    assert r.status_code == 422
    assert "<code>country</code>" in r.text and "<code>date_from</code>" in r.text
    assert 'value="troops"' in r.text and 'value="03/01/2025"' in r.text
    assert '<option value="ZZ" selected>ZZ (unknown)</option>' in r.text
    r = client.get("/statements?date_from=2025-03-01&date_to=2025-01-01")
    assert r.status_code == 422 and "the end date is before the start date" in r.text
    r = client.get("/statements?page=0")
    assert r.status_code == 422 and "<code>page</code>" in r.text
    r = client.get("/statements?q=a%00b")  # Postgres refuses NUL bytes: a message, not a 500
    assert r.status_code == 422 and "control character" in r.text
    assert client.get("/statements.csv?q=%00").status_code == 422
    assert client.get("/?country=F%00").status_code == 422
    assert client.get("/countries/F%00").status_code == 404
    r = client.get("/statements?page=99999999999999999999")
    assert r.status_code == 422 and "out of range" in r.text


# --- the rest ----------------------------------------------------------------------------------------------

def test_about_explains_the_method(client):
    html = client.get("/about").text
    for words in ("What counts as a position", "support", "reject", "undecided", "Who speaks for a country",
                  "Dating", "How sources are coded and reviewed", "dismiss"):
        assert words in html


def test_unknown_page_is_an_html_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Page not found" in r.text and "<html" in r.text


def test_server_error_is_a_page_not_a_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/api/boom")
    def api_boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
        assert r.status_code == 500 and "Something went wrong" in r.text and "secret internals" not in r.text
        r = c.get("/api/boom")
        assert r.status_code == 500 and r.json() == {"detail": "Internal server error"}


def test_map_page_without_any_statement_says_so(client):
    html = client.get("/").text
    assert "No statements yet" in html and "stancemap ingest" in html
    assert 'id="as_of_slider"' not in html  # nothing to move through
    assert "Statements through <strong>none yet</strong>, last ingest never" in " ".join(html.split())


def test_only_web_urls_become_source_links(client, session):
    add_statement(session, "FR", "support", "2025-01-01", source_url="javascript:alert(1)")
    add_statement(session, "DE", "support", "2025-01-01", source_url="https://ok.example/de")
    session.commit()
    for path in ("/?as_of=2025-02-01", "/statements", "/countries/FR"):
        html = client.get(path).text
        assert 'href="javascript:' not in html
    assert 'href="https://ok.example/de"' in client.get("/statements").text


def test_timeline_names_the_article_file_when_the_source_is_unknown(client, session):
    art = add_article(session, source=None)
    art.url = None
    art.title = None
    add_statement(session, "GB", "support", "2025-03-27", article=art, speaker="Keir Starmer")
    session.commit()
    html = client.get("/countries/GB").text
    assert f"article file <code>{art.file_name}</code>" in html


def test_an_article_from_a_json_lines_file_is_named_with_its_line(client, session):
    art = add_article(session, source=None)
    art.url, art.title, art.file_name, art.file_line = None, None, "feed.jsonl", 7
    add_statement(session, "GB", "support", "2025-03-27", article=art)
    session.commit()
    for path in ("/countries/GB", "/statements"):
        text = " ".join(re.sub(r"<[^>]+>", " ", client.get(path).text).split())
        assert "feed.jsonl line 7" in text


def test_a_quote_that_opens_with_quotation_marks_is_not_quoted_twice(client, session):
    add_statement(session, "DK", "support", "2025-01-01", quote='"We are ready to send troops," Frederiksen said.')
    add_statement(session, "NO", "support", "2025-01-01", quote="Norway is ready to send troops.")
    session.commit()
    for path in ("/?as_of=2025-02-01", "/statements"):
        html = client.get(path).text
        assert '<span class="quote">&#34;We are ready' in html and '<q>"We are ready' not in html
        assert "<q>Norway is ready to send troops.</q>" in html


def test_statements_list_sorts_by_any_column(client, seeded):
    def countries(query):
        return re.findall(r'<a href="/countries/([A-Z]{2})">', client.get("/statements" + query).text)

    assert countries("") == ["AU", "PL", "DE", "FR", "GB", "FR", "IT"]  # newest first, undated last
    assert countries("?sort=date") == ["FR", "GB", "DE", "FR", "PL", "AU", "IT"]  # oldest first, undated last
    assert countries("?sort=country") == ["AU", "FR", "FR", "DE", "IT", "PL", "GB"]  # Australia ... United Kingdom
    assert countries("?sort=-country") == ["GB", "PL", "IT", "DE", "FR", "FR", "AU"]
    assert countries("?sort=stance")[:3] == ["PL", "FR", "GB"]  # support first, newest first within a stance
    assert countries("?sort=quote")[0] == "AU"  # "Australia is open ..."
    assert countries("?sort=source&stance=support") == ["GB", "FR", "PL"]  # gov.example, Reuters, none last
    assert countries("?sort=review")[-1] == "IT" and countries("?sort=review")[0] == "PL"  # dismissed first
    html = client.get("/statements?sort=country&stance=reject").text
    assert 'aria-sort="ascending"' in html
    assert 'href="/statements?stance=reject&amp;sort=-country"' in html  # the header again reverses
    assert '<option value="country" selected>Country A–Z</option>' in html  # a filter change keeps the order
    fragment = client.get("/statements?sort=-quote", headers=HX).text
    assert re.search(r'<div class="field" id="sort-field" hx-swap-oob="true">', fragment)
    assert '<option value="-quote" selected>' in fragment


@pytest.mark.parametrize("bad", ["speaker", "-", "date;drop", "DATE%00"])
def test_a_bad_sort_of_the_statements_list_is_422_with_the_form(client, seeded, bad):
    r = client.get(f"/statements?sort={bad}&stance=support")
    assert r.status_code == 422
    assert "sort" in r.text and "is not one of" in r.text
    assert '<option value="support" selected>' in r.text  # the form keeps what was asked


def test_source_domains_wrap_only_after_a_dot(client, seeded):
    html = client.get("/statements?country=GB").text
    assert ">gov.<wbr>example/<wbr>uk</a>" in html
