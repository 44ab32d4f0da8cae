"""Unit tests for the chart view's pure parts: runs, counts over time and months (app/queries.py) and the SVG
builders (app/web/svgchart.py): positions across, steps, hidden runs, links, labels, trust cue, escaping."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.queries import CountryRuns, Run, StanceTotals, StatementBrief, monthly_totals, stance_totals, totals_on
from app.web.svgchart import (STACK, STEPS, TimeAxis, area_columns, draw_strips, drawn_segments, nice_max, pick_step,
                              render_area, render_strips, row_bars, run_offsets, segment_label, strip_layout,
                              time_ticks)

SVG = "{http://www.w3.org/2000/svg}"
D = dt.date


def runs_of(country: str, name: str, *steps: tuple, eu: bool = False, trust: str = "verified") -> CountryRuns:
    """steps: (start, stance[, statement id[, trust]]); each run ends where the next starts."""
    out, previous = [], None
    for i, step in enumerate(steps):
        start, stance = step[0], step[1]
        sid = step[2] if len(step) > 2 else 100 * len(country) + i
        end = steps[i + 1][0] if i + 1 < len(steps) else None
        out.append(Run(stance=stance, start=start, precision="day", end=end, statement_id=sid,
                       trust=step[3] if len(step) > 3 else trust, previous=previous))
        previous = stance
    return CountryRuns(country=country, name=name, eu=eu, nato=False, runs=tuple(out))


FR = runs_of("FR", "France", (D(2025, 1, 1), "undecided", 1), (D(2025, 2, 17), "support", 2))
DE = runs_of("DE", "Germany", (D(2025, 2, 1), "reject", 3, "unreviewed"))
GB = runs_of("GB", "United Kingdom", (D(2025, 1, 15), "reject", 4), (D(2025, 2, 1), "support", 5),
             (D(2025, 3, 1), "undecided", 6))


def parse(markup) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")  # also proves the output is well-formed


def segments(root: ET.Element) -> list[ET.Element]:
    return [a for a in root.iter(f"{SVG}a") if "seg" in a.get("class", "").split()]


def pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


# --- runs and counts (app/queries.py) ------------------------------------------------------------------------------

def test_stance_totals_count_each_country_once_per_day():
    totals = stance_totals([FR, DE, GB])
    assert [(t.day, t.support, t.reject, t.undecided) for t in totals] == [
        (D(2025, 1, 1), 0, 0, 1),
        (D(2025, 1, 15), 0, 1, 1),
        (D(2025, 2, 1), 1, 1, 1),  # GB reject -> support, DE's first position: reject
        (D(2025, 2, 17), 2, 1, 0),
        (D(2025, 3, 1), 1, 1, 1),
    ]
    assert all(t.total == [1, 2, 3, 3, 3][i] for i, t in enumerate(totals))
    assert totals_on(totals, D(2024, 12, 31)).total == 0
    assert totals_on(totals, D(2025, 2, 16)) == totals[2]
    assert totals_on(totals, D(2026, 1, 1)) == totals[-1]


def test_a_country_run_on_a_day_and_changes_between_two_days():
    assert GB.run_on(D(2025, 1, 1)) is None
    assert GB.run_on(D(2025, 2, 1)).stance == "support"
    assert GB.run_on(D(2025, 2, 28)).stance == "support"
    assert GB.run_on(D(2030, 1, 1)).stance == "undecided"
    assert GB.changes_between(D(2025, 1, 15), D(2025, 3, 1)) == 2  # after the first day, up to the last
    assert GB.changes_between(D(2025, 1, 14), D(2025, 2, 28)) == 2
    assert GB.changes_between(D(2025, 3, 1), D(2025, 12, 1)) == 0


def test_monthly_totals_are_the_counts_at_each_months_end_with_its_changes():
    totals = stance_totals([FR, DE, GB])
    months = monthly_totals(totals, D(2024, 12, 20), D(2025, 3, 10))
    assert [m.month for m in months] == [D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)]
    assert [(m.totals.support, m.totals.reject, m.totals.undecided) for m in months] == [
        (0, 0, 0), (0, 1, 1), (2, 1, 0), (1, 1, 1)]
    assert [m.changes for m in months] == [0, 2, 3, 1]


# --- time across -----------------------------------------------------------------------------------------------

def test_the_axis_maps_days_to_fractions_and_refuses_an_empty_span():
    axis = TimeAxis(D(2025, 1, 1), D(2025, 1, 11))
    assert axis.days == 10 and axis.at(D(2025, 1, 1)) == 0 and axis.at(D(2025, 1, 6)) == .5
    assert axis.at(D(2024, 1, 1)) == 0 and axis.at(D(2026, 1, 1)) == 1  # clamped
    assert axis.snap(D(2025, 1, 8), 3) == D(2025, 1, 7) and axis.snap(D(2025, 1, 11), 3) == D(2025, 1, 11)
    with pytest.raises(ValueError):
        TimeAxis(D(2025, 1, 1), D(2025, 1, 1))


@pytest.mark.parametrize("start, end, limit, expected", [
    (D(2025, 1, 10), D(2025, 5, 1), 10, ["Feb 2025", "Mar 2025", "Apr 2025"]),
    (D(2024, 11, 1), D(2025, 12, 31), 3, ["Jan 2025", "Jul 2025"]),  # every 6 months, on January and July
    (D(2021, 6, 1), D(2025, 7, 1), 4, ["2022", "2023", "2024", "2025"]),
    (D(2021, 6, 1), D(2025, 7, 1), 3, ["2022", "2024"]),
])
def test_time_ticks_fall_on_months_or_years_and_respect_the_limit(start, end, limit, expected):
    ticks = time_ticks(TimeAxis(start, end), limit)
    assert [label for _, label in ticks] == expected
    assert all(start <= day < end for day, _ in ticks)


def test_a_span_of_weeks_is_labelled_by_days():
    ticks = time_ticks(TimeAxis(D(2025, 3, 3), D(2025, 3, 24)), 3)
    assert [label for _, label in ticks] == ["3 Mar 2025", "10 Mar 2025", "17 Mar 2025"]


# --- strips -------------------------------------------------------------------------------------------------------

AXIS = TimeAxis(D(2025, 1, 1), D(2025, 4, 11))  # 100 days


def test_strips_place_each_run_exactly_on_a_daily_step():
    layout = strip_layout([FR, DE, GB], AXIS)
    assert layout.step == 1
    assert [r.country for r in layout.rows] == ["FR", "DE", "GB"]  # the order given
    fr = layout.rows[0].segments
    assert [(s.run.stance, s.x0, s.x1) for s in fr] == [("undecided", 0, .47), ("support", .47, 1)]
    assert layout.statement_ids() == {1, 2, 3, 4, 5, 6}


def test_render_strips_links_every_segment_to_its_statement_with_what_it_shows():
    briefs = {2: StatementBrief(id=2, stance="support", stated_on=D(2025, 2, 17), date_precision="day",
                                quote="France is ready to send troops.", speaker="Emmanuel Macron", source="Reuters",
                                url=None, origin="editor", review_status="verified", confidence=None)}
    root = parse(render_strips(strip_layout([FR, DE], AXIS), as_of=D(2025, 3, 1), briefs=briefs))
    segs = segments(root)
    assert [a.get("href") for a in segs] == ["/statements/1", "/statements/2", "/statements/3"]
    title = segs[1].find(f"{SVG}title").text
    assert title.splitlines() == ["France: support", "since 17 Feb 2025 (changed from undecided)",
                                  "entered by an editor", "“France is ready to send troops.” Emmanuel Macron — Reuters"]
    assert segs[0].find(f"{SVG}title").text.splitlines()[1] == "from 1 Jan 2025 until 17 Feb 2025 (first position)"
    rect = segs[1].find(f"{SVG}rect")
    assert (pct(rect.get("x")), pct(rect.get("width"))) == (.47, .53)
    assert rect.get("fill") == "url(#ch-pat-support)"
    # The country names are HTML links beside the strips, in the same order.
    assert [(a.get("href"), a.text) for a in root.iter("a")] == [("/countries/FR", "France"),
                                                                 ("/countries/DE", "Germany")]


def test_unreviewed_segments_are_lighter_with_a_dashed_outline():
    root = parse(render_strips(strip_layout([FR, DE], AXIS), as_of=D(2025, 3, 1)))
    de = [a for a in segments(root) if a.get("href") == "/statements/3"][0]
    assert "unreviewed" in de.get("class").split()
    rect = de.find(f"{SVG}rect")
    assert rect.get("fill-opacity") == ".5" and rect.get("stroke-dasharray") == "4 2"
    assert "machine-found, not reviewed" in de.find(f"{SVG}title").text
    fr = [a for a in segments(root) if a.get("href") == "/statements/2"][0]
    assert "unreviewed" not in fr.get("class").split() and fr.find(f"{SVG}rect").get("stroke-dasharray") is None


def test_changes_are_ticked_and_the_dates_drawn_as_lines():
    root = parse(render_strips(strip_layout([FR, DE, GB], AXIS), as_of=D(2025, 3, 1), since=D(2025, 2, 1)))
    ticks = [ln for ln in root.iter(f"{SVG}line") if "change" in ln.get("class", "").split()]
    assert sorted(pct(t.get("x1")) for t in ticks) == [.31, .47, .59]  # FR's change, GB's two; first ones not
    as_of = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "as-of-line"]
    since = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "since-line"]
    assert as_of and {pct(ln.get("x1")) for ln in as_of} == {.59}  # the head and the strips
    assert since and {pct(ln.get("x1")) for ln in since} == {.31}
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") in ("as-of-label", "since-label")]
    assert labels == ["1 Mar 2025", "compared with 1 Feb 2025"]


def test_a_coarser_step_keeps_the_budget_and_counts_the_runs_it_cannot_draw():
    # A country changing every day for 60 days: 60 runs; a budget of 10 segments.
    busy = runs_of("PL", "Poland", *[(D(2025, 1, 1) + dt.timedelta(days=i), STACK[i % 3], 1000 + i)
                                     for i in range(60)])
    layout = strip_layout([busy], AXIS, budget=10)
    assert layout.step > 1 and layout.segments <= 10
    segs = layout.rows[0].segments
    assert len(segs) + sum(s.hidden for s in segs) == 60  # every run is drawn or counted
    assert segs[-1].run.statement_id == 1059 and segs[-1].x1 == 1  # the latest is always drawn, to the end
    assert all(a.x1 == b.x0 for a, b in zip(segs, segs[1:], strict=False))  # no gaps, no overlaps
    label = segment_label("Poland", segs[1], None)
    assert "shorter positions in the same step are not drawn" in label and "drawn from" in label
    exact = strip_layout([busy], AXIS)
    assert exact.step == 1 and exact.segments == 60 and not any(s.hidden for s in exact.rows[0].segments)


def test_names_and_quotes_are_escaped():
    evil = runs_of("IT", "Italy <script>", (D(2025, 1, 5), "reject", 9))
    brief = StatementBrief(id=9, stance="reject", stated_on=None, date_precision="day", quote='"><script>x</script>',
                           speaker=None, source=None, url=None, origin="machine", review_status="unreviewed",
                           confidence=.5)
    markup = str(render_strips(strip_layout([evil], AXIS), as_of=D(2025, 3, 1), briefs={9: brief}))
    assert "<script>" not in markup
    parse(markup)


# --- countries per stance over time ---------------------------------------------------------------------------

def test_area_columns_stack_the_counts_and_merge_equal_neighbours():
    totals = stance_totals([FR, DE, GB])
    cols = area_columns(totals, AXIS)
    assert [(c.x0, c.x1, c.counts) for c in cols] == [  # counts in STACK order: support, undecided, reject
        (0, .14, (0, 1, 0)), (.14, .31, (0, 1, 1)), (.31, .47, (1, 1, 1)), (.47, .59, (2, 0, 1)),
        (.59, 1, (1, 1, 1))]
    same = (StanceTotals(D(2025, 1, 1), 1, 0, 0), StanceTotals(D(2025, 1, 5), 1, 0, 0))
    assert [(c.x0, c.x1) for c in area_columns(same, AXIS)] == [(0, 1)]


def test_render_area_draws_heights_in_proportion_and_dims_the_other_stances():
    totals = (StanceTotals(D(2025, 1, 1), support=2, reject=1, undecided=1),)
    root = parse(render_area(totals, AXIS, as_of=D(2025, 3, 1), dim_except="reject"))
    layers = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    heights = {k.split()[1]: float(g.find(f"{SVG}rect").get("height")) for k, g in layers.items()}
    assert heights["stance-support"] == 2 * heights["stance-reject"] == 2 * heights["stance-undecided"]
    assert "is-dimmed" in [k for k in layers if "stance-support" in k][0]
    assert "is-dimmed" not in [k for k in layers if "stance-reject" in k][0]
    tops = {k.split()[1]: float(g.find(f"{SVG}rect").get("y")) for k, g in layers.items()}
    assert tops["stance-reject"] < tops["stance-undecided"] < tops["stance-support"]  # reject on top


@pytest.mark.parametrize("value, expected", [(0, (1, 1)), (3, (3, 1)), (7, (8, 2)), (23, (25, 5)),
                                             (200, (200, 50)), (201, (250, 50))])
def test_nice_max_gives_at_most_five_round_steps(value, expected):
    assert nice_max(value) == expected
    top, step = nice_max(value)
    assert top >= value and top // step <= 5


def test_output_has_no_inline_style():
    markup = str(render_strips(strip_layout([FR, GB], AXIS), as_of=D(2025, 3, 1))) + str(
        render_area(stance_totals([FR, GB]), AXIS, as_of=D(2025, 3, 1)))
    assert not re.search(r"\sstyle=", markup)  # the Content-Security-Policy allows no inline style


def test_a_position_too_short_to_see_is_drawn_a_few_pixels_wide_and_on_top():
    axis = TimeAxis(D(2024, 1, 1), D(2025, 3, 28))  # 452 days
    late = runs_of("AU", "Australia", (D(2025, 3, 27), "support", 7))  # its last day: 1/452 of the width
    brief = runs_of("NL", "Netherlands", (D(2024, 1, 1), "reject", 8), (D(2024, 6, 1), "support", 9),
                    (D(2024, 6, 2), "reject", 10))
    root = parse(render_strips(strip_layout([late, brief], axis), as_of=D(2025, 3, 27)))
    au = [a for a in segments(root) if a.get("href") == "/statements/7"][0].find(f"{SVG}rect")
    assert (au.get("x"), au.get("width"), au.get("transform")) == ("100%", "5", "translate(-5,0)")
    nl = [a.get("href") for a in segments(root) if a.get("href") != "/statements/7"]
    assert nl == ["/statements/8", "/statements/10", "/statements/9"]  # the one-day position last, on top
    one_day = [a for a in segments(root) if a.get("href") == "/statements/9"][0]
    assert one_day.find(f"{SVG}rect").get("width") == "5" and "short" in one_day.get("class").split()


# --- drawings that can be kept: a row's does not depend on its place, the columns follow the counts ----------

def runs_strategy(code: str):
    day = st.dates(min_value=D(2024, 6, 1), max_value=D(2025, 6, 1))
    steps = st.lists(st.tuples(day, st.sampled_from(STACK), st.sampled_from(["verified", "unreviewed", "editor"])),
                     min_size=1, max_size=30, unique_by=lambda t: t[0])
    return steps.map(lambda xs: runs_of(code, f"Country {code}", *[(d, s, 1000 * len(code) + i, t)
                                                                    for i, (d, s, t) in enumerate(sorted(xs))]))


@settings(max_examples=80, deadline=None)
@given(countries=st.tuples(*(runs_strategy(c) for c in ("AA", "BBB", "CCCC", "DDDDD"))),
       order=st.permutations(range(4)), budget=st.sampled_from([4, 15, 2000]),
       start=st.dates(min_value=D(2024, 1, 1), max_value=D(2025, 1, 1)), days=st.integers(30, 700))
def test_a_strip_drawn_for_one_place_is_the_same_drawing_in_any_other(countries, order, budget, start, days):
    axis = TimeAxis(start, start + dt.timedelta(days=days))
    ordered = [countries[i] for i in order]
    layout = strip_layout(ordered, axis, budget=budget)
    fresh = render_strips(layout, as_of=start + dt.timedelta(days=days // 2), highlight="BBB")
    # The same countries drawn in another order (as another view lists them), each row kept by its country.
    other = strip_layout(reversed(ordered), axis, budget=budget)
    assert other.step == layout.step
    kept = {r.country: row_bars(r) for r in other.rows}
    step = pick_step(lambda s: sum(drawn_segments(run_offsets(c, axis), s) for c in ordered), budget)
    assert step == layout.step
    again = draw_strips(axis, [(r.country, r.name, r.note) for r in layout.rows], [kept[c.country] for c in ordered],
                        as_of=start + dt.timedelta(days=days // 2), highlight="BBB")
    assert str(again) == str(fresh)
    parse(fresh)


@settings(max_examples=150, deadline=None)
@given(changes=st.lists(st.tuples(st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 1, 1)),
                                  st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
                        max_size=80, unique_by=lambda t: t[0]),
       start=st.dates(min_value=D(2024, 6, 1), max_value=D(2025, 6, 1)), days=st.integers(1, 900),
       budget=st.sampled_from([1, 7, 40, 600]))
def test_area_columns_show_in_each_step_the_counts_at_its_end(changes, start, days, budget):
    totals = tuple(StanceTotals(d, support=a, reject=b, undecided=c, changes=1) for d, a, b, c in sorted(changes))
    axis = TimeAxis(start, start + dt.timedelta(days=days))

    def by_day(step: int) -> list[tuple[float, float, tuple[int, ...]]]:
        """Day by day: each step shows the counts holding on its last day (nothing before the first count),
        equal neighbours merged."""
        cols: list[list] = []
        for cell in range(0, axis.days, step):
            end = min(cell + step, axis.days)
            last = axis.start + dt.timedelta(days=end - 1)
            if not totals or totals[0].day > last:
                continue
            on = totals_on(totals, last)
            counts = (on.support, on.undecided, on.reject)
            if cols and cols[-1][2] == counts:
                cols[-1][1] = end
            else:
                cols.append([cell, end, counts])
        return [(a / axis.days, b / axis.days, c) for a, b, c in cols]

    expected = next((cols for s in STEPS if len(cols := by_day(s)) <= budget), by_day(STEPS[-1]))
    assert [(c.x0, c.x1, c.counts) for c in area_columns(totals, axis, budget)] == expected


def test_kept_drawings_stay_within_their_bound_least_recently_used_out():
    from app.web.pages import _Kept

    kept = _Kept(limit=10)
    kept.put(("a",), "aaaa", 4)
    kept.put(("b",), "bbbb", 4)
    assert kept.get(("a",)) == "aaaa"  # now the most recently used
    kept.put(("c",), "cccc", 4)  # 12 > 10: the least recently used ("b") goes
    assert kept.get(("b",)) is None and kept.get(("a",)) == "aaaa" and kept.get(("c",)) == "cccc"
    assert kept.size == 8
    kept.put(("a",), "aa", 2)  # replaced, not counted twice
    assert kept.size == 6
