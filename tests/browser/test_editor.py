"""What an editor does in a browser: sign in, add a statement and see the map change, review, correct, revert;
and what a reader cannot do. Screenshots of every editor screen go to screenshots/editor-*.png."""
from __future__ import annotations

import datetime as dt

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect

from app import editing

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
ARTICLE = ("Paris, 3 March 2025. France is ready to send troops to Ukraine after a ceasefire, President Emmanuel "
           "Macron said on Monday. Germany will not send soldiers, Chancellor Olaf Scholz said. Italy does not "
           "rule out taking part, Prime Minister Giorgia Meloni said.")


@pytest.fixture
def accounts(session):
    editing.create_user(session, "erin", PASSWORD)
    editing.create_user(session, "ada", PASSWORD, role="admin")


@pytest.fixture
def queue(session):
    article = add_article(session, source="Wire", title="Leaders discuss a reassurance force",
                          published_on=dt.date(2025, 3, 3))
    quotes = [("PL", "support", "Poland is ready to send troops, Prime Minister Donald Tusk said.", (0, 6), (10, 30)),
              ("DE", "reject", "Germany will not send soldiers to Ukraine, Chancellor Olaf Scholz said.", (0, 7),
               (8, 30)),
              ("IT", "undecided", "Italy does not rule out taking part, Meloni said.", (0, 5), (6, 23))]
    made = {}
    for iso2, stance, quote, (ms, me), (cs, ce) in quotes:
        made[iso2] = add_statement(session, iso2, stance, "2025-03-03", quote=quote, article=article,
                                   origin="machine", mention_start=ms, mention_end=me, cue_start=cs, cue_end=ce,
                                   confidence=0.8)
    session.commit()
    return made


def sign_in(page, base, name="erin", next_path=""):
    page.goto(f"{base}/signin{next_path}")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def map_stance(page, iso2):
    return page.locator(f'.stance-map a.country[data-iso2="{iso2}"]').first


def test_editor_adds_a_statement_and_sees_the_map_change(page, live_server, accounts, screenshot):
    page.goto(f"{live_server}/")
    expect(map_stance(page, "PL")).not_to_have_attribute("data-stance", "support")
    page.goto(f"{live_server}/signin")
    screenshot("editor-signin")
    page.get_by_label("User name").fill("erin")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("do not match")
    screenshot("editor-signin-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".site-nav .who")).to_have_text("erin")

    page.get_by_role("link", name="Add statement").click()
    expect(page).to_have_url(f"{live_server}/editor/statements/new")
    page.get_by_label("Country").fill("Pol")
    page.get_by_label("Country").fill("Poland (PL)")
    page.get_by_label("support").check()
    page.get_by_label("Date", exact=True).fill("2999-01-01")
    page.get_by_label("Source URL").fill("not a link")
    page.get_by_role("button", name="Add statement").click()
    # htmx swaps the form in place with a message at each bad field; what was typed stays.
    expect(page.locator("#err-stated_on")).to_contain_text("in the future")
    expect(page.locator("#err-quote")).to_contain_text("empty")
    expect(page.locator("#err-source_url")).to_contain_text("not a web address")
    expect(page.get_by_label("Country")).to_have_value("Poland (PL)")
    screenshot("editor-add-statement-errors")

    page.get_by_label("Date", exact=True).fill("2025-02-20")
    page.get_by_label("Source URL").fill("https://news.example/poland")
    page.get_by_label("Quote").fill("Poland is ready to send peacekeepers to Ukraine.")
    page.get_by_label("Speaker").fill("Donald Tusk")
    page.get_by_role("button", name="Add statement").click()
    expect(page.locator("#notice")).to_have_text("Statement added.")
    expect(page.locator("#history")).to_contain_text("created by erin")
    screenshot("editor-statement-page")

    page.goto(f"{live_server}/")
    expect(map_stance(page, "PL")).to_have_attribute("data-stance", "support")


def test_editor_reviews_machine_statements_without_a_reload(page, live_server, accounts, queue, screenshot):
    sign_in(page, live_server, next_path="?next=/editor/review")
    expect(page).to_have_url(f"{live_server}/editor/review")
    expect(page.locator("#queue-count")).to_have_text("3")
    row = page.locator(f"#review-{queue['PL'].id}")
    expect(row.locator("mark.m-country")).to_have_text("Poland")
    expect(row.locator("mark.m-cue")).to_have_text("ready to send troops")
    screenshot("editor-review-queue")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("editor-review-queue-phone")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.evaluate("window.__noReload = true")

    row.get_by_role("button", name="Verify").click()
    expect(row.locator(".review-outcome")).to_contain_text("Verified")
    expect(page.locator("#queue-count")).to_have_text("2")

    de = page.locator(f"#review-{queue['DE'].id}")
    de.get_by_role("button", name="Dismiss").click()
    expect(de.locator(".review-outcome")).to_contain_text("Dismissed")

    it = page.locator(f"#review-{queue['IT'].id}")
    it.get_by_role("link", name="Correct…").click()
    it.get_by_label("Date", exact=True).fill("2025-13-01")
    it.get_by_role("button", name="Save correction").click()
    expect(it.locator("#err-stated_on")).to_contain_text("not a real date")
    screenshot("editor-review-correct-error")
    it.get_by_label("Date", exact=True).fill("2025-03")
    it.get_by_label("Precision").select_option("month")
    it.get_by_label("reject").check()
    it.get_by_role("button", name="Save correction").click()
    expect(it.locator(".review-outcome")).to_contain_text("Corrected")
    assert page.evaluate("window.__noReload") is True  # three decisions, no page load
    screenshot("editor-review-done")

    page.goto(f"{live_server}/?as_of=2025-03-10")
    expect(map_stance(page, "PL")).to_have_attribute("data-stance", "support")
    expect(map_stance(page, "IT")).to_have_attribute("data-stance", "reject")
    expect(page.locator("#row-DE")).to_have_count(0)  # dismissed: no longer counts
    page.goto(f"{live_server}/editor/review")
    expect(page.locator("#queue-count")).to_have_text("0")


def test_admin_sees_history_and_reverts(page, live_server, accounts, queue, screenshot):
    sign_in(page, live_server, "ada")
    pl = queue["PL"].id
    page.goto(f"{live_server}/editor/statements/{pl}/edit")
    page.get_by_label("undecided").check()
    page.get_by_label("Conditions").fill("only with a US backstop")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#notice")).to_have_text("Changes saved.")
    expect(page.locator("#history")).to_contain_text("edited by ada")
    screenshot("editor-statement-history")
    page.locator("#history").get_by_role("link", name="Revert").last.click()  # asks first
    page.get_by_role("button", name="Revert change").click()
    expect(page.locator("#notice")).to_contain_text("reverted; the history records the revert as change #")
    expect(page.locator(".statement-head .badge")).to_have_text("support")
    expect(page.locator("#history")).to_contain_text("reverted by ada")


def test_saving_over_a_newer_version_shows_what_changed(browser, live_server, accounts, queue, screenshot):
    pl = queue["PL"].id
    first, second = (browser.new_page(viewport={"width": 1400, "height": 900}) for _ in range(2))
    for p, name in ((first, "erin"), (second, "ada")):
        sign_in(p, live_server, name)
        p.goto(f"{live_server}/editor/statements/{pl}/edit")
    second.get_by_label("reject").check()
    second.get_by_role("button", name="Save changes").click()
    expect(second.locator("#notice")).to_have_text("Changes saved.")
    first.get_by_label("undecided").check()
    first.get_by_label("Speaker").fill("Donald Tusk")
    first.get_by_role("button", name="Save changes").click()
    notice = first.locator("#stale-notice")
    expect(notice).to_contain_text("someone else saved this statement")
    expect(notice.locator("table.diff")).to_contain_text("reject")
    expect(first.get_by_label("Speaker")).to_have_value("Donald Tusk")
    screenshot("editor-edit-stale", page=first)
    first.close()
    second.close()


def test_editor_adds_an_article(page, live_server, accounts, screenshot):
    sign_in(page, live_server)
    page.get_by_role("link", name="Add article").click()
    screenshot("editor-add-article")
    page.get_by_label("Title").fill("Leaders meet in Paris")
    page.get_by_label("Source").fill("Wire")
    page.get_by_label("Published on").fill("2025-03-03")
    page.get_by_label("Article text").fill(ARTICLE)
    page.get_by_role("button", name="Add and extract").click()
    result = page.locator("#article-result")
    expect(result).to_contain_text("Article added")
    expect(result.locator(".found-list li").first).to_be_visible()
    screenshot("editor-add-article-result")
    result.get_by_role("link", name="Go to the review queue").click()
    expect(page.locator(".review-item").first).to_be_visible()


PAGES = ["/editor/review", "/editor/statements/new", "/editor/articles/new", "/editor/statements/1/edit",
         "/editor/review/1/correct"]


def test_a_reader_cannot_reach_any_editing_page_or_endpoint(page, live_server, queue):
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        expect(page).to_have_url(f"{live_server}/signin?next={path.replace('/', '%2F')}")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page.get_by_role("link", name="Review", exact=True)).to_have_count(0)
    statuses = page.evaluate("""async (id) => {
        const out = [];
        for (const path of [`/editor/review/${id}/verify`, `/editor/review/${id}/dismiss`, `/editor/statements/new`,
                            `/editor/statements/${id}/edit`, `/editor/statements/${id}/delete`, `/editor/articles/new`]) {
            const r = await fetch(path, {method: 'POST', body: new URLSearchParams({quote: 'x'}), redirect: 'manual'});
            out.push(r.status);
        }
        return out;
    }""", queue["PL"].id)
    assert statuses == [403] * 6
    page.goto(f"{live_server}/statements/{queue['PL'].id}")
    expect(page.locator("#history")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
