"""What a reader sees of how sure each position is: the unreviewed cue on the map, in the tooltip, the legend and
the table, and the view limited to verified or editor-entered statements (issue 11)."""
from __future__ import annotations

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def mixed(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    # found by the machine, nobody has looked at it
    add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.",
                  origin="machine", review_status="unreviewed", confidence=0.8)
    # found by the machine and checked by an editor
    add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not send soldiers.",
                  origin="machine", review_status="verified", confidence=0.75)
    # typed by an editor
    add_statement(session, "PL", "reject", "2025-02-18", quote="Poland will not send troops.", origin="editor",
                  review_status="verified")
    session.commit()


def country(page, iso2):
    return page.locator(f'.stance-map a.country[data-iso2="{iso2}"]').first


def test_unreviewed_positions_carry_a_second_cue_on_the_map(page, live_server, mixed, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    fr, de = country(page, "FR"), country(page, "DE")
    expect(fr).to_have_attribute("data-trust", "unreviewed")
    assert "unreviewed" in (fr.get_attribute("class") or "").split()
    assert "unreviewed" not in (de.get_attribute("class") or "").split()
    expect(de).to_have_attribute("data-trust", "verified")
    # the cue is visible, not only a class: the unreviewed shape is drawn with a dashed outline
    assert fr.locator("path").first.evaluate("p => getComputedStyle(p).strokeDasharray") not in ("none", "")
    assert de.locator("path").first.evaluate("p => getComputedStyle(p).strokeDasharray") in ("none", "")
    # ... and said in words: tooltip, legend, table
    fr.locator("path").first.hover()
    tip = page.locator("#map-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("not reviewed")
    expect(page.locator('.legend-count[data-trust="unreviewed"]')).to_have_text("1")
    expect(page.locator('.legend-count[data-trust="reviewed"]')).to_have_text("2")
    row = page.locator('#positions-table tbody tr[data-country="FR"]')
    expect(row).to_contain_text("machine-found, not reviewed")
    expect(page.locator('#positions-table tbody tr[data-country="PL"]')).to_contain_text("entered by an editor")
    screenshot("trust-map-unreviewed", full_page=False)
    page.set_viewport_size(PHONE)
    screenshot("trust-map-unreviewed-phone", full_page=False)


def test_the_verified_only_view_leaves_out_unreviewed_positions(page, live_server, mixed, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    expect(country(page, "FR")).to_have_attribute("data-stance", "support")
    page.get_by_label("verified or editor-entered only").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&reviewed=verified")
    expect(country(page, "FR")).to_have_attribute("data-stance", "none")  # its only statement is unreviewed
    expect(country(page, "DE")).to_have_attribute("data-stance", "reject")
    expect(country(page, "PL")).to_have_attribute("data-stance", "reject")
    expect(page.locator(".reading-note")).to_contain_text("verified or entered")
    expect(page.locator('.legend-count[data-trust="unreviewed"]')).to_have_text("0")
    expect(page.locator('#positions-table tbody tr[data-country="FR"]')).to_have_count(0)
    screenshot("trust-map-verified-only", full_page=False)
    # the view is the URL: reloaded or shared, it shows the same
    page.reload()
    expect(country(page, "FR")).to_have_attribute("data-stance", "none")
    expect(page.get_by_label("verified or editor-entered only")).to_be_checked()
