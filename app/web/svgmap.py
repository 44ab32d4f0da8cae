"""Web: renders the stance choropleth as inline SVG from the committed geometry asset (static/map/europe.json)."""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from app.models import STANCES
from app.web.labels import STANCE_LABELS

SVG_NS = "http://www.w3.org/2000/svg"
ASSET = Path(__file__).resolve().parents[2] / "static" / "map" / "europe.json"
QUOTE_EXCERPT = 240  # characters kept in data-quote; the country page has the whole quote

# Fills: a colour (Okabe-Ito, overridden by the CSS variables of static/app.css) plus a pattern, so stance is
# never told by colour alone. The hex values are fallbacks for when the stylesheet is missing.
COLOURS = {"support": "#0072b2", "reject": "#d55e00", "undecided": "#e69f00", "none": "#e4e4e0",
           "filtered": "#f4f4f2"}
UNREVIEWED_ATTRS = ' fill-opacity=".5" stroke-dasharray="4 2"'
FILL = {
    "support": "url(#sm-pat-support)",
    "reject": "url(#sm-pat-reject)",
    "undecided": "url(#sm-pat-undecided)",
    "none": COLOURS["none"],
    # Outside the reader's stance or group filter: hidden, never drawn as if it had no position.
    "filtered": "url(#sm-pat-filtered)",
}
FILTERED_WORDS = "not in this view"
MUTED = "#b1b9c0"  # a comparison's unchanged countries: darker than "no position", no pattern


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One country's position as the map shows it."""

    iso2: str
    name: str
    stance: str  # support | reject | undecided
    stated_on: str | None = None  # the date as readers see it ("3 Dec 2024", "Apr 2025")
    quote: str | None = None
    trust: str = "verified"  # verified | editor | unreviewed: unreviewed ones get a second visual cue
    trust_label: str | None = None  # in words, with the extractor's confidence
    since: str | None = None  # when the current stance began, as readers see it
    sources: str | None = None  # "3 sources"
    stale: str | None = None  # "last stated 14 months before this date", when past the threshold
    note: str | None = None  # a line more, e.g. how it compares with another date ("changed from reject")
    muted: bool = False  # drawn neutral: not what this view is about (a comparison's unchanged countries)

    def __post_init__(self) -> None:
        if self.stance not in STANCES:
            raise ValueError(f"stance must be one of {', '.join(STANCES)}, not {self.stance!r}")


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    inset_w: int
    inset_h: int
    countries: dict[str, dict]  # iso2 -> {name, d, marker?}
    insets: dict[str, dict]  # iso2 -> {name, d}; the country's own silhouette fitted to inset_w x inset_h


@functools.cache
def load_geometry(path: Path = ASSET) -> Geometry:
    """Read the asset once per process; it is immutable and committed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    _, _, width, height = data["viewBox"]
    inset_w, inset_h = data["insetBox"]
    return Geometry(width, height, inset_w, inset_h, data["countries"], data["insets"])


def known_countries() -> frozenset[str]:
    """Every country the map can draw (on the map or as an "Elsewhere" tile)."""
    geo = load_geometry()
    return frozenset(geo.countries) | frozenset(geo.insets)


def _label(name: str, entry: MapEntry | None, filtered: bool = False) -> str:
    if filtered:
        return f"{name}: {FILTERED_WORDS}"
    if entry is None:
        return f"{name}: no position"
    text = f"{name}: {entry.stance}"
    if entry.since:
        text += f" since {entry.since}"
        if entry.stated_on and entry.stated_on != entry.since:
            text += f", last restated {entry.stated_on}"
    elif entry.stated_on:
        text += f", {entry.stated_on}"
    if entry.trust_label:
        text += f"; {entry.trust_label}"
    if entry.stale:
        text += f"; stale, {entry.stale}"
    if entry.note:
        text += f"; {entry.note}"
    return text


def _excerpt(quote: str | None) -> str:
    if not quote:
        return ""
    quote = " ".join(quote.split())
    return quote if len(quote) <= QUOTE_EXCERPT else quote[: QUOTE_EXCERPT - 1].rstrip() + "…"


def _open_link(
    iso2: str, name: str, entry: MapEntry | None, extra_class: str, highlight: str | None, *, html: bool = False,
    filtered: bool = False, tab_stop: bool = True,
) -> str:
    stance = "filtered" if filtered else entry.stance if entry else "none"
    classes = f"country stance-{stance}{extra_class}"
    muted = entry is not None and entry.muted
    unreviewed = entry is not None and entry.trust == "unreviewed" and not muted  # muted: its label says it
    if unreviewed:
        classes += " unreviewed"
    if muted:
        classes += " muted"
    if iso2 == highlight:
        classes += " highlight"
    label = _label(name, entry, filtered)
    # Countries without a position (or filtered out) stay clickable but out of the tab order, so keyboard users
    # step through the positions rather than through every border on the continent. A small state's tile
    # under the map is its tab stop; its marker on the map is not a second one.
    tabindex = "0" if tab_stop and (entry or iso2 == highlight) else "-1"
    return (
        f'<a href="/countries/{escape(iso2)}" class="{classes}" data-iso2="{escape(iso2)}" '
        f'data-name="{escape(name)}" data-stance="{stance}" '
        f'data-date="{escape(entry.stated_on or "") if entry else ""}" '
        f'data-quote="{escape(_excerpt(entry.quote)) if entry else ""}" '
        + (f'data-trust="{escape(entry.trust)}" data-trust-label="{escape(entry.trust_label or "")}" '
           f'data-since="{escape(entry.since or "")}" data-sources="{escape(entry.sources or "")}" '
           f'data-stale="{escape(entry.stale or "")}" data-note="{escape(entry.note or "")}" ' if entry else "")
        + f'tabindex="{tabindex}" aria-label="{escape(label)}" '
        # An HTML link gets its native tooltip from title=, an SVG link from a <title> child. The unreviewed
        # cue (lighter fill, dashed outline) is also set as attributes, for when the stylesheet is missing.
        + (f'title="{escape(label)}">' if html else
           f'fill="{MUTED if muted else FILL[stance]}"{UNREVIEWED_ATTRS if unreviewed else ""}>'
           f"<title>{escape(label)}</title>")
    )


def _patterns() -> str:
    c = COLOURS
    return (
        "<defs>"
        '<pattern id="sm-pat-support" patternUnits="userSpaceOnUse" width="12" height="12">'
        f'<rect class="sm-bg-support" width="12" height="12" fill="{c["support"]}"/></pattern>'
        '<pattern id="sm-pat-reject" patternUnits="userSpaceOnUse" width="11" height="11" '
        'patternTransform="rotate(45)">'
        f'<rect class="sm-bg-reject" width="11" height="11" fill="{c["reject"]}"/>'
        '<rect class="sm-ink" x="0" y="0" width="3.6" height="11" fill="#fff" fill-opacity=".5"/></pattern>'
        '<pattern id="sm-pat-undecided" patternUnits="userSpaceOnUse" width="12" height="12">'
        f'<rect class="sm-bg-undecided" width="12" height="12" fill="{c["undecided"]}"/>'
        '<circle class="sm-ink" cx="3" cy="3" r="2.1" fill="#fff" fill-opacity=".6"/>'
        '<circle class="sm-ink" cx="9" cy="9" r="2.1" fill="#fff" fill-opacity=".6"/></pattern>'
        '<pattern id="sm-pat-filtered" patternUnits="userSpaceOnUse" width="9" height="9" '
        'patternTransform="rotate(-45)">'
        f'<rect class="sm-bg-filtered" width="9" height="9" fill="{c["filtered"]}"/>'
        '<rect class="sm-ink-filtered" x="0" y="0" width="1.2" height="9" fill="#c9ccce"/></pattern>'
        "</defs>"
    )


def render_map(
    entries: Mapping[str, MapEntry],
    *,
    highlight: str | None = None,
    always_inset: Iterable[str] = (),
    filtered_out: Iterable[str] = (),
) -> Markup:
    """The map for these entries (see _render_map); the same entries give the same map, so it is rendered once
    per distinct view and kept (a write that changes a position changes the entries, hence the key)."""
    key = tuple(sorted((k.upper(), v) for k, v in entries.items()))
    return _render_cached(key, highlight.upper() if highlight else None,
                          tuple(sorted(k.upper() for k in always_inset)),
                          tuple(sorted(k.upper() for k in filtered_out)))


@functools.lru_cache(maxsize=256)
def _render_cached(entries: tuple, highlight: str | None, always_inset: tuple, filtered_out: tuple = ()) -> Markup:
    return _render_map(dict(entries), highlight=highlight, always_inset=always_inset, filtered_out=filtered_out)


def _render_map(
    entries: Mapping[str, MapEntry],
    *,
    highlight: str | None = None,
    always_inset: Iterable[str] = (),
    filtered_out: Iterable[str] = (),
) -> Markup:
    """The map as one block: an inline <svg> of Europe, then the tiles of the small states and of "Elsewhere";
    every country is a link to its page, coloured and patterned by stance.

    Countries not in `entries` are drawn neutral ("no position"), or muted and labelled "not in this view" when
    they are in `filtered_out` (outside the reader's stance or group filter); iso2 codes the geometry does not
    know are ignored. Countries outside the Europe frame get a tile when they hold a position, are highlighted,
    or are in `always_inset`; small states (drawn as a marker) get a labelled tile when they hold a position or
    are highlighted, a target large enough to tap.
    """
    geo = load_geometry()
    highlight = highlight.upper() if highlight else None
    entries = {k.upper(): v for k, v in entries.items()}
    filtered = {k.upper() for k in filtered_out} - set(entries)
    extra = {k.upper() for k in always_inset}
    small_tiles = sorted((k for k, c in geo.countries.items()
                          if "marker" in c and (k in entries or k == highlight or k in extra)),
                         key=lambda k: entries[k].name if k in entries else geo.countries[k]["name"])

    # Drawing order: neutral land, then positions, then small states (their markers must sit on top of the
    # big neighbours), then the highlighted country so its thick outline is not covered by a neighbour's.
    def order(iso2: str) -> tuple:
        c = geo.countries[iso2]
        return (iso2 == highlight, "marker" in c, iso2 in entries, c["name"])

    body = []
    for iso2 in sorted((k for k, c in geo.countries.items() if c["d"] or "marker" in c), key=order):
        c = geo.countries[iso2]
        entry = entries.get(iso2)
        name = entry.name if entry else c["name"]
        parts = [_open_link(iso2, name, entry, "", highlight, filtered=iso2 in filtered,
                            tab_stop=iso2 not in small_tiles)]
        if c["d"]:
            parts.append(f'<path d="{c["d"]}"/>')
        if "marker" in c:
            x, y = c["marker"]
            parts.append(f'<circle class="marker" cx="{x}" cy="{y}" r="10"/>')
        parts.append("</a>")
        body.append("".join(parts))

    inset_codes = {k for k in entries if k in geo.insets}
    inset_codes |= {k.upper() for k in always_inset if k.upper() in geo.insets}
    if highlight in geo.insets:
        inset_codes.add(highlight)
    tiles = sorted(inset_codes, key=lambda k: entries[k].name if k in entries else geo.insets[k]["name"])
    strip = ""
    groups = []
    if small_tiles:
        items = []
        for iso2 in small_tiles:
            entry = entries.get(iso2)
            name = entry.name if entry else geo.countries[iso2]["name"]
            stance = "filtered" if iso2 in filtered else entry.stance if entry else "none"
            items.append(
                "<li>"
                + _open_link(iso2, name, entry, " inset small-state", highlight, html=True,
                             filtered=iso2 in filtered)
                + f'<svg xmlns="{SVG_NS}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
                f'<circle class="marker" cx="12" cy="12" r="10" '
                f'fill="{MUTED if entry and entry.muted else FILL[stance]}"/></svg>'
                f'<span class="tile-label">{escape(name)}</span></a></li>'
            )
        groups.append('<p class="map-elsewhere-title" id="sm-small">Small states</p>'
                      '<ul aria-labelledby="sm-small">' + "".join(items) + "</ul>")
    if tiles:
        # HTML tiles rather than SVG: they keep a readable size however narrow the map gets. Their fills use
        # the patterns defined in the map's <defs> (ids are document-wide).
        items = []
        for iso2 in tiles:
            inset = geo.insets[iso2]
            entry = entries.get(iso2)
            name = entry.name if entry else inset["name"]
            stance = "filtered" if iso2 in filtered else entry.stance if entry else "none"
            items.append(
                "<li>"
                + _open_link(iso2, name, entry, " inset", highlight, html=True, filtered=iso2 in filtered)
                + f'<svg xmlns="{SVG_NS}" viewBox="0 0 {geo.inset_w} {geo.inset_h}" '
                'aria-hidden="true" focusable="false">'
                f'<path fill="{MUTED if entry and entry.muted else FILL[stance]}" d="{inset["d"]}"/></svg>'
                f'<span class="tile-label">{escape(name)}</span></a></li>'
            )
        groups.append('<p class="map-elsewhere-title" id="sm-elsewhere">Elsewhere</p>'
                      '<ul aria-labelledby="sm-elsewhere">' + "".join(items) + "</ul>")
    if groups:
        strip = ('<div class="map-elsewhere">' + "".join(f'<div class="tile-group">{g}</div>' for g in groups)
                 + "</div>")
    counts = {s: sum(1 for e in entries.values() if e.stance == s and not e.muted) for s in STANCES}
    muted = sum(1 for e in entries.values() if e.muted)
    summary = (
        ", ".join(f"{counts[s]} {s}" for s in STANCES)
        + (f", {muted} unchanged (drawn grey)" if muted else "")
        + (f"; {len(filtered)} {FILTERED_WORDS}" if filtered else "")
        + "; each country links to its page."
    )
    # role="group" rather than "img": an img role would hide the country links from assistive technology.
    return Markup(
        f'<div class="stance-map-wrap" data-stance-labels="{escape(json.dumps(STANCE_LABELS))}">'
        f'<svg class="stance-map" xmlns="{SVG_NS}" viewBox="0 0 {geo.width} {geo.height}" '
        'width="100%" preserveAspectRatio="xMidYMin meet" role="group" aria-labelledby="sm-title sm-desc">'
        '<title id="sm-title">Map of country positions</title>'
        f'<desc id="sm-desc">{escape(summary)}</desc>'
        + _patterns()
        + f'<rect class="sea" width="{geo.width}" height="{geo.height}" fill="#dde8ef"/>'
        + '<g class="countries">'
        + "".join(body)
        + "</g>"
        + f'<rect class="frame" width="{geo.width}" height="{geo.height}" fill="none"/>'
        + "</svg>"
        + strip
        + "</div>"
    )
