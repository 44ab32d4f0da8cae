"""The web layer's shared pieces: one parser for the statement filters (the list, its downloads and the API say
the same thing about the same bad filter), URLs without a dangling '?', and errors answered in one place."""
from __future__ import annotations

import re
from pathlib import Path

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


def test_the_api_enums_are_the_models_vocabulary(client):
    from app.models import ORIGINS, REVIEW_STATUSES, STANCES, TRUSTS

    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Stance"]["enum"] == list(STANCES)
    assert schemas["Origin"]["enum"] == list(ORIGINS)
    assert schemas["ReviewStatus"]["enum"] == list(REVIEW_STATUSES)
    assert schemas["Trust"]["enum"] == list(TRUSTS)


def test_the_map_hands_its_script_the_stance_names(client):
    html = client.get("/").text
    assert 'data-stance-labels="{&#34;support&#34;: &#34;Support&#34;, &#34;reject&#34;: &#34;Reject&#34;, ' \
           '&#34;undecided&#34;: &#34;Undecided&#34;}"' in html


def test_routes_raise_errors_and_lower_layers_never_import_the_web():
    """Shape checks that can fail: only app/web/errors.py renders error.html, and nothing under app/ outside
    app/web imports it (the web imports the rest, never the reverse)."""
    root = Path(__file__).resolve().parent.parent / "app"
    renders = [p.name for p in (root / "web").glob("*.py") if '"error.html"' in p.read_text()
               and p.name not in ("errors.py", "__init__.py")]  # __init__ only warms the template up
    assert renders == []
    importers = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "web" not in p.relative_to(root).parts and p.name != "cli.py"
                 and re.search(r"^\s*(from app\.web|import app\.web|from app import web)", p.read_text(), re.M)]
    assert importers == []  # cli.py serves the app, so it may
