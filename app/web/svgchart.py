"""Web: renders the chart view from plain values, no database: the number of countries per stance over time
(a stacked step chart) and one strip per country coloured by its stance over time (app/queries.py's runs).

Both charts are inline SVG drawn in percentages across and pixels down (no viewBox): they stretch to any width
while text, bars and the stance patterns keep their size, so one drawing serves a desktop and a phone. The
country names are HTML beside the strips, in rows of the same fixed height. Time runs over [start, end) in days;
at a scale where days would be narrower than a hair, changes are drawn on a coarser step (floor to the step),
and the positions too short to draw are counted in the label of the one drawn after them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

from markupsafe import Markup, escape

from app.queries import CountryRuns, Run, StanceTotals, StatementBrief
from app.web.deps import date_label
from app.web.labels import TRUST_WORDS, trust_label

SVG_NS = "http://www.w3.org/2000/svg"
STACK = ("support", "undecided", "reject")  # bottom to top: undecided sits between the two firm stances
COLOURS = {"support": "#0072b2", "reject": "#d55e00", "undecided": "#e69f00"}  # fallbacks; app.css has the vars
STRIP_BUDGET = 2000  # segments drawn in the strip chart at most (each is a link with its statement's label)
AREA_BUDGET = 600  # columns of the stacked chart at most
ROW_PX = 22
SHORT = .006  # a segment narrower than this share of the width (about 2 px on a phone) is drawn MIN_PX wide
MIN_PX = 5
BAR_PX = 14
AREA_PX = 180  # the stacked chart's plot height
QUOTE_EXCERPT = 120
# The step ladder (days): the finest that keeps a chart within its budget is drawn (a day, for most data).
STEPS = (1, 2, 3, 7, 14, 30, 61, 91, 182, 365, 730)


# --- time across --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TimeAxis:
    """Days from `start` (included) to `end` (not included) mapped onto 0..1 across."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the axis must span at least one day (end after start)")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def at(self, day: dt.date) -> float:
        return min(1.0, max(0.0, (day - self.start).days / self.days))

    def snap(self, day: dt.date, step: int) -> dt.date:
        """`day` floored to the step grid that starts at `start`, inside [start, end]."""
        if day >= self.end:
            return self.end
        offset = max(0, (day - self.start).days)
        return self.start + dt.timedelta(days=offset - offset % step)


def pct(fraction: float) -> str:
    return f"{fraction * 100:.2f}%"  # a hundredth of a percent: a tenth of a pixel on a wide screen


def _months_from(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def time_ticks(axis: TimeAxis, max_labels: int) -> list[tuple[dt.date, str]]:
    """At most `max_labels` tick dates inside the axis with their labels: the first of every 1, 2, 3 or 6 months
    counted from January ("Mar 2025"), of every 1, 2 or 5 years ("2025"), or days over a span under two months."""
    if max_labels < 1:
        return []
    first = dt.date(axis.start.year, axis.start.month, 1)
    if first < axis.start:
        first = _months_from(first, 1)
    months = []
    day = first
    while day < axis.end:
        months.append(day)
        day = _months_from(day, 1)
    for every in (1, 2, 3, 6, 12, 24, 60):
        if every < 12:
            ticks = [d for d in months if (d.month - 1) % every == 0]
        else:
            ticks = [d for d in months if d.month == 1 and d.year % (every // 12) == 0]
        if len(ticks) <= max_labels:
            if len(ticks) < 2 and every == 1:
                break  # under two months: days
            return [(d, date_label(d, "year" if every >= 12 else "month")) for d in ticks]
    step = max(1, -(-axis.days // max_labels))
    days = [axis.start + dt.timedelta(days=i) for i in range(0, axis.days, step)]
    return [(d, date_label(d)) for d in days[:max_labels]]


def _anchor(x: float) -> str:
    return "start" if x < .04 else "end" if x > .96 else "middle"


def _axis_labels(axis: TimeAxis, line_top: float, text_y: float) -> str:
    """Tick lines (from `line_top`, 5 px) and their labels (baseline `text_y`): the few a phone has room for,
    and more between them (class "minor", hidden on narrow screens)."""
    major = time_ticks(axis, 3)
    shown = {d for d, _ in major}
    minor = [t for t in time_ticks(axis, 10) if t[0] not in shown]
    out = []
    for ticks, extra in ((major, ""), (minor, " minor")):
        for day, label in ticks:
            x = pct(axis.at(day))
            out.append(f'<line class="tick-line{extra}" x1="{x}" x2="{x}" y1="{line_top}" y2="{line_top + 5}"/>'
                       f'<text class="tick{extra}" x="{x}" y="{text_y}" text-anchor="{_anchor(axis.at(day))}">'
                       f"{escape(label)}</text>")
    return "".join(out)


def _date_marks(axis: TimeAxis, as_of: dt.date, since: dt.date | None, top: float, bottom: float, *,
                labels: bool) -> str:
    """The as-of line (and the compared date's, dashed), with their dates written above `top` when `labels`
    (the as-of date on the first line, the compared one on the second)."""
    out = []
    marks = [(as_of, "as-of", date_label(as_of))]
    if since is not None:
        marks.append((since, "since", f"compared with {date_label(since)}"))
    for i, (day, cls, text) in enumerate(marks):
        x = axis.at(day)
        # A white halo under the line keeps it apart from the change ticks it crosses.
        out.append(f'<line class="date-halo" x1="{pct(x)}" x2="{pct(x)}" y1="{top}" y2="{bottom}"/>'
                   f'<line class="{cls}-line" x1="{pct(x)}" x2="{pct(x)}" y1="{top}" y2="{bottom}"/>')
        if labels:
            right = x < .6  # the label reads away from the nearer edge
            out.append(f'<text class="{cls}-label" x="{pct(x)}" dx="{4 if right else -4}" y="{12 + 14 * i}" '
                       f'text-anchor="{"start" if right else "end"}">{escape(text)}</text>')
    return "".join(out)


def _outside(axis: TimeAxis, since: dt.date | None, top: float, height: float) -> str:
    """In a comparison the time before `since` is veiled, so the compared span stands out (what came after the
    date shown stays clear: a change on that very day is drawn just after its line)."""
    if since is None or axis.at(since) <= 0:
        return ""
    return f'<rect class="veil" x="0" width="{pct(axis.at(since))}" y="{top}" height="{height}"/>'


def patterns() -> Markup:
    """The stance fills (colour plus pattern, as on the map), once per page, in an SVG of no size (an SVG with
    display: none would not paint its patterns elsewhere)."""
    c = COLOURS
    return Markup(
        f'<svg class="chart-defs" xmlns="{SVG_NS}" width="0" height="0" aria-hidden="true" focusable="false"><defs>'
        '<pattern id="ch-pat-support" patternUnits="userSpaceOnUse" width="12" height="12">'
        f'<rect class="ch-bg-support" width="12" height="12" fill="{c["support"]}"/></pattern>'
        '<pattern id="ch-pat-reject" patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)">'
        f'<rect class="ch-bg-reject" width="8" height="8" fill="{c["reject"]}"/>'
        '<rect x="0" y="0" width="2.6" height="8" fill="#fff" fill-opacity=".5"/></pattern>'
        '<pattern id="ch-pat-undecided" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<rect class="ch-bg-undecided" width="8" height="8" fill="{c["undecided"]}"/>'
        '<circle cx="2" cy="2" r="1.5" fill="#fff" fill-opacity=".65"/>'
        '<circle cx="6" cy="6" r="1.5" fill="#fff" fill-opacity=".65"/></pattern>'
        "</defs></svg>"
    )


# --- the strips -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Segment:
    """One run as drawn: from x0 to x1 (fractions across), and how many shorter runs before it (since the
    previous segment drawn) were too short to draw at this step."""

    run: Run
    x0: float
    x1: float
    hidden: int = 0
    drawn_from: dt.date | None = None  # where the drawing starts, when a coarse step moved it before run.start


@dataclass(frozen=True, slots=True)
class StripRow:
    country: str
    name: str
    segments: tuple[Segment, ...]
    note: str = ""  # what the row's label adds, e.g. its stance on the date shown


@dataclass(frozen=True, slots=True)
class StripLayout:
    axis: TimeAxis
    step: int  # days per step across (1: exact)
    rows: tuple[StripRow, ...]

    def statement_ids(self) -> set[int]:
        return {s.run.statement_id for r in self.rows for s in r.segments}

    @property
    def segments(self) -> int:
        return sum(len(r.segments) for r in self.rows)


def _segments(runs: Sequence[Run], offsets: Sequence[int], axis: TimeAxis, step: int) -> tuple[Segment, ...]:
    """The runs drawn at this step: a run covers the steps from its start's to the next run's (floored), so of
    the runs starting in one step only the last is drawn; the ones before it are counted in its `hidden`."""
    days = axis.days
    cells = [o - o % step for o in offsets]
    out: list[Segment] = []
    hidden = 0
    for i, run in enumerate(runs):
        a = cells[i]
        if a >= days:
            break
        end = run.end if run.end is not None else axis.end
        if end <= axis.start:
            continue  # over before the chart begins
        b = cells[i + 1] if i + 1 < len(runs) else days
        if b <= a:
            hidden += 1  # shorter than a step: the next run drawn says so
            continue
        drawn = axis.start + dt.timedelta(days=a)
        out.append(Segment(run=run, x0=a / days, x1=b / days, hidden=hidden,
                           drawn_from=drawn if drawn < run.start else None))
        hidden = 0
    if hidden and out:  # runs at the very end too short to draw: the last drawn one says so
        last = out[-1]
        out[-1] = Segment(run=last.run, x0=last.x0, x1=last.x1, hidden=last.hidden + hidden,
                          drawn_from=last.drawn_from)
    return tuple(out)


def run_offsets(country: CountryRuns, axis: TimeAxis) -> tuple[int, ...]:
    """Days from the axis' start of each of the country's runs that starts before the axis ends (runs start on
    or after it; one from before it counts from the start; the ones starting at its end or later are not
    drawn): what the step and the segments are computed from."""
    start, days = axis.start.toordinal(), axis.days
    return tuple(max(0, o) for o in (r.start.toordinal() - start for r in country.runs) if o < days)


def drawn_segments(offsets: Sequence[int], step: int) -> int:
    """How many segments _segments draws at this step (one per step holding a run's start)."""
    return len({o // step for o in offsets})


def pick_step(drawn: Callable[[int], int], budget: int | None = None) -> int:
    """The finest step of the ladder at which `drawn(step)` (segments in all) keeps within `budget` (default
    STRIP_BUDGET), by bisection over the ladder (coarser steps draw fewer segments); the coarsest when none does."""
    budget = STRIP_BUDGET if budget is None else budget
    lo, hi = 0, len(STEPS) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if drawn(STEPS[mid]) <= budget:
            hi = mid
        else:
            lo = mid + 1
    return STEPS[lo]


def strip_row(country: CountryRuns, offsets: Sequence[int], axis: TimeAxis, step: int, note: str = "") -> StripRow:
    """One country's strip at this step (`offsets`: run_offsets of the country on this axis)."""
    return StripRow(country=country.country, name=country.name,
                    segments=_segments(country.runs[:len(offsets)], offsets, axis, step), note=note)


def strip_layout(countries: Iterable[CountryRuns], axis: TimeAxis, *, notes: Mapping[str, str] | None = None,
                 budget: int | None = None) -> StripLayout:
    """The strips of these countries (in the order given), on the finest step that keeps at most `budget`
    segments in all (default STRIP_BUDGET)."""
    countries = list(countries)
    notes = notes or {}
    offsets = [run_offsets(c, axis) for c in countries]
    step = pick_step(lambda s: sum(drawn_segments(o, s) for o in offsets), budget)
    rows = tuple(strip_row(c, o, axis, step, notes.get(c.country, "")) for c, o in zip(countries, offsets, strict=True))
    return StripLayout(axis=axis, step=step, rows=rows)


def _excerpt(text: str, limit: int = QUOTE_EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def segment_label(name: str, seg: Segment, brief: StatementBrief | None) -> str:
    """What a segment says, a line each: country and stance; its dates and the change; how sure; the quote."""
    run = seg.run
    lines = [f"{name}: {run.stance}"]
    if run.end is None:
        span = f"since {date_label(run.start, run.precision)}"
    else:
        span = f"from {date_label(run.start, run.precision)} until {date_label(run.end, run.end_precision)}"
    span += f" (changed from {run.previous})" if run.previous else " (first position)"
    lines.append(span)
    if brief is not None:
        lines.append(trust_label(brief.origin, brief.review_status, brief.confidence))
        who = " — ".join(x for x in (brief.speaker, brief.source) if x)
        lines.append(f"“{_excerpt(brief.quote)}”" + (f" {who}" if who else ""))
    else:
        lines.append(TRUST_WORDS.get(run.trust, run.trust))
    if seg.drawn_from or seg.hidden:
        note = "At this scale a step shows the position at its end"
        if seg.drawn_from:
            note += f"; drawn from {date_label(seg.drawn_from)}"
        if seg.hidden:
            n = seg.hidden
            note += (f"; {n} shorter position{'s' if n > 1 else ''} in the same step {'are' if n > 1 else 'is'} "
                     "not drawn (see the country's page)")
        lines.append(note)
    return "\n".join(lines)


def _segment(row: StripRow, seg: Segment, top: float, brief: StatementBrief | None) -> str:
    run = seg.run
    unreviewed = run.trust == "unreviewed"
    cls = f"seg stance-{run.stance}" + (" unreviewed" if unreviewed else "")
    # The unreviewed cue (lighter fill, dashed outline, as on the map) is also set as attributes, for when the
    # stylesheet is missing.
    extra = ' fill-opacity=".5" stroke="#1d2327" stroke-dasharray="4 2"' if unreviewed else ""
    if seg.x1 - seg.x0 >= SHORT:
        shape = f'x="{pct(seg.x0)}" width="{pct(seg.x1 - seg.x0)}"'
    elif seg.x0 < 1 - SHORT:  # too narrow to see or to point at: MIN_PX wide from its start (drawn on top)
        shape = f'x="{pct(seg.x0)}" width="{MIN_PX}"'
        cls += " short"
    else:  # at the very end: MIN_PX wide, ending at the end
        shape = f'x="100%" width="{MIN_PX}" transform="translate(-{MIN_PX},0)"'
        cls += " short"
    out = (f'<a href="/statements/{run.statement_id}" class="{cls}" data-start="{run.start.isoformat()}">'
           f"<title>{escape(segment_label(row.name, seg, brief))}</title>"
           f'<rect {shape} y="{top}" height="{BAR_PX}" fill="url(#ch-pat-{run.stance})"{extra}/></a>')
    if run.previous is not None or seg.hidden:  # a change: a dark tick where it begins (bolder: more hidden)
        x = pct(seg.x0)
        out += (f'<line class="change{" many" if seg.hidden else ""}" x1="{x}" x2="{x}" y1="{top - 3}" '
                f'y2="{top + BAR_PX + 3}"/>')
    return out


STRIP_TOP = (ROW_PX - BAR_PX) / 2  # a bar's top inside its row


def row_bars(row: StripRow, briefs: Mapping[int, StatementBrief] | None = None) -> str:
    """One strip's segments, drawn at the row's own top (the strip chart moves each row down to its place, so
    a row's drawing does not depend on where it is listed). Short segments last, so the neighbour after one does
    not cover its widened drawing."""
    briefs = briefs or {}
    return "".join(_segment(row, seg, STRIP_TOP, briefs.get(seg.run.statement_id))
                   for seg in sorted(row.segments, key=lambda g: g.x1 - g.x0 < SHORT))


def render_strips(layout: StripLayout, *, as_of: dt.date, since: dt.date | None = None,
                  briefs: Mapping[int, StatementBrief] | None = None, caption: str = "",
                  highlight: str | None = None) -> Markup:
    """The strip chart: HTML names beside one SVG of strips, a time axis above (and below, when long). Every
    segment is a link to the statement that began it; its <title> says what it shows and how sure it is."""
    return draw_strips(layout.axis, [(r.country, r.name, r.note) for r in layout.rows],
                       [row_bars(r, briefs) for r in layout.rows], as_of=as_of, since=since, caption=caption,
                       highlight=highlight)


def draw_strips(axis: TimeAxis, rows: Sequence[tuple[str, str, str]], bars: Sequence[str], *, as_of: dt.date,
                since: dt.date | None = None, caption: str = "", highlight: str | None = None) -> Markup:
    """render_strips from each row's (country, name, note) and its drawn segments (row_bars), which a caller
    may have kept from an earlier drawing of the same runs on the same axis and step."""
    height = max(1, len(rows)) * ROW_PX
    marks = _outside(axis, since, 0, height) + _date_marks(axis, as_of, since, 0, height, labels=False)
    head_h = 46 if since else 32
    head = (f'<svg class="strip-axis" xmlns="{SVG_NS}" width="100%" height="{head_h}" aria-hidden="true" '
            f'focusable="false">{_date_marks(axis, as_of, since, head_h - 6, head_h, labels=True)}'
            f'{_axis_labels(axis, head_h - 5, head_h - 8)}</svg>')
    foot = ""
    if len(rows) > 15:
        foot = (f'<div class="strip-corner" aria-hidden="true"></div><svg class="strip-axis foot" xmlns="{SVG_NS}" '
                f'width="100%" height="22" aria-hidden="true" focusable="false">{_axis_labels(axis, 0, 18)}</svg>')
    names = "".join(
        f'<li{" class=" + chr(34) + "is-highlight" + chr(34) if country == highlight else ""}>'
        f'<a href="/countries/{escape(country)}" title="{escape(name + (": " + note if note else ""))}">'
        f"{escape(name)}</a></li>" for country, name, note in rows)
    label = caption or "Each country's stance over time"
    # One join at the end: the drawings are most of a megabyte, each copy of them costs.
    out = [f'<div class="strip-chart"><div class="strip-corner" aria-hidden="true"></div>{head}'
           f'<ol class="strip-names">{names}</ol><div class="strip-plot">'
           f'<svg class="strip-bars" xmlns="{SVG_NS}" width="100%" height="{height}" role="group" '
           f'aria-label="{escape(label)}">']
    for i, ((country, _, _), drawn) in enumerate(zip(rows, bars, strict=True)):
        band = " odd" if i % 2 else ""
        band += " is-highlight" if country == highlight else ""
        out += (f'<g transform="translate(0,{i * ROW_PX})"><rect class="row-band{band}" x="0" y="0" width="100%" '
                f'height="{ROW_PX}"/>', drawn, "</g>")
    out.append(f"{marks}</svg></div>{foot}</div>")
    return Markup("".join(out))


# --- countries per stance over time -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Column:
    """From x0 to x1 (fractions across), these counts held."""

    x0: float
    x1: float
    counts: tuple[int, ...]  # one per stance, in STACK order


_stacked = attrgetter(*STACK)  # a count's figures in STACK order


def area_columns(totals: Sequence[StanceTotals], axis: TimeAxis, budget: int = AREA_BUDGET) -> tuple[Column, ...]:
    """Columns of unchanged counts across the axis, on the finest step that keeps at most `budget` of them; with
    steps coarser than a day each step shows the last counts in it. Neighbours with the same counts are one.
    In whole days from the axis' start (what TimeAxis.snap and .at give, without a date per count and step): a
    write changes the counts from its day on, so the columns are computed again after it, cheaply."""
    start, days = axis.start.toordinal(), axis.days
    spans = []  # (first day, day after the last), in days from the start, and the counts, of each entry inside
    for i, t in enumerate(totals):
        a = t.day.toordinal() - start
        b = totals[i + 1].day.toordinal() - start if i + 1 < len(totals) else days
        if b <= 0 or a >= days:
            continue
        spans.append((max(0, a), b, _stacked(t)))
    for step in STEPS:
        cols = _columns(spans, days, step)
        if len(cols) <= budget:
            break
    return tuple(Column(a / days, b / days, counts) for a, b, counts in cols)


def _columns(spans: Sequence[tuple[int, int, tuple[int, ...]]], days: int, step: int) -> list[tuple]:
    cols: list[tuple] = []
    for a, b, counts in spans:
        a -= a % step
        b = b - b % step if b < days else days
        if b <= a:
            continue  # a later count in the same step wins
        if cols and cols[-1][2] == counts:
            cols[-1] = (cols[-1][0], b, counts)
        else:
            cols.append((a, b, counts))
    return cols


def nice_max(value: int) -> tuple[int, int]:
    """An axis top at or above `value` with its tick step (1, 2, 5, 10, 20, 50, ...): at most 5 steps."""
    value = max(1, value)
    step, k = 1, 0
    while -(-value // step) > 5:
        k += 1
        step = (1, 2, 5)[k % 3] * 10 ** (k // 3)
    return -(-value // step) * step, step


def render_area(totals: Sequence[StanceTotals], axis: TimeAxis, *, as_of: dt.date, since: dt.date | None = None,
                dim_except: str | None = None, caption: str = "") -> Markup:
    """The number of countries per stance over time, stacked (support, undecided, reject from the bottom) as
    steps: gridlines with their counts at the left, dates below, the as-of line."""
    columns = area_columns(totals, axis)
    top_n, tick = nice_max(max((sum(c.counts) for c in columns), default=0))
    plot_top = 36 if since else 22
    base = plot_top + AREA_PX

    def y(count: float) -> float:
        return round(base - count / top_n * AREA_PX, 2)

    grid = []
    for v in range(0, top_n + 1, tick):
        grid.append(f'<line class="grid" x1="0" x2="100%" y1="{y(v)}" y2="{y(v)}"/>')
    labels = [f'<text class="grid-label" x="3" y="{y(v) - 3}">{v}</text>' for v in range(tick, top_n + 1, tick)]
    # A little wider than the column (the next one covers it), so no seam shows between them.
    across = [f'<rect x="{pct(c.x0)}" width="{pct(min(c.x1 + .001, 1) - c.x0)}" ' for c in columns]
    # A bar's top and height depend only on its count and the counts below it: written once per pair.
    spans: dict[tuple[int, int], str] = {}

    def span(below: int, h: int) -> str:
        text = spans.get((below, h))
        if text is None:
            text = spans[below, h] = f'y="{y(below + h)}" height="{round(y(below) - y(below + h), 2)}"/>'
        return text

    layers = []
    for k, stance in enumerate(STACK):
        rects = []
        for c, x in zip(columns, across, strict=True):
            below, h = sum(c.counts[:k]), c.counts[k]
            if h:
                rects.append(x + span(below, h))
        dim = " is-dimmed" if dim_except and dim_except != stance else ""
        layers.append(f'<g class="layer stance-{stance}{dim}" fill="url(#ch-pat-{stance})">{"".join(rects)}</g>')
    return Markup(
        f'<svg class="area-chart" xmlns="{SVG_NS}" width="100%" height="{base + 24}" role="img" '
        f'aria-label="{escape(caption or "Countries per stance over time")}">'
        + "".join(grid) + "".join(layers) + "".join(labels)
        + _outside(axis, since, plot_top, AREA_PX)
        + _date_marks(axis, as_of, since, plot_top - 4, base, labels=True)
        + f'<line class="axis" x1="0" x2="100%" y1="{base}" y2="{base}"/>'
        + _axis_labels(axis, base, base + 18)
        + "</svg>"
    )
