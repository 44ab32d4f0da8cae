"""HTML routes: parse parameters, call queries, render a whole page or, for htmx, the block that changes."""
from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask

from app import clock, queries
from app.export import ROW_COUNT_HEADER, open_download
from app.models import ORIGINS, REVIEW_STATUSES, STANCES, Statement
from app.positions import CORROBORATION_DAYS
from app.queries import GROUPS
from app.settings import get_settings
from app.web.deps import (ParamError, SessionDep, date_label, parse_choice, parse_country, parse_date, parse_fields,
                          parse_int, path_with)
from app.web.errors import RETRY_AFTER_SECONDS, BadParameters, NotFound
from app.web.filters import statement_filters
from app.web.labels import REVIEWED, is_stale, sources_label, stale_label, trust_label
from app.web.responses import VARY_HTMX, render_page, templates
from app.web import svgchart
from app.web.svgchart import TimeAxis, draw_strips, patterns, render_area
from app.web.svgmap import MapEntry, known_countries, render_map

router = APIRouter()

VARY = VARY_HTMX  # (the name other route modules used before app.web.responses)
PAGE_SIZE = 50
SORTS = ("country", "-country", "stance", "-stance", "date", "-date")
STATEMENT_SORT_CHOICES = tuple(x for k in queries.STATEMENT_SORTS for x in (k, "-" + k))
VIEWS = ("map", "table", "chart")  # the home page's tabs, sharing the date and the filters
GROUP_LABELS = {"eu": "EU members", "nato": "NATO members", "others": "Neither EU nor NATO"}
GROUP_PHRASES = {"eu": "EU members", "nato": "NATO members", "others": "countries in neither the EU nor NATO"}


def _today() -> dt.date:
    return clock.today()


def _stream_download(request: Request, fmt: str, count_and_records, filename: str) -> StreamingResponse:
    """Stream records as CSV or JSON from a session of its own (the request's session closes before the body
    is sent, and a whole-dataset download must not be held in memory). The row count, taken in the same read
    snapshot, is sent in a header first, so a download cut short is detectable (see app/export.py)."""
    download = open_download(request.app.state.session_factory(), fmt, count_and_records)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(download.chunks, media_type=media, background=BackgroundTask(download.close),
                             headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
                                      ROW_COUNT_HEADER: str(download.rows)})


# --- the map ----------------------------------------------------------------------------------------------------

def _map_params(request: Request, session) -> tuple[dict, dict, dict[str, str]]:
    """Raw values (kept in the form as typed), parsed values, and messages for the bad ones."""
    raw = {k: request.query_params.get(k, "") for k in ("as_of", "stance", "group", "sort", "country", "reviewed",
                                                          "view", "since")}
    parsed, errors = parse_fields(raw, {
        "as_of": lambda v: parse_date(v, "as_of"),
        "stance": lambda v: parse_choice(v, STANCES, "stance"),
        "group": lambda v: parse_choice(v, GROUPS, "group"),
        "sort": lambda v: parse_choice(v, SORTS, "sort") or "country",
        "country": lambda v: parse_country(session, v),
        "reviewed": lambda v: parse_choice(v, REVIEWED, "reviewed") or "all",
        "view": lambda v: parse_choice(v, VIEWS, "view") or "map",
        "since": lambda v: parse_date(v, "since"),
    }, fallback={"sort": "country", "reviewed": "all", "view": "map"})
    since, as_of = parsed["since"], parsed["as_of"] or _today()
    if since is not None and since > as_of:
        errors["since"] = (f"the date to compare with ({date_label(since)}) is after the date shown "
                           f"({date_label(as_of)}); pick an earlier date to compare with")
        parsed["since"] = None
    return raw, parsed, errors


@functools.lru_cache(maxsize=4096)
def _position_row(position, stale_as_of: dt.date | None, highlight: str | None):
    return Markup(templates.env.get_template("partials/_position_row.html").render(
        position=position, stale_as_of=stale_as_of, highlight=highlight))


@functools.lru_cache(maxsize=4096)
def _change_row(change, brief):
    """A comparison's row: the key holds everything it shows (Change and StatementBrief are frozen), so after a
    write only the rows of the changes it altered are rendered again."""
    return Markup(templates.env.get_template("partials/_change_row.html").render(c=change, b=brief).strip())


def _row_renderer(as_of: dt.date, stale_days: int, highlight: str | None):
    """position -> its rendered table row; the key holds everything the row shows (Position is frozen)."""
    def render(p):
        stale = is_stale(p.stated_on, as_of, stale_days)
        return _position_row(p, as_of if stale else None, highlight if highlight == p.country else None)

    return render


def _map_entry(x, as_of: dt.date, stale_days: int):
    return MapEntry(iso2=x.country, name=x.country_name, stance=x.stance,
                    stated_on=date_label(x.stated_on, x.date_precision), quote=x.quote, trust=x.trust,
                    trust_label=trust_label(x.origin, x.review_status, x.confidence),
                    since=date_label(x.since, x.since_precision) if x.since else None,
                    sources=sources_label(x.sources, x.articles),
                    stale=stale_label(x.stated_on, as_of) if is_stale(x.stated_on, as_of, stale_days) else None)


EPOCH = dt.date(1970, 1, 1)


def _epoch_days(day: dt.date) -> int:
    """The slider's unit: days since 1970-01-01 (what static/app.js turns back into a date)."""
    return (day - EPOCH).days


def map_context(request: Request, session) -> dict:
    """Everything the map view shows for the request's parameters (the map page and /embed)."""
    raw, p, errors = _map_params(request, session)
    reading = queries.effective_reading(p["reviewed"])
    summary = queries.data_summary(session, reading)
    today = _today()
    as_of = p["as_of"] or today
    stale_days = get_settings().stale_after_days
    all_in_group = queries.positions_as_of(session, as_of, group=p["group"], reading=reading)
    positions = [x for x in all_in_group if not p["stance"] or x.stance == p["stance"]]
    positions = queries.sort_positions(positions, p["sort"])
    counts = queries.stance_counts(all_in_group)
    view, since = p["view"], p["since"]
    compare = _comparison(session, p, as_of, reading, all_in_group) if since else None
    # Filters hide, they do not lie: a country outside the group, or holding another stance, is drawn as "not
    # in this view", never as if it had no position (a comparison mutes those of another stance itself).
    members = queries.group_members(session, p["group"])
    filtered_out = set() if members is None else set(known_countries()) - members
    if compare is not None:
        cmp = compare["comparison"]
        drawn = {x.country for x in cmp.unchanged} | {c.country for c in cmp.changes}
    else:
        drawn = {x.country for x in positions}
        if p["stance"]:
            filtered_out |= {x.country for x in all_in_group if x.stance != p["stance"]}
    filtered_out -= drawn
    map_svg = None
    if view == "map":  # the map's entries only where a map is drawn
        if compare is not None:
            entries = _compare_entries(compare, p["stance"], as_of, stale_days)
        else:
            entries = {x.country: _map_entry(x, as_of, stale_days) for x in positions}
        # Those holding a position keep their tile under the map (small states, "Elsewhere"), drawn as filtered out.
        everyone = queries.positions_as_of(session, as_of, reading=reading) if p["group"] else all_in_group
        hidden_positions = {x.country for x in everyone if x.country not in entries}
        map_svg = render_map(entries, highlight=p["country"], filtered_out=filtered_out, always_inset=hidden_positions)
    # The slider spans the first statement (or an earlier date asked for) to today, the latest date a view can
    # have, so its end and the date field agree; it moves in days counted from 1970-01-01, ticks mark the days
    # a position changed (what "Play" steps through).
    start = min(summary.first_stated_on or today, as_of, today - dt.timedelta(days=1))
    end = today
    state = {"as_of": raw["as_of"] if errors.get("as_of") else (p["as_of"] or ""), "stance": p["stance"],
             "group": p["group"], "sort": p["sort"] if p["sort"] != "country" else None,
             "country": p["country"], "reviewed": p["reviewed"] if p["reviewed"] != "all" else None,
             "since": raw["since"] if errors.get("since") else (since.isoformat() if since else None),
             "view": view if view != "map" else None}
    context = {
        "raw": raw, "errors": errors, "as_of": as_of, "is_today": as_of == today, "stance": p["stance"],
        "group": p["group"], "sort": p["sort"], "highlight": p["country"],
        "highlight_name": queries.country_name(session, p["country"]),
        "positions": positions, "counts": counts, "total_in_group": len(all_in_group), "summary": summary,
        "map_svg": map_svg,
        "filtered": bool(filtered_out),
        "slider": {"start": start, "end": end, "min": _epoch_days(start), "max": _epoch_days(end),
                   "value": _epoch_days(min(as_of, end)),
                   "ticks": [_epoch_days(d) for d in summary.change_dates if start <= d <= end]},
        "state": state, "view": view, "views": VIEWS, "since": since, "compare": compare,
        "stances": STANCES, "groups": GROUPS, "group_labels": GROUP_LABELS, "group_phrases": GROUP_PHRASES,
        "reviewed": p["reviewed"], "reading": reading, "machine_on_map": get_settings().machine_on_map,
        "stale_days": stale_days, "trust_counts": queries.trust_counts(positions),
        "position_row": _row_renderer(as_of, stale_days, p["country"]),
        "undated": [u for u in queries.undated_only(session, as_of, reading=reading, group=p["group"])
                    if not p["stance"] or u.stance == p["stance"]],
    }
    if view == "chart":
        context["chart"] = _chart(session, p, as_of, reading, summary, positions, compare)
    return context


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep):
    context = map_context(request, session)
    return render_page(request, "index.html", context, blocks=["view", "form_state", "status"], vary=True,
                       status_code=422 if context["errors"] else 200, push_url=path_with("/", context["state"]))


# --- comparing two dates, and the chart view ----------------------------------------------------------------------

def _comparison(session, p: dict, as_of: dt.date, reading: str, after: list) -> dict:
    """The changes between `since` and `as_of` as the compare views show them: the comparison, the changes the
    filters keep (by the table's sort), their counts per new stance, and the statements behind them (`after`:
    the positions on `as_of` in the group)."""
    comparison = queries.compare_positions(session, p["since"], as_of, group=p["group"], reading=reading,
                                           after=after)
    order = {x.country: i for i, x in enumerate(queries.sort_positions([c.after for c in comparison.changes],
                                                                        p["sort"]))}
    shown = sorted((c for c in comparison.changes if not p["stance"] or c.after.stance == p["stance"]),
                   key=lambda c: order[c.country])
    briefs = queries.statement_briefs(session, [c.run.statement_id for c in shown])
    return {"comparison": comparison, "changes": shown, "counts": comparison.counts(), "briefs": briefs,
            "since": p["since"], "as_of": as_of, "row": lambda c: _change_row(c, briefs.get(c.run.statement_id))}


def _change_note(before, since: dt.date) -> str:
    if before is None:
        return f"no position on {date_label(since)}"
    return f"changed from {before.stance} (its position on {date_label(since)})"


def _compare_entries(compare: dict, stance: str | None, as_of: dt.date, stale_days: int) -> dict:
    """The map of a comparison: the changed countries by their new stance, the unchanged ones muted."""
    since = compare["since"]
    entries = {}
    for x in compare["comparison"].unchanged:
        entries[x.country] = replace(_map_entry(x, as_of, stale_days), muted=True,
                                     note=f"unchanged since {date_label(since)}")
    for c in compare["comparison"].changes:
        entry = replace(_map_entry(c.after, as_of, stale_days), note=_change_note(c.before, since))
        if stance and c.after.stance != stance:  # filtered out: muted and said, never drawn as "no position"
            entry = replace(entry, muted=True, note=f"{entry.note}; not in this view (stance filter: {stance})")
        entries[c.country] = entry
    return entries


def _chart(session, p: dict, as_of: dt.date, reading: str, summary, positions, compare) -> dict | None:
    """The chart view: counts per stance over time, and one strip per country (those of the table, then the
    ones whose first position comes later; in a comparison only the changed ones)."""
    if summary.first_stated_on is None:
        return None
    group, since = p["group"], p["since"]
    runs = {c.country: c for c in queries.position_runs(session, reading) if queries.in_group(c, group)}
    totals = queries.group_totals(session, reading, group)
    first = min(summary.first_stated_on, as_of, since or as_of)
    last = max(summary.last_stated_on or as_of, as_of)
    # A little time after the last day (never past today), so a change on it is seen beside the as-of line.
    pad = dt.timedelta(days=max(1, round(((last - first).days + 1) * .03)))
    axis = TimeAxis(first, min(last + dt.timedelta(days=1) + pad, max(_today(), last) + dt.timedelta(days=1)))
    if compare is not None:
        codes = [c.country for c in compare["changes"]]
    else:
        codes = [x.country for x in positions]
        if not p["stance"]:  # countries whose first position comes after the date shown
            held = set(codes)
            codes += [c for c in runs if c not in held]
    stances = {x.country: x.stance for x in positions}
    notes = {c: f"{stances[c]} on {date_label(as_of)}" if c in stances else f"no position on {date_label(as_of)}"
             for c in codes}
    shown = [runs[c] for c in codes if c in runs]
    step, bars = _kept_strips(session, shown, axis)
    what = "changed" if compare is not None else "with a position"
    return {
        "defs": patterns(),
        "area": render_area(totals, axis, as_of=as_of, since=since, dim_except=p["stance"],
                            caption=f"Countries per stance over time, {date_label(axis.start)} to "
                                    f"{date_label(axis.end - dt.timedelta(days=1))}"),
        "strips": draw_strips(axis, [(c.country, c.name, notes.get(c.country, "")) for c in shown], bars,
                              as_of=as_of, since=since, highlight=p["country"],
                              caption=f"Each country's stance over time ({len(shown)} countries {what})"),
        "rows": len(shown), "step": step, "on": queries.totals_on(totals, as_of),
        "months": queries.monthly_totals(totals, axis.start, axis.end - dt.timedelta(days=1)),
        "axis": axis,
    }


class _Kept:
    """Drawings kept between requests, the least recently used dropped first once their sizes add up to more
    than `limit`. A key holds everything its drawing depends on, so nothing expires by a timer."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: tuple, value, size: int = 1) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self.size += size - (old[1] if old else 0)
            self._items[key] = (value, size)
            while self.size > self.limit and self._items:
                self.size -= self._items.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


# Each country strip's drawing is kept by the country's runs (CountryRuns.serial: a new one whenever a write
# touches the country), the axis and the step, which is all it depends on (not the date shown, the filters or
# the row's place): after a write only the strips of the countries it touched are drawn again, and only their
# statements' quotes are read. A statement's quote, source and trust change only by a write that refreshes its
# country (app/editing.py, app/ingest/store.py), which makes new runs. Bounded: 32 million characters of
# drawings, 200,000 segment counts.
_KEPT_BARS = _Kept(32_000_000)
_KEPT_DRAWN = _Kept(200_000)


def _kept_strips(session, countries: list[queries.CountryRuns], axis: TimeAxis) -> tuple[int, list[str]]:
    """The step and each country's drawn strip (svgchart.row_bars) as svgchart.strip_layout and render_strips
    would draw them afresh, from what is kept where it can be."""
    ax = (axis.start, axis.end)

    def drawn(c: queries.CountryRuns, step: int) -> int:
        key = (c.serial, *ax, step)
        n = _KEPT_DRAWN.get(key)
        if n is None:
            n = svgchart.drawn_segments(svgchart.run_offsets(c, axis), step)
            _KEPT_DRAWN.put(key, n)
        return n

    step = svgchart.pick_step(lambda s: sum(drawn(c, s) for c in countries))
    bars: list[str | None] = [_KEPT_BARS.get((c.serial, *ax, step)) for c in countries]
    rows = {i: svgchart.strip_row(c, svgchart.run_offsets(c, axis), axis, step)
            for i, c in enumerate(countries) if bars[i] is None}
    if rows:
        briefs = queries.statement_briefs(session, {s.run.statement_id for r in rows.values() for s in r.segments})
        for i, row in rows.items():
            drawing = bars[i] = svgchart.row_bars(row, briefs)
            _KEPT_BARS.put((countries[i].serial, *ax, step), drawing, len(drawing))
    return step, [b or "" for b in bars]


@router.get("/positions.{fmt}", include_in_schema=False)
def positions_download(fmt: str, request: Request, session: SessionDep):
    """The map's table exactly as filtered and sorted, as statement records."""
    if fmt not in ("csv", "json"):
        raise NotFound("Downloads come as .csv or .json.")
    raw, p, errors = _map_params(request, session)
    if errors:
        raise BadParameters(errors, title="Bad download parameters")
    as_of = p["as_of"] or _today()
    reading = queries.effective_reading(p["reviewed"])
    positions = queries.sort_positions(queries.positions_as_of(session, as_of, stance=p["stance"], group=p["group"],
                                                               reading=reading), p["sort"])
    ids = [x.statement_id for x in positions]
    extra = {x.statement_id: queries.position_fields(x) for x in positions}

    def count_and_records(s):
        rows = [queries.statement_record(st) | extra[st.id] for st in queries.statements_by_ids(s, ids)]
        return len(rows), rows

    return _stream_download(request, fmt, count_and_records, f"positions-{as_of.isoformat()}")


# --- one country ------------------------------------------------------------------------------------------------

@router.get("/countries/{iso2}", include_in_schema=False)
def country_page(iso2: str, request: Request, session: SessionDep):
    country = queries.get_country(session, iso2)
    if country is None:
        raise NotFound(f"'{iso2}' is not an ISO 3166-1 alpha-2 country code we know. "
                       "Pick a country on the map or in the statements list.", title="No such country")
    if country.iso2 != iso2:
        return RedirectResponse(f"/countries/{country.iso2}", status_code=308)
    before = _parse_cursor(request.query_params.get("before", ""))  # a bad cursor is answered 422
    all_changes = request.query_params.get("changes") == "all"
    today = _today()
    stale_days = get_settings().stale_after_days
    reading = queries.effective_reading(None)
    current = next(iter(queries.positions_as_of(session, today, country=country.iso2, reading=reading)), None)
    verified = None
    if reading == "all":
        verified = next(iter(queries.positions_as_of(session, today, country=country.iso2, reading="verified")),
                        None)
    changes, changes_total = queries.country_changes(session, country.iso2, reading=reading,
                                                     limit=None if all_changes else CHANGES_SHOWN)
    items, cursor = queries.country_statements(session, country.iso2, before=before, limit=TIMELINE_PAGE)
    undated, undated_total = ([], 0) if before else queries.country_undated(session, country.iso2)
    context = {
        "country": country, "current": current, "verified": verified, "today": today, "stale_days": stale_days,
        "changes": changes, "changes_total": changes_total, "all_changes": all_changes,
        "groups": queries.group_reports(items), "cursor": _cursor_text(cursor), "before": before,
        "undated": undated, "undated_total": undated_total, "reading": reading,
        "statement_count": queries.country_statement_count(session, country.iso2),
        "corroboration_days": CORROBORATION_DAYS,
    }
    # htmx's "older statements" takes only the next page of the list; a plain link the whole page
    return render_page(request, "country.html", context, blocks=["more"] if before else None, vary=True)


CHANGES_SHOWN = 30
TIMELINE_PAGE = 50


def _parse_cursor(raw: str) -> tuple[dt.date, int] | None:
    """'2025-02-17.1234' (a date and a statement id): the page starts with the statements older than it."""
    if not raw:
        return None
    day, _, sid = raw.partition(".")
    try:
        return dt.date.fromisoformat(day), int(sid)
    except ValueError:
        raise ParamError("before", f"'{raw[:40]}' is not a position in the timeline; follow the 'older statements' "
                                   "link") from None


def _cursor_text(cursor: tuple[dt.date, int] | None) -> str | None:
    return f"{cursor[0].isoformat()}.{cursor[1]}" if cursor else None


# --- every statement --------------------------------------------------------------------------------------------

def _country_choices(session, selected: str | None) -> list:
    """Countries with statements, plus the one in the URL when it has none, so the form shows the filter."""
    choices = queries.countries_with_statements(session)
    if selected and selected not in {c.iso2 for c in choices}:
        country = queries.get_country(session, selected)
        choices = sorted([*choices, country], key=lambda c: c.name)
    return choices


@router.get("/statements", include_in_schema=False)
def statements_page(request: Request, session: SessionDep):
    parsed = statement_filters(session, request.query_params)
    raw_page, raw_sort = request.query_params.get("page", ""), request.query_params.get("sort", "")
    more, errors = parse_fields({"sort": raw_sort, "page": raw_page}, {
        "sort": lambda v: parse_choice(v, STATEMENT_SORT_CHOICES, "sort") or queries.DEFAULT_STATEMENT_SORT,
        "page": lambda v: parse_int(v, "page", default=1, minimum=1),
    }, fallback={"page": 1})
    errors = {**parsed.errors, **errors}
    page_number, sort = more["page"], more["sort"]
    rows: list[Statement] = []
    total = 0
    if not errors:
        rows, total = queries.statements_page(session, parsed.filters, limit=PAGE_SIZE,
                                              offset=(page_number - 1) * PAGE_SIZE, sort=sort)
    pages = max(1, -(-total // PAGE_SIZE))
    state = dict(parsed.state)
    if sort and sort != queries.DEFAULT_STATEMENT_SORT:
        state["sort"] = sort
    return render_page(request, "statements.html", {
        "raw": {**parsed.raw, "sort": raw_sort, "page": raw_page}, "errors": errors, "rows": rows, "total": total,
        "page": page_number, "pages": pages, "page_size": PAGE_SIZE, "state": state,
        "filtered": bool({k for k in state if k != "sort"}),
        "sort": sort, "download_state": {k: v for k, v in state.items() if k != "sort"},
        "countries": _country_choices(session, parsed.filters.country),
        "stances": STANCES, "origins": ORIGINS, "review_statuses": REVIEW_STATUSES,
    }, blocks=["results"], status_code=422 if errors else 200, vary=True,
        push_url=path_with("/statements", state, page=page_number if page_number > 1 else None))


@router.get("/statements.{fmt}", include_in_schema=False)
def statements_download(fmt: str, request: Request, session: SessionDep):
    """The filtered list (every page), or with no filters the whole dataset, streamed without a row cap."""
    if fmt not in ("csv", "json"):
        raise NotFound("Downloads come as .csv or .json.")
    filters = statement_filters(session, request.query_params).checked(title="Bad download parameters")
    return _stream_download(request, fmt, lambda s: (queries.count_statement_records(s, filters),
                                                     queries.statement_records(s, filters)), "statements")


# --- the rest ---------------------------------------------------------------------------------------------------

@router.get("/about", include_in_schema=False)
def about(request: Request) -> Response:
    return render_page(request, "about.html", {})


@router.get("/healthz", tags=["health"])
def healthz(session: SessionDep) -> JSONResponse:
    """Answers 200 when the database answers, 503 when it does not."""
    try:
        session.execute(text("SELECT 1"))
        countries = session.execute(text("SELECT count(*) FROM countries")).scalar_one()
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "error", "database": "unreachable", "detail": type(exc).__name__},
                            status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return JSONResponse({"status": "ok", "database": "ok", "countries": countries})
