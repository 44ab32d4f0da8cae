"""The JSON API under /api: positions on a date, the statement list, the countries, and its 422 answers."""
from __future__ import annotations

import re

import pytest
from factories import add_article, add_statement


@pytest.fixture
def seeded(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=art, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.",
                  speaker="Emmanuel Macron")
    add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not send soldiers.")
    add_statement(session, "PL", "support", "2025-02-18", review_status="dismissed", quote="Dismissed finding.")
    add_statement(session, "IT", "undecided", None, quote="Undated finding.")
    session.commit()


def test_positions_on_a_date(client, seeded):
    r = client.get("/api/positions", params={"as_of": "2025-01-01"})
    assert r.status_code == 200
    assert r.json() == [{
        "country": "FR", "country_name": "France", "stance": "undecided", "stated_on": "2024-11-01",
        "date_precision": "day", "quote": "France does not rule out troops.", "speaker": None, "source": "Reuters",
        "url": "https://reuters.example/1", "statement_id": 1, "origin": "machine", "review_status": "unreviewed",
        "confidence": None, "trust": "unreviewed", "since": "2024-11-01", "since_precision": "day",
        "last_restated": "2024-11-01", "sources": 1, "articles": 1, "stale": False,
    }]
    later = client.get("/api/positions", params={"as_of": "2025-03-01"}).json()
    assert {p["country"]: p["stance"] for p in later} == {"FR": "support", "DE": "reject"}


def test_positions_verified_only_and_bad_reviewed_value(client, session, seeded):
    add_statement(session, "FR", "support", "2025-01-05", origin="editor", review_status="verified",
                  quote="Entered by an editor.")
    session.commit()
    everything = {p["country"]: p for p in client.get("/api/positions?as_of=2025-03-01").json()}
    assert everything["FR"]["since"] == "2025-01-05" and everything["FR"]["trust"] == "unreviewed"
    verified = client.get("/api/positions?as_of=2025-03-01&reviewed=verified").json()
    assert [(p["country"], p["trust"], p["stated_on"]) for p in verified] == [("FR", "editor", "2025-01-05")]
    r = client.get("/api/positions?reviewed=maybe")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "reviewed"]
    assert client.get("/positions.json?as_of=2025-03-01&reviewed=verified").json()[0]["quote"] == \
        "Entered by an editor."
    assert client.get("/positions.csv?reviewed=nope").status_code == 422


def test_positions_default_to_today_and_filter(client, seeded):
    assert {p["country"] for p in client.get("/api/positions").json()} == {"FR", "DE"}
    assert [p["country"] for p in client.get("/api/positions?stance=reject").json()] == ["DE"]
    assert client.get("/api/positions?group=others").json() == []


def test_statements_filters_and_pagination(client, seeded):
    body = client.get("/api/statements", params={"limit": 2}).json()
    assert body["total"] == 5 and body["limit"] == 2 and body["offset"] == 0
    assert [s["stated_on"] for s in body["items"]] == ["2025-02-18", "2025-02-17"]
    tail = client.get("/api/statements", params={"limit": 2, "offset": 4}).json()
    assert [s["quote"] for s in tail["items"]] == ["Undated finding."]
    fr = client.get("/api/statements", params={"country": "fr", "date_to": "2024-12-31"}).json()
    assert fr["total"] == 1 and fr["items"][0]["stance"] == "undecided"
    dismissed = client.get("/api/statements", params={"review_status": "dismissed"}).json()
    assert [s["country"] for s in dismissed["items"]] == ["PL"]
    text = client.get("/api/statements", params={"q": "macron"}).json()
    assert [s["speaker"] for s in text["items"]] == ["Emmanuel Macron"]


def test_countries_list(client, seeded):
    body = client.get("/api/countries").json()
    assert len(body) == 250
    fr = next(c for c in body if c["iso2"] == "FR")
    assert fr == {"iso2": "FR", "iso3": "FRA", "name": "France", "eu": True, "nato": True, "statements": 2}


@pytest.mark.parametrize("url, field, words", [
    ("/api/positions?as_of=2025-13-01", "as_of", "YYYY-MM-DD"),
    ("/api/positions?as_of=yesterday", "as_of", "YYYY-MM-DD"),
    ("/api/positions?stance=maybe", "stance", "support"),
    ("/api/positions?group=g7", "group", "eu"),
    ("/api/statements?country=ZZ", "country", "not a known"),
    ("/api/statements?country=France", "country", "not a known"),
    ("/api/statements?offset=-1", "offset", "greater than or equal to 0"),
    ("/api/statements?limit=100000", "limit", "less than or equal to 500"),
    ("/api/statements?offset=99999999999999999999", "offset", "less than or equal to 1000000000"),
    ("/api/statements?limit=abc", "limit", "integer"),
    ("/api/statements?date_from=2025-03-01&date_to=2025-01-01", "date_to", "before the start"),
    ("/api/statements?review_status=approved", "review_status", "verified"),
    ("/api/statements?q=a%00b", "q", "control character"),
    ("/api/statements?country=F%00", "country", "not a known"),
])
def test_bad_parameters_answer_422_with_a_message(client, url, field, words):
    r = client.get(url)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/json")
    [err] = r.json()["detail"]
    assert err["loc"][-1] == field and words in err["msg"]


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/positions", "/api/statements", "/api/countries"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/statements"]["get"]["parameters"]}
    assert {"country", "stance", "date_from", "date_to", "origin", "review_status", "q", "limit", "offset"} <= params
    assert "PositionOut" in spec["components"]["schemas"]


def test_docs_page_loads_swagger_ui_from_this_server(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in r.text
    assert not re.search(r"https?://(?!swagger\.io)", r.text)  # nothing from a CDN
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui.css").status_code == 200
