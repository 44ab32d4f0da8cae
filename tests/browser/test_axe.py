"""axe-core (vendored: tests/browser/vendor/axe-core-4.14.1.min.js, from `npm pack axe-core@4.14.1`) over every
page a reader or an editor opens: no serious or critical violation anywhere, /docs included."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from factories import add_article, add_statement

from app import editing

pytestmark = pytest.mark.browser
AXE = (Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js").read_text(encoding="utf-8")
PASSWORD = "correct horse battery"
BODY = ("Paris, 3 March 2025. France is ready to send troops to Ukraine after a ceasefire, President Emmanuel Macron "
        "said. Germany will not send soldiers, Chancellor Olaf Scholz said.")


@pytest.fixture
def data(session):
    editing.create_user(session, "ada", PASSWORD, role="admin")
    article = add_article(session, source="news.err.ee", url="https://news.err.ee/a1", title="Leaders meet",
                          published_on=dt.date(2025, 3, 3))
    article.body = BODY
    fr = add_statement(session, "FR", "support", "2025-03-03", article=article, origin="machine", confidence=0.8,
                       quote="France is ready to send troops to Ukraine after a ceasefire, President Emmanuel Macron "
                             "said.", quote_start=21, quote_end=115, mention_start=21, mention_end=27,
                       cue_start=28, cue_end=52)
    add_statement(session, "DE", "reject", "2025-03-03", article=article, origin="machine", confidence=0.7,
                  quote="Germany will not send soldiers, Chancellor Olaf Scholz said.")
    add_statement(session, "MT", "undecided", "2025-02-20", article=article, origin="editor",
                  review_status="verified", quote="Malta does not rule it out.")
    session.commit()
    return {"statement": fr.id, "article": article.id}


def violations(page) -> list[dict]:
    page.evaluate(AXE)
    return page.evaluate("""axe.run(document).then(r => r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))""")


def check(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = violations(page)
    assert not found, f"{url}: {json.dumps(found, indent=1)}"


READER_PAGES = ["/", "/?as_of=2025-03-01", "/?as_of=2025-03-01&stance=reject&group=eu", "/countries/FR",
                "/statements", "/statements?sort=country", "/statements/{statement}", "/articles/{article}", "/about",
                "/docs", "/signin", "/suggestions/new?statement={statement}", "/countries/ZZ",
                "/?view=table", "/?view=chart&as_of=2025-03-05", "/?as_of=2025-03-05&since=2025-02-25",
                "/?view=chart&as_of=2025-03-05&since=2025-02-25", "/changes", "/data", "/embed?as_of=2025-03-05"]
EDITOR_PAGES = ["/editor/review", "/editor/review?kind=suggestions", "/editor/statements/new",
                "/editor/statements/{statement}/edit", "/editor/articles/new", "/statements/{statement}",
                "/editor/statements/{statement}/delete"]


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_no_serious_violation_on_any_page(page, live_server, data, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for path in READER_PAGES:
        check(page, live_server + path.format(**data))
    page.goto(f"{live_server}/signin")
    page.get_by_label("User name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    for path in EDITOR_PAGES:
        check(page, live_server + path.format(**data))


def test_no_serious_violation_in_the_states_the_map_takes(page, live_server, data):
    """What axe cannot see on a fresh page: a tooltip shown, a bad date typed, the docs' operation opened."""
    page.goto(f"{live_server}/?as_of=2025-03-01")
    page.locator('.stance-map a.country[data-iso2="FR"] path').hover()
    page.fill("#f-as_of", "2025-02-30")
    page.keyboard.press("Enter")
    page.wait_for_selector("#f-as_of-problem")
    assert not violations(page)
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock-summary-control")
    page.locator(".opblock-summary-control").first.click()
    page.wait_for_selector(".opblock-body")
    found = violations(page)
    assert not found, json.dumps(found, indent=1)
