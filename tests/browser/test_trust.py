"""What a reader sees of how sure the map is: the unreviewed cue on the map and in the tooltip, the verified-only
view, and a country page with many statements that loads older ones on demand."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def mixed(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "support", "2025-02-17", article=art, confidence=0.8, mention_start=0, cue_start=4,
                  quote="France is ready to send troops.")
    add_statement(session, "DE", "reject", "2025-02-17", article=art, review_status="verified",
                  quote="Germany will not send soldiers.")
    add_statement(session, "PL", "undecided", "2025-01-10", origin="editor", review_status="verified",
                  quote="Poland has not decided.")
    session.commit()


def country(page, iso2):
    return page.locator(f'.stance-map a.country[data-iso2="{iso2}"]').first


def rows(page):
    return page.locator("#positions-table tbody tr[data-country]")


def _style(locator, prop):
    return locator.evaluate(f"el => getComputedStyle(el).{prop}")


def test_unreviewed_positions_look_different_and_say_so(page, live_server, mixed, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    fr, de = country(page, "FR").locator("path"), country(page, "DE").locator("path")
    assert float(_style(fr, "fillOpacity")) == pytest.approx(0.5)
    assert _style(fr, "strokeDasharray") not in ("none", "")
    assert float(_style(de, "fillOpacity")) == 1
    assert _style(de, "strokeDasharray") in ("none", "")
    expect(page.locator(".legend-trust")).to_contain_text("machine-found, not yet reviewed")
    expect(page.locator('.legend-count[data-trust="unreviewed"]')).to_have_text("1")
    fr.hover()
    tip = page.locator("#map-tooltip")
    expect(tip).to_contain_text("machine-found, not reviewed (confidence 0.80)")
    expect(tip).to_contain_text("Since 17 Feb 2025")
    screenshot("browser-trust-tooltip")
    de.hover()
    expect(tip).to_contain_text("verified by an editor")
    expect(page.locator("#row-FR")).to_contain_text("machine-found, not reviewed")
    expect(page.locator("#row-PL")).to_contain_text("entered by an editor")


def test_the_verified_only_view(page, live_server, mixed, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    expect(rows(page)).to_have_count(3)
    expect(page.get_by_label("all statements (default)")).to_be_checked()
    page.get_by_label("verified or editor-entered only").check()
    expect(page).to_have_url(re.compile(r"reviewed=verified"))
    expect(rows(page)).to_have_count(2)
    expect(country(page, "FR")).to_have_attribute("data-stance", "none")
    expect(country(page, "DE")).to_have_attribute("data-stance", "reject")
    expect(page.locator('.legend-count[data-stance="support"]')).to_have_text("0")
    expect(page.locator('.legend-count[data-trust="unreviewed"]')).to_have_text("0")
    expect(page.locator("#freshness")).to_contain_text("Only positions resting on statements an editor verified")
    screenshot("browser-verified-only")
    page.reload()  # the URL holds the view
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_label("verified or editor-entered only")).to_be_checked()
    with page.expect_download() as info:
        page.click('.downloads a:has-text("CSV")')
    assert "reviewed=verified" in info.value.url


def test_a_long_country_page_loads_older_statements_in_place(page, live_server, session):
    start = dt.date(2023, 1, 1)
    for n in range(75):
        add_statement(session, "IT", ("support", "reject")[n // 30 % 2], start + dt.timedelta(days=10 * n),
                      quote=f"statement number {n}.")
    session.commit()
    page.goto(f"{live_server}/countries/IT")
    entries = page.locator("#timeline > li.tl-entry")
    expect(entries).to_have_count(50)
    page.get_by_role("link", name="Older statements").click()
    expect(entries).to_have_count(75)
    expect(page).to_have_url(f"{live_server}/countries/IT")  # in place: no navigation
    expect(page.get_by_role("link", name="Older statements")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("statement number 0.")
