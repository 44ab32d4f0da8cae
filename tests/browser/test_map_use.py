"""The map, right to use, tried as a person would: filters that hide without lying, Play over the change dates
with one history entry, a date field that waits for a whole date, focus after swaps, the live summary, small
states, a tap on a phone, the statements list's column sorts. Screenshots at 1400x900 and 390x844."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(session):
    art = add_article(session, source="news.err.ee", url="https://news.err.ee/a1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=art, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=art, quote="France is ready to send troops.",
                  speaker="Emmanuel Macron")
    add_statement(session, "DE", "reject", "2025-02-17", article=art, quote="Germany will not send soldiers.")
    add_statement(session, "MT", "reject", "2025-02-20", article=art, quote="Malta will not send troops.")
    add_statement(session, "US", "reject", "2025-02-12", article=art, quote="No US troops will be deployed.")
    session.commit()


def country(page, iso2):
    return page.locator(f'.stance-map a.country[data-iso2="{iso2}"]').first


def map_requests(page, base):
    """The date (as_of) of every htmx request for a new view of the map, as it leaves the browser."""
    seen = []

    def note(request):
        if (request.url.startswith(f"{base}/?") or request.url == f"{base}/") and \
                request.headers.get("hx-request") == "true":
            seen.append(parse_qs(urlsplit(request.url).query).get("as_of", [""])[0])

    page.on("request", note)
    return seen


def active_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_filters_hide_countries_and_say_so(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01&stance=reject")
    # France supports: outside a "reject" view it is hidden, drawn and labelled as such, never as "no position".
    fr = country(page, "FR")
    expect(fr).to_have_attribute("data-stance", "filtered")
    expect(fr).to_have_attribute("aria-label", "France: not in this view")
    expect(fr).to_have_attribute("tabindex", "-1")
    expect(country(page, "DE")).to_have_attribute("data-stance", "reject")
    expect(country(page, "NO")).to_have_attribute("data-stance", "none")  # no position at all: said so
    expect(page.locator("#legend-filter")).to_contain_text("showing only reject positions")
    expect(page.locator(".legend").first).to_contain_text("not in this view")
    fr.locator("path").hover()
    expect(page.locator("#map-tooltip")).to_contain_text("Not in this view")
    screenshot("map-use-filtered-stance-desktop")

    page.goto(f"{live_server}/?as_of=2025-03-01&group=eu")
    us = page.locator(".map-elsewhere a.country[data-iso2='US']")  # rejects, but is not in the EU: its tile stays
    expect(us).to_have_attribute("data-stance", "filtered")
    expect(us).to_have_attribute("title", "United States: not in this view")
    expect(country(page, "NO")).to_have_attribute("data-stance", "filtered")
    expect(country(page, "FR")).to_have_attribute("data-stance", "support")
    expect(country(page, "IT")).to_have_attribute("data-stance", "none")  # in the EU, no position
    expect(page.locator("#legend-filter")).to_contain_text("EU members")
    page.click("#legend-show-all")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01")
    expect(country(page, "NO")).to_have_attribute("data-stance", "none")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/?as_of=2025-03-01&group=eu")
    screenshot("map-use-filtered-group-phone")


def test_play_steps_through_the_change_dates_and_leaves_one_history_entry(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2024-11-01")
    page.evaluate("""window.__seen = [];
        document.body.addEventListener('htmx:afterSettle', e => {
          if (e.target.id === 'view') window.__seen.push([location.search,
            document.getElementById('f-as_of').value,
            document.getElementById('as_of_slider').getAttribute('aria-valuetext'),
            document.getElementById('freshness').textContent.replace(/\\s+/g, ' ')]);
        });""")
    before = page.evaluate("history.length")
    play = page.locator("#play")
    width = play.bounding_box()["width"]
    play.click()
    expect(play).to_have_attribute("aria-pressed", "true")
    assert play.bounding_box()["width"] == width  # the label changes, the button does not
    screenshot("map-use-playing-desktop", full_page=False)
    # It stops by itself after the last day on which a position changed.
    expect(play).to_have_attribute("aria-pressed", "false", timeout=30_000)
    assert play.bounding_box()["width"] == width
    seen = page.evaluate("window.__seen")
    # One step per change date after the start, each drawn with field, slider and map on the same date.
    assert [s[0] for s in seen] == ["?as_of=2025-02-12", "?as_of=2025-02-17", "?as_of=2025-02-20"]
    for (_, field, slider, freshness), label in zip(seen, ("12 Feb 2025", "17 Feb 2025", "20 Feb 2025"), strict=True):
        assert field == f"2025-02-{label[:2]}"
        assert slider == label
        assert f"Showing positions on {label}" in freshness
    assert page.evaluate("history.length") == before + 1
    expect(country(page, "MT")).to_have_attribute("data-stance", "reject")
    # Back leaves the run at once: the view before Play.
    page.evaluate("window.__before_back = true; setTimeout(() => history.back(), 0)")
    page.wait_for_function("() => !window.__before_back && document.readyState === 'complete'")
    expect(page).to_have_url(f"{live_server}/?as_of=2024-11-01")


def test_typing_a_date_sends_one_request_and_never_a_partial_one(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    sent = map_requests(page, live_server)
    field = page.locator("#f-as_of")
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("2025-01-01", delay=60)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/?as_of=2025-01-01")
    expect(country(page, "FR")).to_have_attribute("data-stance", "undecided")
    page.wait_for_timeout(1500)  # longer than the pause after typing: a late request would have left by now
    assert sent == ["2025-01-01"]

    # A partial date is not sent on leaving the field; the field says what is wrong.
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("2025-0", delay=60)
    page.keyboard.press("Tab")
    expect(page.locator("#f-as_of-problem")).to_contain_text("YYYY-MM-DD")
    expect(field).to_have_attribute("aria-invalid", "true")
    # Nor an impossible one on Enter, nor on the Show button.
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("2025-02-30", delay=60)
    page.keyboard.press("Enter")
    expect(page.locator("#f-as_of-problem")).to_contain_text("no such day")
    page.click("#f-show")
    page.wait_for_timeout(1500)
    assert sent == ["2025-01-01"]
    expect(page).to_have_url(f"{live_server}/?as_of=2025-01-01")
    screenshot("map-use-bad-date-desktop", full_page=False)
    # Corrected, it goes after a pause in typing, without Enter.
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("2025-02-18", delay=60)
    expect(page).to_have_url(f"{live_server}/?as_of=2025-02-18")
    expect(page.locator("#f-as_of-problem")).to_be_hidden()
    page.wait_for_timeout(1500)
    assert sent == ["2025-01-01", "2025-02-18"]


def test_focus_stays_after_swaps_and_the_live_region_sums_up(page, live_server, seeded):
    page.goto(f"{live_server}/?as_of=2025-03-01")
    status = page.locator("#view-status")
    expect(status).to_have_text("Positions on 1 Mar 2025: 1 support, 3 reject, 0 undecided.")
    expect(page.locator("#view")).not_to_have_attribute("aria-live", re.compile(".+"))

    page.focus("#legend-reject")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("stance=reject"))
    expect(status).to_have_text("Positions on 1 Mar 2025: 1 support, 3 reject, 0 undecided; showing reject only.")
    assert active_id(page) == "legend-reject"  # the new legend's entry, not <body>

    page.focus("#sort-date")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("sort=date"))
    assert active_id(page) == "sort-date"

    page.focus("#f-group")
    page.keyboard.press("ArrowDown")  # a select changed from the keyboard: its form part is swapped too
    expect(page).to_have_url(re.compile("group=eu"))
    expect(status).to_contain_text("Positions on 1 Mar 2025 (EU members): 1 support, 2 reject")
    assert active_id(page) == "f-group"

    # Skip the map: from the link the focus goes to the table.
    page.focus(".skip-map")
    expect(page.locator(".skip-map")).to_be_visible()
    page.keyboard.press("Enter")
    assert active_id(page) == "table-title"

    # Countries with a position are tab stops; those without are not.
    page.goto(f"{live_server}/?as_of=2025-03-01")
    expect(country(page, "FR")).to_have_attribute("tabindex", "0")
    expect(country(page, "IT")).to_have_attribute("tabindex", "-1")


def test_small_states_have_a_labelled_target_of_at_least_24px(page, live_server, seeded):
    for size in ({"width": 1400, "height": 900}, PHONE):
        page.set_viewport_size(size)
        page.goto(f"{live_server}/?as_of=2025-03-01")
        tile = page.locator(".map-elsewhere a.small-state[data-iso2='MT']")
        expect(tile).to_contain_text("Malta")
        box = tile.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
        expect(country(page, "MT")).to_have_attribute("tabindex", "-1")  # its tile is the tab stop
        tile.click()
        expect(page).to_have_url(f"{live_server}/countries/MT")


def test_on_a_phone_the_map_comes_first_and_a_tap_shows_the_position(browser, live_server, seeded, screenshot):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?as_of=2025-03-01")
        box = page.locator("svg.stance-map").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]  # the whole map on the first screen
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        country(page, "FR").tap()
        card = page.locator("#map-tooltip")
        expect(card).to_be_visible()
        expect(card).to_contain_text("France")
        expect(card).to_contain_text("Support")
        expect(card).to_contain_text("France is ready to send troops.")
        expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01")  # still here
        screenshot("map-use-tap-phone", page=page, full_page=False)
        card.get_by_role("link", name="Open France’s page").tap()
        expect(page).to_have_url(f"{live_server}/countries/FR")
    finally:
        context.close()


def test_the_table_beside_the_map_is_part_of_the_page(page, live_server, session, screenshot):
    art = add_article(session, source="Wire")
    for iso2 in ("FR", "DE", "PL", "IT", "ES", "NL", "BE", "SE", "FI", "DK", "NO", "EE", "LV", "LT", "CZ", "SK",
                 "AT", "PT", "IE", "GR", "RO", "BG", "HR", "SI", "HU"):
        add_statement(session, iso2, "support", "2025-02-17", article=art, quote=f"{iso2} is ready to send troops.")
    session.commit()
    page.goto(f"{live_server}/?as_of=2025-03-01")
    scroller = page.locator(".table-panel .table-scroll")
    # No scroller inside the page: the table is as tall as its rows and the page scrolls.
    assert scroller.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
    assert page.evaluate("document.documentElement.scrollHeight > window.innerHeight")
    screenshot("map-use-long-table-desktop")


def test_the_statements_list_sorts_by_any_column(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/statements")
    first = page.locator("table.statements tbody tr").first
    expect(first).to_contain_text("Malta")  # newest first
    page.click("#ssort-country")
    expect(page).to_have_url(f"{live_server}/statements?sort=country")
    expect(first).to_contain_text("France")
    assert active_id(page) == "ssort-country"
    page.click("#ssort-country")
    expect(page).to_have_url(f"{live_server}/statements?sort=-country")
    expect(first).to_contain_text("United States")
    page.click("#ssort-stance")
    expect(first.locator(".badge")).to_have_text("support")
    expect(page.locator("#f-sort")).to_have_value("stance")
    # A filter keeps the order.
    page.select_option("#f-stance", "reject")
    expect(page).to_have_url(re.compile(r"stance=reject.*sort=stance|sort=stance.*stance=reject"))
    expect(page.locator("table.statements tbody tr")).to_have_count(3)
    # The source's domain wraps only after a dot.
    assert page.locator("td.source-cell a.source").first.inner_html() == "news.<wbr>err.<wbr>ee"
    page.click("#ssort-date")
    expect(page).to_have_url(f"{live_server}/statements?stance=reject")  # newest first again: no parameter
    screenshot("map-use-statements-sorted-desktop")
    expect(page.locator("#f-sort")).to_have_value("")  # the order control follows the headers
    # On a phone the table has no header row: the "Order" control sorts.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/statements")
    page.select_option("#f-sort", "country")
    expect(page).to_have_url(f"{live_server}/statements?sort=country")
    expect(first).to_contain_text("France")
    screenshot("map-use-statements-sorted-phone")
