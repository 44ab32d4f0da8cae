"""The web layer's shared pieces: one parser for the statement filters (the list, its downloads and the API say
the same thing about the same bad filter), URLs without a dangling '?', and errors answered in one place."""
from __future__ import annotations

import pytest

from app.web.deps import path_with, query_string


def test_path_with_gives_the_bare_path_when_no_parameter_remains():
    assert path_with("/statements", {"country": "", "q": None}) == "/statements"
    assert path_with("/statements", {"country": "FR"}, page=None) == "/statements?country=FR"
    assert path_with("/", {"stance": "support"}, stance=None) == "/"
    assert path_with("/", {"a": "1"}, b="x y") == "/?a=1&b=x+y"
    assert query_string({}) == "?"  # kept for links to the page itself


@pytest.mark.parametrize("params, field, words", [
    ({"date_from": "2025-03-01", "date_to": "2025-01-01"}, "date_to", "the end date is before the start date"),
    ({"country": "ZZ"}, "country", "is not a known ISO 3166-1 alpha-2 country code"),
    ({"stance": "maybe"}, "stance", "support"),
    ({"q": "a\x00b"}, "q", "control character"),
])
def test_the_list_its_downloads_and_the_api_refuse_a_bad_filter_alike(client, params, field, words):
    page = client.get("/statements", params=params)
    download = client.get("/statements.csv", params=params)
    api = client.get("/api/statements", params=params)
    assert page.status_code == download.status_code == api.status_code == 422
    assert words in page.text and words in download.text
    [err] = api.json()["detail"]
    assert err["loc"] == ["query", field] and words in err["msg"]


def test_a_download_that_does_not_exist_is_the_html_404_page(client):
    r = client.get("/statements.xml")
    assert r.status_code == 404 and "<html" in r.text and "Downloads come as .csv or .json." in r.text
