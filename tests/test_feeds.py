"""Change feeds and the /changes list: Atom read back by feedparser, entries that follow the kept changes after
an editor's edit, trust in every entry, the verified reading, conditional GET, filters and pages."""
from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from factories import add_article, add_statement

from app import editing, queries
from app.editing import validate_statement

HX = {"HX-Request": "true"}


@pytest.fixture
def seeded(session):
    reuters = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=reuters, quote="France does not rule out troops.",
                  confidence=0.62)
    fr = add_statement(session, "FR", "support", "2025-02-17", article=reuters, quote="France is ready to send troops.",
                       speaker="Emmanuel Macron", conditions="with a US backstop", review_status="verified")
    add_statement(session, "FR", "support", "2025-02-20", article=reuters, quote="France repeats it is ready.")
    add_statement(session, "DE", "reject", "2025-02-17", article=reuters, quote="Germany will not send soldiers.")
    add_statement(session, "GB", "support", "2025-02-16", quote="Britain is ready to put boots on the ground.",
                  source_url="https://gov.example/uk", origin="editor", review_status="verified")
    add_statement(session, "PL", "support", "2025-02-18", review_status="dismissed", quote="Misread sentence.")
    add_statement(session, "IT", "reject", None, quote="Italy will not send troops (undated).")
    session.commit()
    return {"fr": fr.id}


@pytest.fixture
def editor(session):
    return editing.create_user(session, "erin", "correct horse battery")


def _feed(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _kept_changes(session, reading="all"):
    """(country, day, previous, stance) of every kept change, newest first: what the feed must show."""
    rows = queries.position_change_entries(session, queries.ChangeFilters(reading=reading), limit=1000)
    return [(c.country, c.stated_on.isoformat(), c.previous, c.stance) for c in rows]


def _entry_changes(parsed):
    out = []
    for e in parsed.entries:
        _, reading, country, day = e.id.rsplit(":", 3)
        m = re.match(r"^(.+): (?:first position, (\w+)|(\w+) → (\w+)) \(", e.title)
        previous, stance = (None, m[2]) if m[2] else (m[3], m[4])
        out.append((country, day, previous, stance))
    return out


def test_the_feed_of_every_change_is_valid_atom_and_matches_the_kept_changes(client, session, seeded):
    parsed = _feed(client, "/changes.atom")
    assert parsed.feed.title == "stancemap: position changes"
    assert parsed.feed.id.startswith("tag:testserver,2025:changes")
    assert any(link.rel == "self" and link.href == "http://testserver/changes.atom" for link in parsed.feed.links)
    assert _entry_changes(parsed) == _kept_changes(session)
    # FR: undecided (first), then support; DE reject; GB support. The restatement and the dismissed PL are no change.
    assert sorted(_entry_changes(parsed)) == sorted([
        ("FR", "2024-11-01", None, "undecided"), ("FR", "2025-02-17", "undecided", "support"),
        ("DE", "2025-02-17", None, "reject"), ("GB", "2025-02-16", None, "support")])
    assert parsed.feed.updated_parsed is not None


def test_each_entry_says_the_change_the_evidence_the_source_and_how_sure(client, seeded):
    parsed = _feed(client, "/changes.atom")
    fr = next(e for e in parsed.entries if e.id.endswith(":FR:2025-02-17"))
    assert fr.id == "tag:testserver,2025:change:all:FR:2025-02-17"
    assert fr.title == "France: undecided → support (17 Feb 2025)"
    assert fr.link == f"http://testserver/statements/{seeded['fr']}"
    assert [link.href for link in fr.links] == [fr.link]  # one link: two alternates would be invalid Atom
    html = fr.content[0].value
    assert "changed its position from <strong>undecided</strong> to <strong>support</strong> on 17 Feb 2025" in html
    assert "France is ready to send troops." in html and "Emmanuel Macron" in html and "with a US backstop" in html
    assert '<a href="https://reuters.example/1">Reuters</a>' in html
    assert "How sure: <strong>verified by an editor</strong>" in html
    assert {t.term for t in fr.tags} == {"support", "trust-verified"}
    first = next(e for e in parsed.entries if e.id.endswith(":FR:2024-11-01"))
    assert "machine-found, not reviewed (confidence 0.62)" in first.content[0].value
    assert "machine-found, not reviewed" in first.summary
    gb = next(e for e in parsed.entries if e.id.endswith(":GB:2025-02-16"))
    assert "entered by an editor" in gb.content[0].value
    assert fr.updated_parsed is not None and fr.published_parsed is not None


def test_entries_follow_an_editors_edit_with_the_same_id_and_a_later_update(client, session, seeded, editor):
    before = _feed(client, "/changes.atom")
    old = next(e for e in before.entries if e.id.endswith(":FR:2025-02-17"))
    etag = client.get("/changes.atom").headers["etag"]
    statement = queries.get_statement(session, seeded["fr"])
    data = validate_statement(session, {
        "country_iso2": "FR", "stance": "reject", "stated_on": "2025-02-17", "date_precision": "day",
        "quote": "France will not send troops.", "speaker": "Emmanuel Macron", "conditions": "",
        "source_url": "https://reuters.example/1"})
    editing.update_statement(session, editor, statement.id, data, statement.version)
    r = client.get("/changes.atom", headers={"If-None-Match": etag})
    assert r.status_code == 200  # the write changed the ETag
    after = _feed(client, "/changes.atom")
    assert _entry_changes(after) == _kept_changes(session)
    new = next(e for e in after.entries if e.id == old.id)
    assert new.title == "France: undecided → reject (17 Feb 2025)"
    assert "France will not send troops." in new.content[0].value
    assert new.updated_parsed >= old.updated_parsed
    # The restatement of support on 20 Feb is now a change back to support.
    assert ("FR", "2025-02-20", "reject", "support") in _entry_changes(after)


def test_verified_reading_keeps_unreviewed_changes_out_until_verified(client, session, seeded, editor):
    parsed = _feed(client, "/changes.atom?reviewed=verified")
    assert _entry_changes(parsed) == _kept_changes(session, "verified")
    assert all("machine-found, not reviewed" not in e.content[0].value for e in parsed.entries)
    assert all(":verified:" in e.id for e in parsed.entries)
    assert ("DE", "2025-02-17", None, "reject") not in _entry_changes(parsed)
    de = next(s for s in queries.country_statement_list(session, "DE"))
    editing.review_statement(session, editor, de.id, "verify", de.version)
    assert ("DE", "2025-02-17", None, "reject") in _entry_changes(_feed(client, "/changes.atom?reviewed=verified"))


def test_machine_off_the_map_makes_every_feed_verified(client, session, seeded, monkeypatch):
    from app.settings import get_settings

    monkeypatch.setenv("MACHINE_ON_MAP", "false")
    get_settings.cache_clear()
    try:
        parsed = _feed(client, "/changes.atom")
        assert _entry_changes(parsed) == _kept_changes(session, "verified")
    finally:
        monkeypatch.delenv("MACHINE_ON_MAP")
        get_settings.cache_clear()


def test_a_countrys_feed_holds_only_its_changes(client, session, seeded):
    parsed = _feed(client, "/countries/FR.atom")
    assert parsed.feed.title == "stancemap: France's position changes"
    assert [c[0] for c in _entry_changes(parsed)] == ["FR", "FR"]
    assert any(link.rel == "alternate" and link.href == "http://testserver/countries/FR" for link in parsed.feed.links)
    assert client.get("/countries/fr.atom", follow_redirects=False).headers["location"] == "/countries/FR.atom"
    assert client.get("/countries/ZZ.atom").status_code == 404
    assert client.get("/countries/F%00.atom").status_code == 404
    assert [e.title for e in _feed(client, "/countries/DE.atom?stance=support").entries] == []


def test_feeds_answer_conditional_requests(client, seeded):
    r = client.get("/countries/FR.atom")
    assert r.headers["etag"].startswith('W/"') and r.headers["cache-control"] == "no-cache"
    again = client.get("/countries/FR.atom", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("query, field", [("stance=maybe", "stance"), ("date_from=2025-13-01", "date_from"),
                                          ("country=Atlantis", "country"), ("reviewed=some", "reviewed"),
                                          ("date_from=2025-03-01&date_to=2025-02-01", "date_to")])
def test_bad_feed_parameters_answer_422_with_the_field(client, seeded, query, field):
    for url in (f"/changes.atom?{query}", f"/changes.json?{query}", f"/changes?{query}"):
        r = client.get(url)
        assert r.status_code == 422, url
        assert field in r.text


def test_an_empty_feed_is_still_valid(client):
    parsed = _feed(client, "/changes.atom")
    assert parsed.entries == [] and parsed.feed.updated_parsed is not None


def test_public_url_names_the_site_in_feeds_and_ids(client, seeded, monkeypatch):
    from app.settings import get_settings

    monkeypatch.setenv("PUBLIC_URL", "https://stancemap.example/")
    get_settings.cache_clear()
    try:
        parsed = _feed(client, "/changes.atom")
        assert parsed.feed.id.startswith("tag:stancemap.example,2025:")
        assert parsed.entries[0].link.startswith("https://stancemap.example/statements/")
    finally:
        monkeypatch.delenv("PUBLIC_URL")
        get_settings.cache_clear()


# --- the /changes page ------------------------------------------------------------------------------------------

def test_the_changes_page_lists_the_changes_with_trust_and_links_the_feeds(client, seeded):
    r = client.get("/changes")
    assert r.status_code == 200
    html = r.text
    assert "<strong>4</strong> changes" in html
    assert html.index("17 Feb 2025") < html.index("1 Nov 2024")  # newest first
    assert "verified by an editor" in html and "entered by an editor" in html
    assert "machine-found, not reviewed (confidence 0.62)" in html
    assert f'href="/statements/{seeded["fr"]}"' in html
    assert '<link rel="alternate" type="application/atom+xml" title="stancemap: position changes" href="/changes.atom">' in html
    assert 'href="/changes" aria-current="page">Changes</a>' in html  # in the navigation


def test_changes_filters_by_country_stance_dates_and_reading(client, seeded):
    def countries(url):
        return re.findall(r'<td class="nowrap"><a href="/countries/(\w\w)">', client.get(url).text)

    assert countries("/changes?country=FR") == ["FR", "FR"]
    assert countries("/changes?stance=support") == ["FR", "GB"]
    assert countries("/changes?date_from=2025-02-17") == ["DE", "FR"]
    assert countries("/changes?date_to=2025-01-01") == ["FR"]
    assert countries("/changes?reviewed=verified") == ["FR", "GB"]
    html = client.get("/changes?country=FR&stance=support").text
    assert 'href="/changes.atom?country=FR&amp;stance=support"' in html
    assert 'href="/countries/FR.atom?stance=support"' in html
    fragment = client.get("/changes?stance=reject", headers=HX)
    assert fragment.headers["hx-push-url"] == "/changes?stance=reject"
    assert "<html" not in fragment.text and "Germany" in fragment.text


def test_changes_are_paged(client, session):
    start = dt.date(2024, 1, 1)
    for i in range(56):  # 56 changes: FR flips stance every day
        add_statement(session, "FR", ("support", "reject")[i % 2], start + dt.timedelta(days=i))
    session.commit()
    first = client.get("/changes").text
    assert "page 1 of 2" in first and 'rel="next" href="/changes?page=2"' in first
    second = client.get("/changes?page=2").text
    assert len(re.findall(r'<td class="nowrap"><a href="/countries/FR">', second)) == 6
    assert 'datetime="2024-01-01"' in second and 'datetime="2024-01-01"' not in first
    assert "past the end" in client.get("/changes?page=9").text
    body = client.get("/changes.json?page=2").json()
    assert body["total"] == 56 and len(body["items"]) == 6 and body["next"] is None
    assert client.get("/changes.json").json()["next"] == "/changes.json?page=2"
    assert len(_feed(client, "/changes.atom").entries) == 50


def test_changes_json_carries_the_trust_fields(client, seeded):
    items = client.get("/changes.json").json()["items"]
    fr = next(i for i in items if i["country"] == "FR" and i["stated_on"] == "2025-02-17")
    assert {k: fr[k] for k in ("previous_stance", "stance", "origin", "review_status", "trust")} == {
        "previous_stance": "undecided", "stance": "support", "origin": "machine", "review_status": "verified",
        "trust": "verified"}
    assert "confidence" in fr


def test_feed_links_in_the_head_of_the_map_changes_and_country_pages(client, seeded):
    assert 'type="application/atom+xml" title="stancemap: position changes" href="/changes.atom"' in client.get("/").text
    assert 'href="/changes.atom?reviewed=verified"' in client.get("/?reviewed=verified").text
    country = client.get("/countries/FR").text
    assert '<link rel="alternate" type="application/atom+xml" title="stancemap: France\'s position changes" ' \
           'href="/countries/FR.atom">' in country
    assert "application/atom+xml" not in client.get("/statements").text.split("</head>")[0]
