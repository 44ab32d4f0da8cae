"""What a reader and a publisher do with the toolkit in a browser: the embed inside an iframe on another site
(served by the test on another port), the map page refusing to be framed, the "Share / embed" control with its
copy buttons, and the /changes and /data screens. Screenshots at 1400x900 and 390x844."""
from __future__ import annotations

import http.server
import threading

import pytest
from factories import add_article, add_statement
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(session):
    reuters = add_article(session, source="Reuters", url="https://reuters.example/1")
    err = add_article(session, source="ERR", url="https://news.err.example/2")
    rows = [
        ("FR", "undecided", "2024-11-01", reuters, "France does not rule out sending troops.", "machine", "unreviewed"),
        ("FR", "support", "2025-02-17", reuters, "France is ready to send troops to Ukraine.", "machine", "verified"),
        ("DE", "reject", "2025-02-17", reuters, "Germany will not send soldiers.", "machine", "unreviewed"),
        ("GB", "support", "2025-02-16", None, "Britain is ready to put boots on the ground.", "editor", "verified"),
        ("EE", "support", "2025-02-18", err, "Estonia is ready to send a company.", "machine", "unreviewed"),
        ("PL", "reject", "2025-02-18", err, "Poland will not send troops.", "machine", "verified"),
        ("IT", "undecided", "2025-02-20", reuters, "Italy is weighing its options.", "machine", "unreviewed"),
        ("IT", "reject", "2025-03-04", reuters, "Italy rules out sending soldiers.", "machine", "unreviewed"),
        ("SE", "undecided", "2025-02-25", err, "Sweden does not rule it out.", "machine", "unreviewed"),
    ]
    for iso2, stance, day, art, quote, origin, status in rows:
        add_statement(session, iso2, stance, day, article=art, quote=quote, origin=origin, review_status=status,
                      confidence=None if origin == "editor" else 0.8, speaker="A minister" if iso2 == "FR" else None)
    session.commit()


@pytest.fixture
def other_site():
    """A second web site on another port (another origin) whose page frames what the test gives it."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            body = pages.get(self.path, "not found").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def test_the_embed_renders_in_an_iframe_on_another_site_and_the_map_page_does_not(page, live_server, seeded,
                                                                                  other_site, screenshot):
    base, pages = other_site
    pages["/article.html"] = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>A newsroom's article</title>
<style>body {{ font: 16px/1.5 Georgia, serif; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; }}</style></head>
<body><h1>Who would send troops to Ukraine?</h1><p>The map below is embedded from stancemap.</p>
<iframe id="embed" src="{live_server}/embed?as_of=2025-03-01" title="stancemap" width="100%" height="640"
 style="border:0"></iframe>
<p>And the site's own map page, which must refuse to be framed:</p>
<iframe id="refused" src="{live_server}/?as_of=2025-03-01" title="refused" width="100%" height="120"></iframe>
</body></html>"""
    page.goto(f"{base}/article.html")
    frame = page.frame_locator("#embed")
    expect(frame.locator("svg.stance-map")).to_be_visible()
    expect(frame.locator('.legend-count[data-stance="support"]')).to_have_text("3")
    expect(frame.locator('.legend-count[data-stance="reject"]')).to_have_text("2")
    expect(frame.locator('.stance-map a.country[data-iso2="FR"]').first).to_have_attribute("data-stance", "support")
    expect(frame.locator("#freshness")).to_contain_text("Statements through 4 Mar 2025")
    expect(frame.locator(".site-header")).to_have_count(0)
    # The tooltip works inside the frame too.
    frame.locator('.stance-map a.country[data-iso2="DE"] path').first.hover()
    expect(frame.locator("#map-tooltip")).to_contain_text("Germany")
    # The map page itself is refused: Chromium shows its own error page in that frame, not the map.
    refused = page.frame(url=lambda u: not u.startswith(base) and "/embed" not in u)
    assert refused is not None
    assert refused.url.startswith("chrome-error://") or refused.locator("svg.stance-map").count() == 0
    screenshot("embed-in-iframe", full_page=False)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.frame_locator("#embed").locator("svg.stance-map")).to_be_visible()
    screenshot("embed-in-iframe-phone", full_page=False)


def test_the_embed_on_its_own(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/embed?as_of=2025-03-01&stance=support")
    expect(page.locator("#freshness")).to_contain_text("showing only countries that support")
    # A country link leaves the frame for the site, in a new tab.
    with page.context.expect_page() as opened:
        page.locator('.stance-map a.country[data-iso2="FR"]').first.click()
    expect(opened.value).to_have_url(f"{live_server}/countries/FR")
    screenshot("embed", full_page=True)
    page.set_viewport_size(PHONE)
    screenshot("embed-phone", full_page=True)


def test_share_gives_the_link_and_code_of_the_current_view_and_copies_them(page, context, live_server, seeded,
                                                                           screenshot):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/?as_of=2025-03-01")
    share = page.locator("details#share")
    share.locator("summary").click()
    link = page.locator("#share-link")
    expect(link).to_have_value(f"{live_server}/?as_of=2025-03-01")
    expect(page.locator("#share-embed")).to_have_value(
        f'<iframe src="{live_server}/embed?as_of=2025-03-01" title="stancemap: positions on a multinational force in '
        f'Ukraine, 1 Mar 2025" width="100%" height="640" style="border:0;max-width:100%" loading="lazy"></iframe>')
    # With htmx the view changes in place; the disclosure stays open and follows the view.
    page.locator('.legend a.legend-item:has(.stance-support)').click()
    expect(page).to_have_url(f"{live_server}/?as_of=2025-03-01&stance=support")
    expect(link).to_have_value(f"{live_server}/?as_of=2025-03-01&stance=support")
    expect(share).to_have_attribute("open", "")
    page.get_by_role("button", name="Copy code").first.click()
    expect(page.locator("#share-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f'<iframe src="{live_server}/embed?as_of=2025-03-01&amp;stance=support"')
    share.scroll_into_view_if_needed()
    screenshot("share-control", full_page=False)
    page.set_viewport_size(PHONE)
    share.scroll_into_view_if_needed()
    screenshot("share-control-phone", full_page=False)


def test_share_works_without_javascript(browser, live_server, seeded, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/?as_of=2025-03-01")
    page.locator("details#share summary").click()
    expect(page.locator("#share-link")).to_be_visible()
    expect(page.locator("#share-link")).to_have_value(f"{live_server}/?as_of=2025-03-01")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()  # no copy without script
    context.close()


def test_the_changes_list_filters_in_place_and_links_the_feeds(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/changes")
    expect(page.locator(".results-head .count")).to_contain_text("9 changes")
    page.get_by_label("New stance").select_option("reject")
    expect(page).to_have_url(f"{live_server}/changes?stance=reject")
    expect(page.locator(".results-head .count")).to_contain_text("3 changes")
    expect(page.locator("#results a[type='application/atom+xml']").first).to_have_attribute(
        "href", "/changes.atom?stance=reject")
    page.goto(f"{live_server}/changes")
    screenshot("changes", full_page=True)
    page.set_viewport_size(PHONE)
    screenshot("changes-phone", full_page=False)


def test_the_data_page(page, live_server, seeded, screenshot):
    page.goto(f"{live_server}/?as_of=2025-03-01&stance=support")
    page.locator("details#share summary").click()
    page.get_by_role("link", name="Download or cite this view").click()
    expect(page).to_have_url(f"{live_server}/data?as_of=2025-03-01&stance=support")
    expect(page.get_by_role("heading", name="The map as displayed")).to_be_visible()
    expect(page.locator("#cite-text")).to_contain_text("Statements through 4 Mar 2025")
    screenshot("data", full_page=True)
    page.set_viewport_size(PHONE)
    screenshot("data-phone", full_page=True)
