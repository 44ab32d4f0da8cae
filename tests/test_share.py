"""What readers take elsewhere: /embed (framed by any site, and only it), the map's "Share / embed" links, and
the /data page with downloads, the data's date, the rules version, the licence and a citation."""
from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from factories import add_article, add_statement

from app import clock
from app.ingest.candidate import RULES_VERSION


@pytest.fixture
def seeded(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=art, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.")
    add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not send soldiers.")
    add_statement(session, "GB", "support", "2025-02-16", quote="Britain is ready.", origin="editor",
                  review_status="verified")
    session.commit()


def _legend(html: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(r'class="legend-count" data-stance="(\w+)">(\d+)<', html)}


# --- /embed -----------------------------------------------------------------------------------------------------

def test_embed_shows_the_map_legend_and_dates_without_the_sites_header(client, seeded):
    r = client.get("/embed", params={"as_of": "2025-03-01"})
    assert r.status_code == 200
    html = r.text
    assert _legend(html) == {"support": 2, "reject": 1, "undecided": 0}
    assert re.search(r'<a target="_blank" href="/countries/FR"[^>]*data-stance="support"', html)  # opens the site
    assert "Statements through <strong>17 Feb 2025</strong>" in html
    assert "positions on 1 Mar 2025" in html
    assert "site-header" not in html and 'aria-label="Main"' not in html and "site-footer" not in html
    assert '<base target="_blank">' in html  # its links open the site, which refuses to be framed, in a new tab
    assert 'href="http://testserver/?as_of=2025-03-01"' in html  # "the evidence behind each position"


def test_embed_follows_the_maps_parameters(client, seeded):
    html = client.get("/embed", params={"as_of": "2025-03-01", "stance": "support"}).text
    assert "showing only countries that support" in html
    # (filters hide, they do not lie: Germany, which holds another stance, is drawn as not in this view)
    assert re.search(r'<a target="_blank" href="/countries/DE"[^>]*data-stance="filtered"', html)
    html = client.get("/embed", params={"as_of": "2025-03-01", "reviewed": "verified"}).text
    assert _legend(html) == {"support": 1, "reject": 0, "undecided": 0}
    assert "Only positions resting on statements an editor verified or entered" in html
    bad = client.get("/embed", params={"as_of": "2025-13-01"})
    assert bad.status_code == 422 and "as_of" in bad.text and "stance-map" in bad.text


def test_only_the_embed_may_be_framed(client, seeded):
    embed = client.get("/embed")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    for url in ("/", "/changes", "/data", "/countries/FR", "/statements", "/about", "/embed/x", "/changes.atom",
                "/countries/FR.json", "/api/countries", "/signin"):
        r = client.get(url)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], url
        assert r.headers["x-frame-options"] == "DENY", url


def test_the_embeds_304_and_kept_copy_allow_framing_too(client, seeded):
    first = client.get("/embed")
    again = client.get("/embed")  # served from the kept pages
    assert again.headers["etag"] == first.headers["etag"]
    assert "frame-ancestors *" in again.headers["content-security-policy"] and "x-frame-options" not in again.headers
    r = client.get("/embed", headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 304
    assert "frame-ancestors *" in r.headers["content-security-policy"] and "x-frame-options" not in r.headers
    home = client.get("/")
    r = client.get("/", headers={"If-None-Match": home.headers["etag"]})
    assert r.status_code == 304 and r.headers["x-frame-options"] == "DENY"


# --- Share / embed on the map -----------------------------------------------------------------------------------

def _share(html: str) -> dict[str, str]:
    link = re.search(r'id="share-link" readonly value="([^"]*)"', html)[1]
    code = re.search(r'id="share-embed" readonly rows="3">([^<]*)</textarea>', html)[1]
    return {"link": htmllib.unescape(link), "iframe": htmllib.unescape(code)}


def test_the_map_offers_the_link_and_iframe_code_of_the_current_view(client, seeded):
    html = client.get("/", params={"as_of": "2025-03-01", "stance": "support", "group": "eu"}).text
    assert "<summary>Share / embed this view</summary>" in html
    share = _share(html)
    assert share["link"] == "http://testserver/?as_of=2025-03-01&stance=support&group=eu"
    assert share["iframe"].startswith('<iframe src="http://testserver/embed?as_of=2025-03-01&amp;stance=support&amp;group=eu"')
    assert 'height="640"' in share["iframe"] and 'title="stancemap: ' in share["iframe"]
    assert 'href="/embed?as_of=2025-03-01&amp;stance=support&amp;group=eu">Preview the embed</a>' in html
    # htmx swaps of the view carry the share control with the new view's links.
    fragment = client.get("/", params={"as_of": "2025-03-01", "stance": "reject"}, headers={"HX-Request": "true"})
    assert _share(fragment.text)["link"] == "http://testserver/?as_of=2025-03-01&stance=reject"


def test_a_view_without_a_date_offers_the_link_pinned_to_it(client, seeded, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 3, 5))
    html = client.get("/").text
    assert _share(html)["link"] == "http://testserver/"
    assert "always show the latest positions" in html
    assert 'href="http://testserver/?as_of=2025-03-05">link</a>' in html
    assert "http://testserver/embed?as_of=2025-03-05" in htmllib.unescape(html)


def test_share_links_follow_public_url_and_each_host_gets_its_own(client, seeded, monkeypatch):
    assert _share(client.get("/", headers={"Host": "localhost"}).text)["link"] == "http://localhost/"
    # The kept page of one Host is never served to another (the links are built from it).
    assert _share(client.get("/", headers={"Host": "127.0.0.1"}).text)["link"] == "http://127.0.0.1/"
    from app.settings import get_settings

    monkeypatch.setenv("PUBLIC_URL", "https://stancemap.example")
    get_settings.cache_clear()
    try:
        assert _share(client.get("/?stance=reject").text)["link"] == "https://stancemap.example/?stance=reject"
    finally:
        monkeypatch.delenv("PUBLIC_URL")
        get_settings.cache_clear()


def test_public_url_must_be_an_address(monkeypatch):
    from pydantic import ValidationError

    from app.settings import Settings

    for bad in ("stancemap.example", "https://stancemap.example/sub", "ftp://x.example"):
        monkeypatch.setenv("PUBLIC_URL", bad)
        with pytest.raises(ValidationError, match="PUBLIC_URL"):
            Settings()
    monkeypatch.setenv("PUBLIC_URL", "https://stancemap.example/")
    assert Settings().public_url == "https://stancemap.example"


# --- /data ------------------------------------------------------------------------------------------------------

def test_the_data_page_has_downloads_dates_rules_licence_and_a_citation(client, seeded, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 3, 5))
    r = client.get("/data")
    assert r.status_code == 200
    html = r.text
    assert "<strong>17 Feb 2025</strong>" in html  # data through
    assert f"<code>{RULES_VERSION}</code>" in html
    assert 'href="/statements.csv"' in html and 'href="/statements.json"' in html
    assert 'href="/positions.csv"' in html and "The map today" in html
    assert "stancemap export --format datapackage DIR" in html
    assert "Creative Commons Attribution 4.0 (CC-BY-4.0)" in html and 'rel="license"' in html
    citation = htmllib.unescape(re.search(r'id="cite-text" readonly rows="4"[^>]*>([^<]*)<', html)[1])
    assert citation == (f"The stancemap team. stancemap: country positions on a multinational force in Ukraine "
                        f"[data set]. Statements through 17 Feb 2025; extraction rules {RULES_VERSION}. "
                        f"http://testserver/data. Accessed 5 Mar 2025.")
    assert "accessed 2025-03-05" in html  # BibTeX
    assert 'href="/data" aria-current="page">Data</a>' in html and 'href="/data">Data and citation</a>' in html


def test_the_data_page_offers_the_view_as_displayed(client, seeded):
    html = client.get("/data", params={"as_of": "2025-03-01", "stance": "support", "sort": "-date"}).text
    assert "The map as displayed" in html and "Positions on 1 Mar 2025" in html
    assert 'href="/positions.csv?as_of=2025-03-01&amp;stance=support&amp;sort=-date"' in html
    assert 'href="/api/positions?as_of=2025-03-01&amp;stance=support"' in html  # the API takes no sort
    assert 'href="/data?as_of=2025-03-01&amp;stance=support&amp;sort=-date">Download or cite this view</a>' in \
        client.get("/", params={"as_of": "2025-03-01", "stance": "support", "sort": "-date"}).text
    bad = client.get("/data", params={"stance": "maybe"})
    assert bad.status_code == 422 and "stance" in bad.text and 'href="/positions.csv"' in bad.text
