"""The chart view and comparing two dates in a browser: tabs that keep the date and filters (htmx and back), a
strip segment focused from the keyboard showing its statement, the "compare with" field, and screenshots of both
views with seeds/ ingested and with a larger generated dataset."""
from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect
from sqlalchemy import insert, select

pytestmark = pytest.mark.browser
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def seeded(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=art, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.",
                  speaker="Emmanuel Macron")
    add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not send soldiers.",
                  review_status="verified")
    add_statement(session, "GB", "support", "2025-02-16", article=art, quote="Britain is ready to put boots on the ground.")
    add_statement(session, "US", "reject", "2025-02-12", article=art, quote="No US troops will be deployed.")
    session.commit()


def back(page):
    # As in test_map.py: htmx answers the popstate with a full reload, which go_back() cannot wait for.
    page.evaluate("window.__before_back = true; setTimeout(() => history.back(), 0)")
    page.wait_for_function("() => !window.__before_back && document.readyState === 'complete'")


def strip_names(page):
    return page.locator(".strip-names a")


def test_tabs_switch_views_and_keep_the_date_and_filters(page, live_server, seeded):
    page.goto(f"{live_server}/?as_of=2025-03-01&stance=support")
    expect(page.locator("#tab-map")).to_have_attribute("aria-current", "page")
    page.click("#tab-chart")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&stance=support&view=chart")
    expect(page.locator("#tab-chart")).to_have_attribute("aria-current", "page")
    expect(strip_names(page)).to_have_text(["France", "United Kingdom"])
    expect(page.locator(".stance-map")).to_have_count(0)
    # A filter changed in the chart view stays in it.
    page.select_option("#f-group", "nato")
    expect(page).to_have_url(re.compile(r"group=nato.*view=chart"))
    expect(strip_names(page)).to_have_text(["France", "United Kingdom"])
    page.select_option("#f-stance", "")
    expect(strip_names(page)).to_have_text(["France", "Germany", "United Kingdom", "United States"])
    page.click("#tab-table")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&group=nato&view=table")
    expect(page.locator("#positions-table tbody tr[data-country]")).to_have_count(4)
    expect(page.locator(".stance-map")).to_have_count(0)
    expect(page.locator("#f-as_of")).to_have_value("2025-03-01")
    # From the keyboard: the tab used keeps the focus after the swap.
    page.focus("#tab-chart")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&group=nato&view=chart")
    expect(page.locator("#tab-chart")).to_be_focused()
    page.focus("#tab-table")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&group=nato&view=table")
    back(page)
    expect(page).to_have_url(re.compile(r"group=nato&view=chart$"))
    expect(page.locator("#tab-chart")).to_have_attribute("aria-current", "page")
    expect(page.locator(".strip-bars")).to_be_visible()


def test_focusing_a_strip_segment_shows_its_statement(page, live_server, seeded, session, screenshot):
    from app.models import Statement

    france_support = session.scalar(select(Statement.id).where(Statement.quote == "France is ready to send troops."))
    page.goto(f"{live_server}/?as_of=2025-03-01&view=chart")
    names = strip_names(page)
    expect(names).to_have_text(["France", "Germany", "United Kingdom", "United States"])
    # From the last name, the keyboard reaches the strips: France's first segment, then its second.
    names.last.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == f"/statements/{france_support}"
    tip = page.locator("#chart-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("France: support")
    expect(tip).to_contain_text("since 17 Feb 2025 (changed from undecided)")
    expect(tip).to_contain_text("France is ready to send troops.")
    expect(tip).to_contain_text("machine-found, not reviewed")
    screenshot("browser-chart-focus")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/statements/{france_support}")
    expect(page.locator("body")).to_contain_text("France is ready to send troops.")


def test_hovering_a_segment_shows_its_statement(page, live_server, seeded):
    page.goto(f"{live_server}/?as_of=2025-03-01&view=chart")
    seg = page.locator('.strip-bars a.seg:has(title:text-matches("^Germany"))')
    seg.locator("rect").hover()
    tip = page.locator("#chart-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Germany: reject")
    expect(tip).to_contain_text("verified by an editor")


def test_the_compare_field_compares_and_stop_comparing_clears_it(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    page.fill("#f-since", "2025-02-14")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&since=2025-02-14")
    rows = page.locator("#changes-table tbody tr[data-country]")
    expect(rows).to_have_count(3)  # FR to support, DE, GB; the US held its stance
    expect(page.locator('.legend-count[data-change="support"]')).to_have_text("2")
    expect(page.locator('.legend-count[data-change="unchanged"]')).to_have_text("1")
    expect(page.locator('.stance-map-wrap a.country[data-iso2="US"]')).to_have_class(re.compile(r"\bmuted\b"))
    expect(page.locator("#f-since")).to_be_focused()  # typing there kept the focus
    # The comparison in the chart view: the changed countries only.
    page.click("#tab-chart")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&since=2025-02-14&view=chart")
    expect(strip_names(page)).to_have_text(["France", "Germany", "United Kingdom"])
    # A date after the one shown: a message beside the field, which keeps it; nothing is sent.
    page.fill("#f-since", "2025-03-05")
    expect(page.locator("#f-since-problem")).to_contain_text("up to 2025-03-01")
    expect(page.locator("#f-since")).to_have_value("2025-03-05")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&since=2025-02-14&view=chart")
    page.fill("#f-since", "2025-02-14")
    expect(page.locator("#f-since-problem")).to_be_hidden()
    page.click("#stop-comparing")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&view=chart")
    expect(page.locator("#f-since")).to_have_value("")
    expect(strip_names(page)).to_have_count(4)


def test_without_javascript_the_tabs_and_compare_are_links_and_forms(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/?as_of=2025-03-01")
    page.click("#tab-chart")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&view=chart")
    expect(page.locator(".strip-bars a.seg")).to_have_count(5)
    page.fill("#f-since", "2025-02-14")
    page.click("#form-state button[type=submit]")
    expect(page).to_have_url(re.compile(r"since=2025-02-14.*view=chart"))
    expect(strip_names(page)).to_have_text(["France", "Germany", "United Kingdom"])
    context.close()


# --- screenshots: seeds/ ingested, and a larger generated dataset ------------------------------------------------

def _shoot(page, live_server, screenshot, prefix: str, as_of: str, since: str):
    for width, height in ((1400, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server}/?as_of={as_of}&view=chart")
        expect(page.locator(".strip-bars")).to_be_visible()
        screenshot(f"browser-chart-{prefix}-{width}")
        page.goto(f"{live_server}/?as_of={as_of}&since={since}")
        expect(page.locator("#changes-table")).to_be_visible()
        screenshot(f"browser-compare-{prefix}-{width}")
        page.goto(f"{live_server}/?as_of={as_of}&since={since}&view=chart")
        expect(page.locator(".strip-bars")).to_be_visible()
        screenshot(f"browser-compare-chart-{prefix}-{width}")


def test_screenshots_with_the_seeds(page, live_server, session, screenshot):
    from app.ingest.store import ingest_paths

    ingest_paths(session, [SEEDS])
    session.commit()
    _shoot(page, live_server, screenshot, "seeds", "2025-03-27", "2024-12-31")
    # Every country of the seeds has its strip; each run of a stance is a segment (some changed, so more).
    page.goto(f"{live_server}/?as_of=2025-03-27&view=chart")
    expect(strip_names(page)).to_have_count(23)
    assert page.locator(".strip-bars a.seg").count() > 23


def test_screenshots_with_a_larger_generated_dataset(page, live_server, session, screenshot):
    """60 countries, 6,000 statements over three years (bench/bench_web.py's shape, smaller to stay quick)."""
    from app.models import Article, Country, Statement
    from app.positions import rebuild_positions

    rnd = random.Random(7)
    codes = list(session.scalars(select(Country.iso2).order_by(Country.iso2)))[:60]
    session.execute(insert(Article), [
        {"file_name": f"gen-{i}.txt", "title": f"Generated {i}", "source": f"Source {i % 12}",
         "url": f"https://news.example/{i}", "date_precision": "day", "body": f"body {i}",
         "body_sha256": f"{i:064x}"} for i in range(120)])
    articles = list(session.scalars(select(Article.id)))
    first = dt.date(2022, 1, 1)
    rows = []
    stances = ("support", "reject", "undecided")
    for i in range(6000):
        country = codes[i % len(codes)]
        k = sum(map(ord, country))
        day = rnd.randrange(1100)
        # Each country holds a stance for months at a time (eras of its own length), now and then misread.
        era = (day + 37 * k) // (90 + k % 300)
        stance = rnd.choice(stances) if rnd.random() < .03 else stances[(era + k) % 3]
        rows.append({"country_iso2": country, "stance": stance, "stated_on": first + dt.timedelta(days=day),
                     "date_precision": "day", "quote": f"The government of {country} said so, minister {i} said.",
                     "article_id": rnd.choice(articles), "origin": "machine",
                     "review_status": "verified" if rnd.random() < .3 else "unreviewed",
                     "confidence": round(rnd.random(), 2)})
    session.execute(insert(Statement), rows)
    rebuild_positions(session)
    session.commit()
    _shoot(page, live_server, screenshot, "generated", "2024-06-30", "2023-06-30")
