"""The home page's views (map, table, chart) and the comparison of two dates, as a reader gets them: the chart's
SVG and its text alternative, tabs that keep the date and filters, htmx fragments, the changed countries listed
exactly (also after edits), and 422s that keep what was typed."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import add_article, add_statement
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import editing

HX = {"HX-Request": "true"}


@pytest.fixture
def seeded(session):
    reuters = add_article(session, source="Reuters", url="https://reuters.example/1")
    add_statement(session, "FR", "undecided", "2024-11-01", article=reuters, quote="France does not rule out troops.")
    add_statement(session, "FR", "support", "2025-02-17", article=reuters, quote="France is ready to send troops.",
                  speaker="Emmanuel Macron")
    add_statement(session, "DE", "reject", "2025-02-17", article=reuters, quote="Germany will not send soldiers.",
                  review_status="verified")
    add_statement(session, "GB", "support", "2025-02-16", quote="Britain is ready to put boots on the ground.")
    add_statement(session, "GB", "support", "2025-03-01", quote="Britain repeats it is ready.")
    add_statement(session, "AU", "undecided", "2025-03-02", quote="Australia is open to contributing.")
    add_statement(session, "PL", "support", "2025-02-18", review_status="dismissed", quote="Misread sentence.")
    session.commit()


def strip_rows(html: str) -> list[str]:
    """The strip chart's countries, in order."""
    names = html.split('<ol class="strip-names">')[1].split("</ol>")[0]
    return re.findall(r'<a href="/countries/([A-Z]{2})"', names)


def segments(html: str) -> list[tuple[str, str]]:
    """(statement id, classes) of every strip segment."""
    return re.findall(r'<a href="/statements/(\d+)" class="(seg [^"]*)"', html)


def changes(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr id="change-([A-Z]{2})" data-country="[A-Z]{2}" data-from="(\w*)" data-to="(\w+)"', html)


def ids(session, quote_start: str) -> int:
    from sqlalchemy import select

    from app.models import Statement

    return session.scalar(select(Statement.id).where(Statement.quote.startswith(quote_start)))


# --- the chart view ------------------------------------------------------------------------------------------

def test_chart_view_draws_both_charts_and_the_table_as_text(client, seeded, session):
    r = client.get("/?view=chart&as_of=2025-03-10")
    assert r.status_code == 200
    html = r.text
    assert '<svg class="area-chart"' in html and 'class="strip-bars"' in html
    assert 'id="ch-pat-reject"' in html  # the stance patterns, once
    # One strip per country with a position on the date (the table's order: by name); PL's only one is dismissed.
    assert strip_rows(html) == ["AU", "FR", "DE", "GB"]
    # Each segment links to the statement that began it: FR's two runs, DE's, GB's one (restated, not changed).
    linked = [int(sid) for sid, _ in segments(html)]
    assert linked == [ids(session, "Australia"), ids(session, "France does"), ids(session, "France is"),
                      ids(session, "Germany"), ids(session, "Britain is")]
    assert "France: support\nsince 17 Feb 2025 (changed from undecided)" in html
    # Unreviewed machine findings carry the cue; the verified German one does not.
    classes = dict(segments(html))
    assert "unreviewed" in classes[str(ids(session, "France is"))]
    assert "unreviewed" not in classes[str(ids(session, "Germany"))]
    # The text alternative: the positions table and the counts per month.
    assert re.findall(r'<tr id="row-([A-Z]{2})"', html) == ["AU", "FR", "DE", "GB"]
    months = re.findall(r'<tr><th scope="row">(\w+ \d{4})</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>'
                        r'<td>(\d+)</td></tr>', html)
    assert months[0] == ("Nov 2024", "0", "1", "0", "1")  # support, undecided, reject, changes
    assert ("Feb 2025", "2", "0", "1", "3") in months  # GB, FR to support, DE
    assert months[-1] == ("Mar 2025", "2", "1", "1", "1")
    assert "On 10 Mar 2025:" in html and "2 support," in html
    assert 'aria-current="page">Chart</a>' in html


def test_chart_view_follows_the_filters_and_the_reading(client, seeded):
    assert strip_rows(client.get("/?view=chart&as_of=2025-03-10&stance=support").text) == ["FR", "GB"]
    assert strip_rows(client.get("/?view=chart&as_of=2025-03-10&group=eu").text) == ["FR", "DE"]
    assert strip_rows(client.get("/?view=chart&as_of=2025-03-10&sort=-date").text) == ["AU", "FR", "DE", "GB"]
    # Verified only: Germany alone has a position resting on a verified statement.
    html = client.get("/?view=chart&as_of=2025-03-10&reviewed=verified").text
    assert strip_rows(html) == ["DE"]
    # Countries whose first position comes after the date still get their row (after the table's, by name).
    assert strip_rows(client.get("/?view=chart&as_of=2025-01-01").text) == ["FR", "AU", "DE", "GB"]
    # The highlighted country (country=XX, as on the map) is marked in its row.
    html = client.get("/?view=chart&as_of=2025-03-10&country=DE").text
    assert '<li class="is-highlight"><a href="/countries/DE"' in html and html.count("is-highlight") >= 2
    # A stance filter dims the other layers of the stacked chart.
    html = client.get("/?view=chart&as_of=2025-03-10&stance=reject").text
    assert 'class="layer stance-support is-dimmed"' in html and 'class="layer stance-reject"' in html


def test_chart_view_with_no_data_says_so(client):
    r = client.get("/?view=chart")
    assert r.status_code == 200 and "No positions yet" in r.text and "strip-bars" not in r.text


def test_table_view_shows_the_table_without_the_map(client, seeded):
    html = client.get("/?view=table&as_of=2025-03-10").text
    assert 'id="positions-table"' in html and "table-only" in html
    assert "stance-map" not in html and "area-chart" not in html


def test_tabs_keep_the_date_and_filters(client, seeded):
    html = client.get("/?as_of=2025-03-10&stance=support&group=eu&reviewed=verified&view=chart").text
    tabs = dict(re.findall(r'id="tab-(\w+)" class="view-tab[^"]*" href="([^"]+)"', html))
    assert tabs == {"map": "/?as_of=2025-03-10&amp;stance=support&amp;group=eu&amp;reviewed=verified",
                    "table": "/?as_of=2025-03-10&amp;stance=support&amp;group=eu&amp;reviewed=verified&amp;view=table",
                    "chart": "/?as_of=2025-03-10&amp;stance=support&amp;group=eu&amp;reviewed=verified&amp;view=chart"}
    # The form carries the view, so changing the date or a filter stays in it; legend links keep it too.
    assert '<input type="hidden" name="view" value="chart">' in html
    assert 'href="/?as_of=2025-03-10&amp;group=eu&amp;reviewed=verified&amp;view=chart"' in html  # legend: unfilter


def test_an_htmx_tab_switch_returns_the_view_and_pushes_its_url(client, seeded):
    r = client.get("/?as_of=2025-03-10&view=chart", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    assert "strip-bars" in r.text and 'id="form-state"' in r.text and 'hx-swap-oob="true"' in r.text
    assert r.headers["HX-Push-Url"] == "/?as_of=2025-03-10&view=chart"
    back = client.get("/?as_of=2025-03-10", headers=HX)
    assert "stance-map" in back.text and "strip-bars" not in back.text
    assert back.headers["HX-Push-Url"] == "/?as_of=2025-03-10"


@pytest.mark.parametrize("view", ["charts", "MAP2", "<b>"])
def test_an_unknown_view_is_a_422_that_keeps_the_page(client, seeded, view):
    r = client.get("/", params={"view": view, "as_of": "2025-03-10"})
    assert r.status_code == 422
    assert "<code>view</code>: " in r.text and "is not one of: map, table, chart" in r.text
    assert "stance-map" in r.text  # shown as the map, the default
    assert "<b>" not in r.text.split('id="view"')[1]


# --- comparing two dates -------------------------------------------------------------------------------------

def test_compare_lists_exactly_the_countries_that_changed(client, seeded):
    r = client.get("/?as_of=2025-03-10&since=2025-01-01")
    assert r.status_code == 200
    html = r.text
    # FR undecided -> support; DE and GB had none. AU comes after; nothing else changed.
    # In the table's order: by name (Australia, France, Germany, United Kingdom).
    assert changes(html) == [("AU", "", "undecided"), ("FR", "undecided", "support"), ("DE", "", "reject"),
                             ("GB", "", "support")]
    html = client.get("/?as_of=2025-03-10&since=2025-02-17").text
    # On 17 Feb FR already supports and DE rejects; GB (16 Feb) too. Only Australia changed after.
    assert changes(html) == [("AU", "", "undecided")]
    assert re.search(r'data-change="undecided">1<', html) and re.search(r'data-change="unchanged">3<', html)
    assert "Unchanged (3):" in html
    # The evidence: the quote of the statement that began the new position, and a link to it.
    assert "Australia is open to contributing." in html and re.search(r'href="/statements/\d+" class="small nowrap">', html)


def test_compare_map_draws_the_changed_countries_and_mutes_the_others(client, seeded):
    html = client.get("/?as_of=2025-03-10&since=2025-02-01").text
    assert re.search(r'<a href="/countries/FR" class="country stance-support[^"]*"[^>]*data-note="changed from undecided '
                     r'\(its position on 1 Feb 2025\)"', html)
    assert re.search(r'<a href="/countries/AU" class="country stance-undecided inset[^"]*"[^>]*data-note="no position '
                     r'on 1 Feb 2025"', html)
    assert not re.search(r'class="country[^"]* muted', html)  # all four changed since 1 Feb
    html = client.get("/?as_of=2025-03-10&since=2025-02-17").text
    assert re.search(r'<a href="/countries/FR" class="country stance-support muted"[^>]*data-note="unchanged since '
                     r'17 Feb 2025"', html)
    assert re.search(r'data-change="support">0<', html) and "1 country</strong>" not in html
    assert '<strong>1</strong>\n  country changed position between' in html


def test_compare_follows_the_stance_filter_and_the_group(client, seeded):
    html = client.get("/?as_of=2025-03-10&since=2025-01-01&stance=support").text
    assert sorted(c[0] for c in changes(html)) == ["FR", "GB"]
    assert re.search(r'data-change="reject">1<', html)  # the legend still counts every change
    # On the map the change to reject is filtered out: muted and said so, not drawn as "no position".
    assert re.search(r'<a href="/countries/DE" class="country stance-reject muted"[^>]*data-note="no position on '
                     r'1 Jan 2025; not in this view \(stance filter: support\)"', html)
    html = client.get("/?as_of=2025-03-10&since=2025-01-01&group=eu").text
    assert sorted(c[0] for c in changes(html)) == ["DE", "FR"]


def test_compare_sees_edits_at_once(client, seeded, session):
    editor = editing.create_user(session, "erin", "correct horse battery")
    session.commit()
    url = "/?as_of=2025-03-10&since=2025-02-17"
    assert changes(client.get(url).text) == [("AU", "", "undecided")]
    # Germany is corrected to support after the 17th: a change between the dates.
    data = editing.validate_statement(session, {
        "country_iso2": "DE", "stance": "support", "stated_on": "2025-03-05", "date_precision": "day",
        "quote": "Germany is now ready to send soldiers.", "speaker": "", "conditions": "", "source_url": ""})
    editing.create_statement(session, editor, data)
    session.commit()
    assert sorted(changes(client.get(url).text)) == [("AU", "", "undecided"), ("DE", "reject", "support")]
    # Australia's statement is dismissed: it has no position, so no change either.
    editing.review_statement(session, editor, ids(session, "Australia"), "dismiss")
    session.commit()
    html = client.get(url).text
    assert changes(html) == [("DE", "reject", "support")]
    assert "Germany is now ready to send soldiers." in html
    chart = client.get(url + "&view=chart").text
    assert strip_rows(chart) == ["DE"]  # the chart of a comparison: the changed countries only


def test_compare_in_the_table_and_chart_views(client, seeded):
    html = client.get("/?as_of=2025-03-10&since=2025-02-17&view=table").text
    assert changes(html) == [("AU", "", "undecided")] and "stance-map" not in html
    html = client.get("/?as_of=2025-03-10&since=2025-02-17&view=chart").text
    assert strip_rows(html) == ["AU"] and 'class="since-line"' in html and 'class="veil"' in html
    assert "compared with 17 Feb 2025" in html
    assert 'id="stop-comparing"' in html
    stop = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="#view"\s+hx-push-url="true" id="stop-comparing"', html)
    assert stop.group(1) == "/?as_of=2025-03-10&amp;view=chart"


def test_a_country_that_changed_and_changed_back_is_unchanged_but_said(client, session):
    add_statement(session, "FR", "support", "2025-01-01")
    add_statement(session, "FR", "reject", "2025-02-01")
    add_statement(session, "FR", "support", "2025-03-01")
    session.commit()
    html = client.get("/?as_of=2025-03-10&since=2025-01-15").text
    assert changes(html) == [] and "No country changed position" in html
    assert "Changed and back again in between:" in html and "(2 changes)" in html


@pytest.mark.parametrize("query, message", [
    ("as_of=2025-03-10&since=2025-04-01", "the date to compare with (1 Apr 2025) is after the date shown "
                                          "(10 Mar 2025); pick an earlier date to compare with"),
    ("as_of=2025-03-10&since=2025-02-30", "is not a date"),
    ("as_of=2025-03-10&since=yesterday", "use YYYY-MM-DD"),
    ("as_of=2025-03-10&since=1740787200", "YYYY-MM-DD"),
])
def test_a_bad_compare_date_is_a_422_that_keeps_what_was_typed(client, seeded, query, message):
    r = client.get(f"/?{query}")
    assert r.status_code == 422
    assert "<code>since</code>: " in r.text and message in r.text
    typed = query.split("since=")[1]
    assert f'name="since" id="f-since" value="{typed}"' in r.text and 'aria-invalid="true"' in r.text
    assert "stance-map" in r.text and "changes-table" not in r.text  # the plain view, not a comparison


def test_a_bad_compare_date_in_an_htmx_request_swaps_the_message(client, seeded):
    r = client.get("/?as_of=2025-03-10&since=2025-04-01&view=chart", headers=HX)
    assert r.status_code == 422 and "<html" not in r.text and "<code>since</code>" in r.text
    assert 'data-since="2025-04-01" data-since-invalid="true"' in r.text


# --- kept drawings: after any writes, what is served equals a drawing from scratch -----------------------------

KEPT_VIEWS = ("/?view=chart&as_of=2025-03-10", "/?view=chart&as_of=2025-03-10&since=2025-01-15",
              "/?view=chart&as_of=2025-02-20&stance=support&sort=-date", "/?view=chart&as_of=2025-03-10&group=eu&country=FR",
              "/?view=chart&as_of=2025-03-10&reviewed=verified", "/?view=chart", "/?as_of=2025-03-10&since=2025-01-15",
              "/?view=table&as_of=2025-03-10&since=2025-02-01")
COUNTRIES = ("FR", "DE", "GB", "AU", "PL", "IT")
day_s = st.dates(min_value=dt.date(2024, 10, 1), max_value=dt.date(2025, 3, 31))
stance_s = st.sampled_from(["support", "reject", "undecided"])
WRITE_OPS = st.lists(st.one_of(
    st.tuples(st.just("create"), st.sampled_from(COUNTRIES), stance_s, day_s),
    st.tuples(st.just("update"), st.integers(0, 50), st.sampled_from(COUNTRIES), stance_s, day_s,
              st.sampled_from(["", "A new wording."])),
    st.tuples(st.just("review"), st.integers(0, 50), st.sampled_from(["verify", "dismiss"])),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("restore"), st.integers(0, 50)),
), min_size=1, max_size=6)


def forget_kept() -> None:
    """Drop everything the app keeps between requests but the page cache (bypassed with a cookie)."""
    from app import queries
    from app.web import pages, svgmap

    pages._KEPT_BARS.clear()
    pages._KEPT_DRAWN.clear()
    pages._position_row.cache_clear()
    pages._change_row.cache_clear()
    svgmap._render_cached.cache_clear()
    queries._runs_cache.clear()
    with queries._cache_lock:
        queries._cache.clear()


def _write(session, admin, op) -> None:
    from sqlalchemy import select

    from app.models import Statement

    kind = op[0]
    statement_ids = list(session.scalars(select(Statement.id).order_by(Statement.id)))
    sid = statement_ids[op[1] % len(statement_ids)] if kind != "create" and statement_ids else None
    try:
        if kind == "create":
            _, country, stance, day = op
            editing.create_statement(session, admin, editing.validate_statement(session, {
                "country_iso2": country, "stance": stance, "stated_on": day.isoformat(),
                "quote": f"{country} said {stance} on {day}."}))
        elif kind == "update" and sid is not None:
            _, _, country, stance, day, wording = op
            s = session.get(Statement, sid)
            data = editing.validate_statement(session, {
                "country_iso2": country, "stance": stance, "stated_on": day.isoformat(), "date_precision": "day",
                "quote": wording or s.quote, "speaker": s.speaker, "conditions": s.conditions,
                "source_url": s.source_url})
            editing.update_statement(session, admin, sid, data, s.version)
        elif kind == "review" and sid is not None:
            editing.review_statement(session, admin, sid, op[2])
        elif kind == "delete" and sid is not None:
            editing.delete_statement(session, admin, sid)
        elif kind == "restore" and sid is not None:
            editing.restore_statement(session, admin, sid)
    except editing.EditError:
        session.rollback()  # e.g. deleting a deleted statement: refused, nothing written


@pytest.fixture
def fresh_start(session):
    """Wipes the database back to the seeded statements before each example (and forgets what was kept)."""
    from sqlalchemy import delete

    from app import positions
    from app.models import Article, AuditEvent, PositionChangeDay, PositionCountry, PositionDay, Statement

    admin = editing.create_user(session, "ada", "correct horse battery", role="admin")
    session.commit()

    def start():
        session.rollback()
        for model in (AuditEvent, Statement, Article, PositionDay, PositionChangeDay, PositionCountry):
            session.execute(delete(model))
        positions.bump_version(session)  # no kept page or copy of the runs outlives the wipe
        session.commit()
        forget_kept()
        add_statement(session, "FR", "undecided", "2024-11-01", quote="France does not rule out troops.")
        add_statement(session, "FR", "support", "2025-02-17", quote="France is ready to send troops.",
                      speaker="Emmanuel Macron")
        add_statement(session, "DE", "reject", "2025-02-17", review_status="verified")
        add_statement(session, "GB", "support", "2025-02-16")
        add_statement(session, "AU", "undecided", "2025-03-02")
        session.commit()

    return admin, start


@pytest.mark.parametrize("budget", [2000, 4])  # 4: coarser steps, which moves as writes add runs
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=WRITE_OPS)
def test_after_any_writes_the_kept_drawing_equals_one_from_scratch(client, session, fresh_start, monkeypatch,
                                                                    budget, ops):
    from app.web import svgchart

    monkeypatch.setattr(svgchart, "STRIP_BUDGET", budget)
    admin, start = fresh_start
    start()
    for view in KEPT_VIEWS:  # drawn once, so what follows the writes is kept where it can be
        client.get(view)
    for op in ops:
        _write(session, admin, op)
        kept = [client.get(view).text for view in KEPT_VIEWS]
        forget_kept()
        # A cookie bypasses the page cache: this is the page drawn afresh from the same data.
        scratch = [client.get(view, headers={"Cookie": "fresh=1"}).text for view in KEPT_VIEWS]
        for view, a, b in zip(KEPT_VIEWS, kept, scratch, strict=True):
            assert a == b, view
