"""HTTP: compression, ETags from the data version and the query with 304 answers, pages re-rendered after a
write (never a stale one), and static files under content-hashed names with a year-long immutable cache."""
from __future__ import annotations

import re

import pytest
from factories import add_statement

from app import editing


@pytest.fixture
def seeded(session):
    add_statement(session, "FR", "support", "2025-02-17", quote="France is ready to send troops.")
    for iso2 in ("DE", "IT", "ES", "PL", "NL", "BE", "SE"):  # enough for every response to pass 500 bytes
        add_statement(session, iso2, "undecided", "2025-02-10", quote=f"{iso2} has not decided yet, officials said.")
    session.commit()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_responses_are_compressed(client, seeded, encoding):
    for url in ("/", "/api/positions", "/positions.csv", "/statements.json"):
        r = client.get(url, headers={"Accept-Encoding": encoding})
        assert r.status_code == 200 and r.headers["content-encoding"] == encoding, url
        assert "Accept-Encoding" in r.headers["vary"]
    assert "France" in client.get("/", headers={"Accept-Encoding": "br"}).text  # decoded fine


def test_a_kept_page_is_compressed_for_each_client_as_it_asks(client, seeded):
    for encoding in ("br", "gzip", "identity", "br"):
        for url in ("/", "/positions.csv"):
            r = client.get(url, headers={"Accept-Encoding": encoding})
            assert r.headers.get("content-encoding", "identity") == encoding, (url, encoding)
            assert "France" in r.text


@pytest.mark.parametrize("url", ["/", "/?as_of=2025-03-01&stance=support", "/countries/FR", "/statements",
                                 "/api/positions", "/positions.csv", "/statements.json"])
def test_etag_and_304(client, seeded, url):
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_another_query_or_fragment_has_another_etag(client, seeded):
    tags = {client.get(u, headers=h).headers["etag"] for u, h in [
        ("/", {}), ("/?stance=support", {}), ("/", {"HX-Request": "true"}), ("/api/positions?reviewed=verified", {})]}
    assert len(tags) == 4


def test_a_write_changes_the_etag_and_the_page(client, session, seeded):
    user = editing.create_user(session, "erin", "correct horse battery")
    html = client.get("/?as_of=2025-03-01")
    etag = html.headers["etag"]
    assert "Austria" not in re.sub(r"<svg.*?</svg>", "", html.text, flags=re.S)
    data = editing.validate_statement(session, {"country_iso2": "AT", "stance": "reject",
                                                "stated_on": "2025-02-20", "quote": "Austria will not."})
    editing.create_statement(session, user, data)
    after = client.get("/?as_of=2025-03-01", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert 'id="row-AT"' in after.text


def test_static_files_have_hashed_names_and_an_immutable_cache(client):
    html = client.get("/about").text
    css = re.search(r'href="(/static/app\.[0-9a-f]{12}\.css)"', html).group(1)
    r = client.get(css)
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.text == client.get("/static/app.css").text
    stale = client.get("/static/app.000000000000.css")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    assert client.get("/static/app.css").headers["cache-control"] == "no-cache"
    assert client.get("/static/nothing.0123456789ab.css").status_code == 404


def test_editing_screens_carry_no_etag(client):
    assert "etag" not in client.get("/signin").headers
