"""Issue 11 in a browser, with seeds/ ingested: the article page, triaging a whole seed article by keyboard (and
counting the key presses), the three-column stale edit, and a reader's suggestion reaching the editors' queue.
Screenshots of every new screen at 1400x900 and 390x844 go to screenshots/review-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app import editing
from app.ingest.store import ingest_paths
from app.models import Article, Statement

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(session):
    ingest_paths(session, [SEEDS])
    editing.create_user(session, "erin", PASSWORD, role="admin")
    editing.create_user(session, "ada", PASSWORD)
    session.commit()
    # The seed with the most statements (004: 16 of them).
    articles = session.scalars(select(Article).order_by(Article.id)).all()
    return max(articles, key=lambda a: len(a.statements))


def sign_in(page, base, name="erin"):
    page.goto(f"{base}/signin")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".site-nav .who")).to_contain_text(name)


def both_sizes(page, screenshot, name, full_page=True):
    screenshot(f"review-{name}", page=page, full_page=full_page)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    screenshot(f"review-{name}-phone", page=page, full_page=full_page)
    page.set_viewport_size(size)


def test_the_article_page_shows_the_text_with_each_statement_marked(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/statements")
    # Every row links its statement page; the source cell links the article page.
    first_row = page.locator("table.statements tbody tr").first
    expect(first_row.locator('a[href^="/statements/"]')).to_have_count(1)
    page.goto(f"{live_server}/articles/{seeded.id}")
    expect(page.get_by_role("heading", name="Statements from it")).to_be_visible()
    expect(page.locator(".article-statements li")).to_have_count(16)
    expect(page.locator("#date-basis")).to_contain_text("Given with the article")
    expect(page.locator(".article-text mark.ev").first).to_be_visible()
    both_sizes(page, screenshot, "article")
    # The list's number jumps to the sentence; the sentence's number opens the statement.
    jump = page.locator(".article-statements .ev-jump").nth(1)
    target = jump.get_attribute("href")
    jump.click()
    expect(page).to_have_url(f"{live_server}/articles/{seeded.id}{target}")
    first_id = sorted(seeded.statements, key=lambda s: (s.quote_start, s.id))[0].id
    page.locator(".article-text .ev-num").first.click()
    expect(page).to_have_url(f"{live_server}/statements/{first_id}")
    expect(page.get_by_role("link", name="See the sentence in the article")).to_be_visible()


def test_triage_a_whole_seed_article_by_keyboard_in_at_most_20_presses(page, live_server, seeded, session,
                                                                       screenshot):
    waiting = session.scalar(select(func.count()).select_from(Statement)
                             .where(Statement.review_status == "unreviewed"))  # in the whole queue, all seeds
    sign_in(page, live_server)
    page.goto(f"{live_server}/articles/{seeded.id}")
    page.get_by_role("link", name="Review this article's statements").click()
    items = page.locator(".review-item")
    expect(items).to_have_count(16)
    # The page opens ready for the keyboard: the first statement has the focus.
    expect(items.first).to_be_focused()
    both_sizes(page, screenshot, "queue", full_page=False)
    presses = 0

    def press(key):
        nonlocal presses
        presses += 1
        page.keyboard.press(key)

    press("?")
    expect(page.locator("#shortcuts .shortcuts-panel")).to_be_visible()
    screenshot("review-shortcuts", page=page, full_page=False)
    page.set_viewport_size(PHONE)
    screenshot("review-shortcuts-phone", page=page, full_page=False)
    page.set_viewport_size({"width": 1400, "height": 900})
    press("Escape")
    expect(page.locator("#shortcuts .shortcuts-panel")).to_be_hidden()
    ids = [int(i) for i in items.evaluate_all("els => els.map(e => e.dataset.id)")]
    for n in range(5):  # verify five, one key each; the focus moves on by itself
        expect(page.locator(f"#review-{ids[n]}")).to_be_focused()
        press("v")
        expect(page.locator(f"#review-{ids[n]}")).to_have_attribute("data-state", "done")
    expect(page.locator(f"#review-{ids[5]}")).to_be_focused()
    press("d")  # a slip: dismissed ...
    expect(page.locator(f"#review-{ids[5]}")).to_have_attribute("data-state", "done")
    expect(page.locator(f"#review-{ids[6]}")).to_be_focused()
    press("u")  # ... taken back, and the focus returns to it
    expect(page.locator(f"#review-{ids[5]}")).to_have_attribute("data-state", "pending")
    expect(page.locator(f"#review-{ids[5]}")).to_be_focused()
    press("v")
    expect(page.locator(f"#review-{ids[6]}")).to_be_focused()
    press("Shift+V")  # verify the ten remaining in this article
    expect(page.locator('.review-item[data-state="done"]')).to_have_count(16)
    expect(page.locator(".group-actions")).to_contain_text("10 statements verified")
    expect(page.locator("#queue-count")).to_have_text(str(waiting - 16))
    both_sizes(page, screenshot, "queue-done", full_page=False)
    assert presses <= 20, f"{presses} key presses to triage 16 statements"
    print(f"\nkeyboard triage of seed article {seeded.id}: 16 statements in {presses} key presses")
    session.expire_all()
    statuses = session.scalars(select(Statement.review_status).where(Statement.article_id == seeded.id)).all()
    assert statuses == ["verified"] * 16


def test_correct_by_keyboard_and_the_page_works_without_javascript(browser, live_server, seeded, screenshot):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/editor/review?article={seeded.id}")
    first = page.locator(".review-item").first
    second = page.locator(".review-item").nth(1)
    expect(first).to_be_focused()
    page.keyboard.press("j")
    expect(second).to_be_focused()
    expect(page.locator("mark.ev.is-current")).to_have_count(1)  # its sentence is marked in the article's text
    page.keyboard.press("k")
    expect(first).to_be_focused()
    first_id = first.get_attribute("data-id")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{live_server}/articles/{seeded.id}#ev-{first_id}")
    page.go_back()
    first = page.locator(".review-item").first
    expect(first).to_be_focused()
    page.keyboard.press("c")
    expect(first.locator(".correct-form")).to_be_visible()
    both_sizes(page, screenshot, "correct", full_page=False)
    first.get_by_label("undecided").check()
    first.get_by_role("button", name="Save correction").click()
    expect(first).to_contain_text("Corrected and verified")
    context.close()
    # Without JavaScript the same queue is plain forms: a decision posts and comes back with an undo.
    plain = browser.new_context(viewport={"width": 1400, "height": 900}, java_script_enabled=False)
    page = plain.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/editor/review?article={seeded.id}")
    page.locator(".review-item").first.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#done-flash")).to_contain_text("Dismissed")
    assert f"article={seeded.id}" in page.url  # back on the same filtered queue
    page.locator("#done-flash").get_by_role("button", name="Undo").click()
    expect(page.locator("#done-flash")).to_contain_text("Undone")
    page.get_by_role("button", name="Verify all remaining in this article").click()
    expect(page.locator("#done-flash")).to_contain_text("Verified: 15 statements")
    plain.close()


def test_a_stale_edit_shows_three_columns_and_keeps_both_editors_changes(browser, live_server, seeded, session,
                                                                        screenshot):
    sid = seeded.statements[0].id
    first, second = (browser.new_page(viewport={"width": 1400, "height": 900}) for _ in range(2))
    sign_in(first, live_server, "erin")
    sign_in(second, live_server, "ada")
    for p in (first, second):
        p.goto(f"{live_server}/editor/statements/{sid}/edit")
    second.get_by_label("Conditions").fill("only after a ceasefire")
    second.get_by_role("button", name="Save changes").click()
    expect(second.locator("#notice")).to_have_text("Changes saved.")
    first.get_by_label("Speaker").fill("President Emmanuel Macron")
    first.get_by_role("button", name="Save changes").click()
    table = first.locator("#stale-notice table.three-way")
    expect(table.locator("thead")).to_contain_text("You started from")
    expect(table.locator("thead")).to_contain_text("The other editor saved")
    expect(table.locator("thead")).to_contain_text("You typed")
    expect(table).to_contain_text("their change: kept")
    expect(table).to_contain_text("your change: kept")
    expect(first.get_by_label("Conditions")).to_have_value("only after a ceasefire")
    expect(first.get_by_label("Speaker")).to_have_value("President Emmanuel Macron")
    both_sizes(first, screenshot, "stale-edit")
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator("#notice")).to_have_text("Changes saved.")
    session.expire_all()
    s = session.get(Statement, sid)
    assert (s.conditions, s.speaker) == ("only after a ceasefire", "President Emmanuel Macron")
    # Delete and revert ask first.
    first.get_by_role("link", name="Delete…").click()
    both_sizes(first, screenshot, "confirm-delete")
    first.get_by_role("link", name="Keep it").click()
    first.locator("#history").get_by_role("link", name="Revert").last.click()
    expect(first.get_by_role("heading", name="Revert change")).to_be_visible()
    both_sizes(first, screenshot, "confirm-revert")
    first.get_by_role("button", name="Revert change").click()
    expect(first.locator("#notice")).to_contain_text("reverted; the history records the revert as change #")
    first.close()
    second.close()


def test_a_readers_suggestion_reaches_the_editors_queue(browser, live_server, seeded, screenshot):
    reader = browser.new_page(viewport={"width": 1400, "height": 900})
    statement = seeded.statements[0]
    reader.goto(f"{live_server}/statements/{statement.id}")
    reader.get_by_role("link", name="Something wrong? Suggest a correction").click()
    form = reader.locator("#suggest-form")
    # Loaded in place by htmx; the focus goes to its first field once it has settled.
    expect(form.get_by_label("What is wrong?")).to_be_focused()
    form.get_by_label("The right date").fill("yesterday")
    expect(form.locator("#sg-website")).to_have_value("")  # the honeypot stays empty for a person
    form.get_by_role("button", name="Send to the editors").click()
    expect(reader.locator("#suggest-errors")).to_contain_text("Not sent yet")
    expect(reader.locator("#suggest-form").get_by_label("The right date")).to_have_value("yesterday")
    both_sizes(reader, screenshot, "suggest-error")
    form = reader.locator("#suggest-form")
    form.get_by_label("What is wrong?").fill("Macron proposed a reassurance force, not a peacekeeping one.")
    form.get_by_label("undecided").check()
    form.get_by_label("The right date").fill("2025-03")
    form.get_by_label("A source").fill("https://news.example/macron")
    form.get_by_role("button", name="Send to the editors").click()
    expect(reader.locator("#suggest-thanks")).to_contain_text("Thank you")
    both_sizes(reader, screenshot, "suggest-thanks")
    reader.goto(f"{live_server}/countries/FR")
    reader.get_by_role("link", name="Something missing or wrong? Suggest a correction").click()
    expect(reader.locator("#suggest-form")).to_be_visible()
    both_sizes(reader, screenshot, "suggest-country")
    reader.close()

    editor = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in(editor, live_server)
    editor.goto(f"{live_server}/editor/review")
    editor.get_by_role("link", name="Reader suggestions (1)").click()
    card = editor.locator(".suggestion").first
    expect(card).to_contain_text("Macron proposed a reassurance force")
    expect(card).to_contain_text(f"statement #{statement.id}")
    both_sizes(editor, screenshot, "suggestions")
    card.get_by_role("link", name="Accept: correct the statement…").click()
    expect(editor.get_by_label("Date", exact=True)).to_have_value("2025-03")
    both_sizes(editor, screenshot, "suggestion-accept")
    editor.get_by_role("button", name="Save the correction").click()
    expect(editor.locator("#notice")).to_contain_text("suggestion accepted")
    expect(editor.locator("#history")).to_contain_text("reader suggestion accepted")
    editor.close()


def test_the_article_form_says_what_happens(page, live_server, seeded, screenshot):
    sign_in(page, live_server)
    page.goto(f"{live_server}/editor/articles/new")
    expect(page.locator("#article-honest")).to_contain_text("not reviewed")
    expect(page.locator("#article-honest")).to_contain_text("marked as machine-found and unreviewed")
    both_sizes(page, screenshot, "article-form")
