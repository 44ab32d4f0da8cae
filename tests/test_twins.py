"""JSON twins of the reader pages (/countries/XX.json, /statements/{id}.json, /articles/{id}.json) with the API's
trust fields; unknown or malformed ids answer a JSON 404, never a server error. And unknown query parameters on
/api/* answer 422 naming them."""
from __future__ import annotations

import pytest
from factories import add_article, add_statement

from app import editing


@pytest.fixture
def seeded(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    art.body = "Intro. France is ready to send troops. Germany will not."
    first = add_statement(session, "FR", "undecided", "2024-11-01", quote="France does not rule out troops.",
                          confidence=0.55)
    fr = add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.",
                       speaker="Emmanuel Macron", confidence=0.9, quote_start=7, quote_end=38, rules_version="rules-2.8")
    again = add_statement(session, "FR", "support", "2025-02-20", quote="France repeats it.", origin="editor",
                          review_status="verified")
    dismissed = add_statement(session, "FR", "reject", "2025-02-21", quote="Misread.", review_status="dismissed")
    undated = add_statement(session, "FR", "reject", None, quote="France (undated).")
    de = add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not.", quote_start=39,
                       quote_end=56)
    session.commit()
    return {"first": first.id, "fr": fr.id, "again": again.id, "dismissed": dismissed.id, "undated": undated.id,
            "de": de.id, "article": art.id}


def test_a_countrys_json_twin_holds_its_timeline_with_trust(client, seeded):
    r = client.get("/countries/FR.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["country"] == {"iso2": "FR", "iso3": "FRA", "name": "France", "eu": True, "nato": True}
    assert [s["id"] for s in body["statements"]] == [seeded[k] for k in ("first", "fr", "again", "dismissed",
                                                                           "undated")]
    by_id = {s["id"]: s for s in body["statements"]}
    fr = by_id[seeded["fr"]]
    assert {k: fr[k] for k in ("origin", "review_status", "confidence", "trust", "counts", "changed",
                               "previous_stance", "article_id", "rules_version", "html")} == {
        "origin": "machine", "review_status": "unreviewed", "confidence": 0.9, "trust": "unreviewed", "counts": True,
        "changed": True, "previous_stance": "undecided", "article_id": seeded["article"], "rules_version": "rules-2.8",
        "html": f"/statements/{seeded['fr']}"}
    assert by_id[seeded["again"]]["trust"] == "editor" and by_id[seeded["again"]]["changed"] is False
    assert by_id[seeded["dismissed"]]["trust"] == "dismissed" and by_id[seeded["dismissed"]]["counts"] is False
    assert by_id[seeded["undated"]]["counts"] is False
    assert [(c["stated_on"], c["previous_stance"], c["stance"]) for c in body["changes"]] == [
        ("2025-02-17", "undecided", "support"), ("2024-11-01", None, "undecided")]
    assert body["position"]["stance"] == "support" and body["position"]["trust"] == "editor"
    assert body["position"]["since"] == "2025-02-17"
    assert body["position_verified"]["statement_id"] == seeded["again"]
    assert body["feed"] == "/countries/FR.atom" and body["html"] == "/countries/FR"
    assert client.get("/countries/fr.json").json()["country"]["iso2"] == "FR"


def test_a_statements_json_twin(client, seeded):
    body = client.get(f"/statements/{seeded['fr']}.json").json()
    assert body["quote"] == "France is ready to send troops." and body["speaker"] == "Emmanuel Macron"
    assert body["trust"] == "unreviewed" and body["review_status"] == "unreviewed" and body["confidence"] == 0.9
    assert body["source"] == "Reuters" and body["url"] == "https://reuters.example/1"
    assert body["quote_start"] == 7 and body["article_id"] == seeded["article"]


def test_an_articles_json_twin(client, seeded):
    body = client.get(f"/articles/{seeded['article']}.json").json()
    assert body["text"] == "Intro. France is ready to send troops. Germany will not."
    assert [s["id"] for s in body["statements"]] == [seeded["fr"], seeded["de"]]
    s = body["statements"][0]
    assert body["text"][s["quote_start"]:s["quote_end"]] == s["quote"]
    assert body["source"] == "Reuters" and body["html"] == f"/articles/{seeded['article']}"
    assert body["ingested_at"].startswith("2025-03-01T12:00:00")


@pytest.mark.parametrize("url", [
    "/countries/ZZ.json", "/countries/XYZ.json", "/countries/F%00.json", "/countries/%C3%A9%C3%A9.json",
    "/statements/999999.json", "/statements/0.json", "/statements/-1.json", "/statements/abc.json",
    "/statements/1e3.json", "/statements/99999999999999999999999999.json", "/statements/%C2%B2.json",
    "/articles/999999.json", "/articles/0.json", "/articles/x.json", "/articles/2147483648.json",
])
def test_unknown_or_bad_ids_answer_a_json_404(client, seeded, url):
    r = client.get(url)
    assert r.status_code == 404, url
    assert r.headers["content-type"] == "application/json"
    assert r.json()["detail"]


def test_a_deleted_statement_has_no_twin(client, session, seeded):
    editor = editing.create_user(session, "erin", "correct horse battery")
    editing.delete_statement(session, editor, seeded["de"])
    assert client.get(f"/statements/{seeded['de']}.json").status_code == 404
    assert seeded["de"] not in [s["id"] for s in client.get(f"/articles/{seeded['article']}.json").json()["statements"]]


def test_twins_answer_conditional_requests(client, seeded):
    r = client.get("/countries/FR.json")
    assert client.get("/countries/FR.json", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


# --- unknown API parameters --------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, name", [
    ("/api/positions?stnace=support", "stnace"), ("/api/positions?as_of=2025-03-01&sort=date", "sort"),
    ("/api/statements?page=2", "page"), ("/api/statements?country=FR&Country=DE", "Country"),
    ("/api/countries?format=csv", "format"),
])
def test_unknown_api_parameters_answer_422_naming_them(client, seeded, url, name):
    r = client.get(url)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["query", name] and detail[0]["type"] == "extra_forbidden"
    assert f"unknown parameter '{name}'" in detail[0]["msg"]
    assert "takes" in detail[0]["msg"]


def test_every_unknown_parameter_is_named_and_known_ones_still_work(client, seeded):
    detail = client.get("/api/positions?a=1&b=2&stance=support").json()["detail"]
    assert [d["loc"][1] for d in detail] == ["a", "b"]
    assert "takes as_of, group, reviewed, stance" in detail[0]["msg"]
    assert client.get("/api/positions?stance=support&as_of=2025-03-01&group=eu&reviewed=all").status_code == 200
    assert client.get("/api/statements?country=FR&limit=2&offset=0&q=France").status_code == 200
    assert client.get("/api/countries").status_code == 200
