"""What a reader does in a browser: hover and click countries, move the date, filter statements, download CSV."""
from __future__ import annotations

import csv
import re

from app import clock

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=art, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.",
                  speaker="Emmanuel Macron")
    add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not send soldiers.")
    add_statement(session, "MT", "reject", "2025-02-20", article=art, quote="Malta will not send troops.")
    add_statement(session, "US", "reject", "2025-02-12", article=art, quote="No US troops will be deployed.")
    session.commit()


def country(page, iso2):
    return page.locator(f'.stance-map a.country[data-iso2="{iso2}"]').first


def back(page):
    # The browser's back button. Not page.go_back(): htmx answers the popstate with a full reload (no history
    # cache, so the view is rebuilt from the URL), which aborts the navigation go_back() waits for.
    page.evaluate("window.__before_back = true; setTimeout(() => history.back(), 0)")
    page.wait_for_function("() => !window.__before_back && document.readyState === 'complete'")


def rows(page):
    return page.locator("#positions-table tbody tr[data-country]")


def test_hover_shows_tooltip_and_click_opens_the_country(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    expect(country(page, "FR")).to_have_attribute("data-stance", "support")
    country(page, "FR").locator("path").hover()
    tip = page.locator("#map-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("France")
    expect(tip).to_contain_text("Support")
    expect(tip).to_contain_text("France is ready to send troops.")
    screenshot("browser-map-tooltip")
    country(page, "FR").locator("path").click()
    expect(page).to_have_url(f"{live_server}/countries/FR")
    expect(page.locator("h1")).to_contain_text("France")
    expect(page.locator(".change-mark")).to_have_count(2)  # first position, then the change to support
    screenshot("browser-country-fr")


def test_small_states_can_be_found_and_clicked(page, live_server, seeded):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    malta = country(page, "MT")
    expect(malta).to_have_attribute("data-stance", "reject")
    malta.click()
    expect(page).to_have_url(f"{live_server}/countries/MT")
    expect(page.locator("h1")).to_contain_text("Malta")


def test_moving_the_date_changes_colours_table_and_url(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    expect(rows(page)).to_have_count(4)
    expect(page.locator('.legend-count[data-stance="reject"]')).to_have_text("3")

    # Typing a date in the field swaps map, legend and table in place and pushes the URL.
    page.fill("#f-as_of", "2025-01-01")
    expect(page).to_have_url(re.compile(r"as_of=2025-01-01"))
    expect(country(page, "FR")).to_have_attribute("data-stance", "undecided")
    expect(country(page, "DE")).to_have_attribute("data-stance", "none")
    expect(rows(page)).to_have_count(1)
    expect(page.locator('.legend-count[data-stance="undecided"]')).to_have_text("1")
    screenshot("browser-map-earlier")

    # The slider: it spans the first statement to today (the latest date a view can have), so its end and the
    # date field agree.
    slider = page.locator("#as_of_slider")
    expect(slider).to_be_visible()
    today = clock.today()
    expect(page.locator("#slider-end")).to_contain_text(f"{today.day} {today.strftime('%b %Y')}")
    slider.focus()
    page.keyboard.press("End")
    expect(page).to_have_url(f"{live_server}/?as_of={today.isoformat()}")  # no empty parameters in a shared URL
    expect(country(page, "FR")).to_have_attribute("data-stance", "support")
    expect(rows(page)).to_have_count(4)
    expect(page.locator("#f-as_of")).to_have_value(today.isoformat())
    page.keyboard.press("Home")
    expect(page).to_have_url(f"{live_server}/?as_of=2024-11-01")
    expect(rows(page)).to_have_count(1)
    back(page)
    expect(page).to_have_url(f"{live_server}/?as_of={today.isoformat()}")

    # Back restores the earlier view from the URL.
    back(page)
    expect(page).to_have_url(re.compile(r"as_of=2025-01-01"))
    expect(country(page, "FR")).to_have_attribute("data-stance", "undecided")
    expect(page.locator("#f-as_of")).to_have_value("2025-01-01")


def test_play_steps_to_the_next_change_and_can_pause(page, live_server, seeded):
    page.goto(f"{live_server}/?as_of=2024-11-01")
    page.click("#play")
    expect(page).to_have_url(re.compile(r"as_of=2025-02-12"))  # the next day on which a position changed
    page.click("#play")  # pause
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")


def test_legend_filters_and_table_sorts_in_place(page, live_server, seeded):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    page.click('.legend-item:has-text("reject")')
    expect(page).to_have_url(re.compile(r"stance=reject"))
    expect(rows(page)).to_have_count(3)
    expect(country(page, "FR")).to_have_attribute("data-stance", "filtered")  # hidden by the filter, not "none"
    expect(page.locator("#f-stance")).to_have_value("reject")  # the form follows the URL
    page.click('#positions-table th a:has-text("Since")')
    expect(page).to_have_url(re.compile(r"sort=date"))
    expect(rows(page).first).to_have_attribute("data-country", "US")
    page.select_option("#f-group", "eu")
    expect(page).to_have_url(re.compile(r"group=eu"))
    expect(rows(page)).to_have_count(2)


def test_filter_statements_and_download_csv(page, live_server, seeded, screenshot, tmp_path):
    page.goto(f"{live_server}/statements")
    expect(page.locator(".count")).to_contain_text("5 statements")
    page.select_option("#f-stance", "reject")
    expect(page).to_have_url(re.compile(r"stance=reject"))
    expect(page.locator(".count")).to_contain_text("3 statements match")
    page.fill("#f-q", "Malta")
    expect(page).to_have_url(re.compile(r"q=Malta"))
    expect(page.locator(".count")).to_contain_text("1 statement match")
    screenshot("browser-statements-filtered")
    with page.expect_download() as info:
        page.click('.results-head a:has-text("CSV")')
    path = tmp_path / "statements.csv"
    info.value.save_as(path)
    with path.open(encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [(r["country"], r["stance"], r["quote"]) for r in got] == [("MT", "reject", "Malta will not send troops.")]


def test_screens_at_desktop_and_phone_sizes(page, live_server, seeded, screenshot):
    for width, height, tag in ((1400, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in (("map", "/"), ("map-asof", "/?as_of=2025-01-01"), ("country", "/countries/FR"),
                           ("statements", "/statements"), ("about", "/about")):
            page.goto(live_server + path)
            # Nothing sticks out sideways on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(f"browser-{name}-{tag}")


def test_forms_work_without_javascript(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?as_of=2025-03-01")
        expect(page.locator("#as_of_slider")).to_be_hidden()  # the slider needs JavaScript; the date field does not
        page.fill("#f-as_of", "2025-01-01")
        page.select_option("#f-stance", "undecided")
        page.click('#view-form button[type="submit"]')
        expect(page).to_have_url(re.compile(r"as_of=2025-01-01.*stance=undecided"))
        expect(rows(page)).to_have_count(1)
        page.goto(f"{live_server}/statements")
        page.select_option("#f-country", "MT")
        page.click('#filter-form button[type="submit"]')
        expect(page.locator(".count")).to_contain_text("1 statement match")
    finally:
        context.close()
