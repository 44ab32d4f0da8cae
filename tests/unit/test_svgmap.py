"""Unit tests for the server-side SVG stance map (app/web/svgmap.py): classes, links, escaping, insets."""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from app.web.svgmap import ASSET, MapEntry, load_geometry, render_map

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: Markup) -> ET.Element:
    return ET.fromstring(str(markup))  # also proves the output is well-formed XML


def links(root: ET.Element) -> dict[str, ET.Element]:
    """Main-map country links by iso2 (inset tiles are keyed with an 'inset:' prefix)."""
    out = {}
    for a in [*root.iter(f"{SVG}a"), *root.iter("a")]:
        key = a.get("data-iso2")
        out[f"inset:{key}" if "inset" in a.get("class").split() else key] = a
    return out


def test_entry_gets_class_pattern_href_and_data():
    entry = MapEntry("FR", "France", "reject", "2025-03-02", "We will not send troops.")
    root = parse(render_map({"FR": entry}))
    a = links(root)["FR"]
    assert a.get("href") == "/countries/FR"
    assert a.get("class").split() == ["country", "stance-reject"]
    assert a.get("fill") == "url(#sm-pat-reject)"
    assert root.find(f".//{SVG}pattern[@id='sm-pat-reject']") is not None
    assert a.get("data-stance") == "reject" and a.get("data-date") == "2025-03-02"
    assert a.get("data-quote") == "We will not send troops."
    assert a.get("aria-label") == "France: reject, 2025-03-02"
    assert a.find(f"{SVG}title").text == "France: reject, 2025-03-02"
    assert a.find(f"{SVG}path").get("d").startswith("M")


@pytest.mark.parametrize("stance", ["support", "reject", "undecided"])
def test_each_stance_has_its_own_pattern(stance):
    root = parse(render_map({"DE": MapEntry("DE", "Germany", stance, None, None)}))
    a = links(root)["DE"]
    assert f"stance-{stance}" in a.get("class").split()
    assert a.get("fill") == f"url(#sm-pat-{stance})"
    assert root.find(f".//{SVG}pattern[@id='sm-pat-{stance}']") is not None
    assert a.get("aria-label") == f"Germany: {stance}"


def test_countries_without_entry_are_neutral_and_still_links():
    root = parse(render_map({}))
    a = links(root)["PL"]
    assert a.get("class").split() == ["country", "stance-none"]
    assert a.get("href") == "/countries/PL"
    assert a.get("aria-label") == "Poland: no position"
    assert a.get("tabindex") == "-1"
    assert not [x for x in links(root) if x.startswith("inset:")]


def test_text_from_articles_is_escaped():
    quote = 'He said "never" <script>alert(1)</script> & left'
    markup = str(render_map({"IT": MapEntry("IT", "Italy <b>", "undecided", "2025-01-01", quote)}))
    assert "<script>" not in markup and "<b>" not in markup
    a = links(ET.fromstring(markup))["IT"]
    assert a.get("data-quote") == quote  # round-trips exactly once unescaped by the parser
    assert a.get("data-name") == "Italy <b>"


def test_long_quote_is_cut_to_an_excerpt():
    a = links(parse(render_map({"ES": MapEntry("ES", "Spain", "support", None, "word " * 200)})))["ES"]
    assert len(a.get("data-quote")) <= 240 and a.get("data-quote").endswith("…")


def test_unknown_iso2_is_ignored():
    root = parse(render_map({"ZZ": MapEntry("ZZ", "Nowhere", "support", None, None),
                             "NL": MapEntry("NL", "Netherlands", "support", None, None)}))
    found = links(root)
    assert "ZZ" not in found and "inset:ZZ" not in found
    assert "stance-support" in found["NL"].get("class")


def test_unknown_stance_is_refused_when_the_entry_is_made():
    with pytest.raises(ValueError, match="stance must be one of support, reject, undecided"):
        MapEntry("FR", "France", "maybe")


def test_unknown_highlight_is_ignored():
    markup = str(render_map({}, highlight='"><script>'))
    assert "<script>" not in markup and "highlight" not in markup


def test_highlight_gets_class_and_is_drawn_last():
    root = parse(render_map({"PT": MapEntry("PT", "Portugal", "support", None, None)}, highlight="pt"))
    group = root.find(f".//{SVG}g[@class='countries']")
    last = list(group)[-1]
    assert last.get("data-iso2") == "PT"
    assert "highlight" in last.get("class").split()
    assert sum("highlight" in a.get("class") for a in root.iter(f"{SVG}a")) == 1


@pytest.mark.parametrize("iso2", ["MT", "LU", "LI", "AD", "MC", "SM", "VA", "CY"])
def test_small_states_have_a_marker_carrying_their_stance(iso2):
    root = parse(render_map({iso2: MapEntry(iso2, iso2, "undecided", None, None)}))
    a = links(root)[iso2]
    marker = a.find(f"{SVG}circle")
    assert marker is not None and "marker" in marker.get("class")
    assert a.get("fill") == "url(#sm-pat-undecided)"  # the circle inherits the stance fill from its link
    _, _, width, height = (float(v) for v in root.find(f"{SVG}svg").get("viewBox").split())
    assert 0 < float(marker.get("cx")) < width and 0 < float(marker.get("cy")) < height


def test_countries_outside_europe_appear_as_insets():
    entries = {"US": MapEntry("US", "United States", "support", "2025-02-01", None),
               "AU": MapEntry("AU", "Australia", "undecided", None, None),
               "FR": MapEntry("FR", "France", "support", None, None)}
    root = parse(render_map(entries))
    found = links(root)
    assert {"inset:US", "inset:AU"} <= found.keys()
    assert "inset:FR" not in found  # France is on the main map
    us = found["inset:US"]
    assert us.get("href") == "/countries/US" and "stance-support" in us.get("class")
    assert us.get("title") == "United States: support, 2025-02-01"
    assert us.find(f".//{SVG}path").get("fill") == "url(#sm-pat-support)"
    assert [t.text for t in root.iter("span") if t.get("class") == "tile-label"] == ["Australia", "United States"]


def test_always_inset_and_highlight_show_tiles_without_a_position():
    root = parse(render_map({}, highlight="JP", always_inset=["CA"]))
    found = links(root)
    assert "highlight" in found["inset:JP"].get("class")
    assert "stance-none" in found["inset:CA"].get("class")


def test_svg_is_labelled_and_scales():
    svg = parse(render_map({"SE": MapEntry("SE", "Sweden", "reject", None, None)})).find(f"{SVG}svg")
    root = svg
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
    assert root.get("aria-labelledby") == "sm-title sm-desc"
    assert "1 reject" in root.find(f"{SVG}desc").text


def test_geometry_covers_europe_and_kosovo():
    geo = load_geometry()
    for iso2 in ["IS", "PT", "TR", "UA", "GE", "AM", "AZ", "XK", "GB", "NO", "CY"]:
        assert geo.countries[iso2]["d"], iso2
    assert "US" in geo.insets and "AU" in geo.insets and "CA" in geo.insets


def to_view(lon: float, lat: float) -> tuple[float, float]:
    """Place a lon/lat point on the map with the frame the asset records (spherical Lambert equal-area)."""
    f = json.loads(ASSET.read_text(encoding="utf-8"))["frame"]
    lam, phi, phi0 = math.radians(lon - f["lon0"]), math.radians(lat), math.radians(f["lat0"])
    k = math.sqrt(2 / (1 + math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)))
    x = 6371 * k * math.cos(phi) * math.sin(lam)
    y = 6371 * k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return (x - f["x0"]) * f["scale"], (f["y1"] - y) * f["scale"]


def contains(d: str, point: tuple[float, float]) -> bool:
    """Even-odd point-in-path for the asset's path syntax (M x y l dx dy ... z)."""
    px, py = point
    inside = False
    for part in d.split("M")[1:]:
        head, _, tail = part.rstrip("z").partition("l")
        x, y = (int(n) for n in head.split())
        ring = [(x, y)]
        deltas = [int(n) for n in re.findall(r"-?\d+", tail)]
        for dx, dy in zip(deltas[::2], deltas[1::2], strict=False):
            x, y = x + dx, y + dy
            ring.append((x, y))
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > py) != (y1 > py) and px < x0 + (py - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


@pytest.mark.parametrize(("place", "lon", "lat", "iso2", "not_iso2"), [
    ("Simferopol", 34.10, 44.95, "UA", "RU"),  # Crimea is drawn as Ukraine
    ("Kyiv", 30.52, 50.45, "UA", "BY"),
    ("Pristina", 21.17, 42.67, "XK", "RS"),
    ("Trikomo, northern Cyprus", 33.89, 35.29, "CY", None),  # merged into Cyprus
    ("Reykjavik", -21.8, 64.13, "IS", None),
    ("Evora", -7.9, 38.57, "PT", "ES"),
    ("Ankara", 32.85, 39.93, "TR", None),
    ("Ganja", 46.36, 40.68, "AZ", "GE"),
    ("Tbilisi", 44.79, 41.72, "GE", "AM"),
    ("Paris", 2.35, 48.86, "FR", "BE"),
])
def test_places_fall_in_the_right_country(place, lon, lat, iso2, not_iso2):
    geo = load_geometry()
    point = to_view(lon, lat)
    assert contains(geo.countries[iso2]["d"], point), place
    if not_iso2:
        assert not contains(geo.countries[not_iso2]["d"], point), place


def test_unreviewed_positions_get_a_second_cue_and_say_so():
    entry = MapEntry("FR", "France", "support", "Apr 2025", "q", trust="unreviewed",
                     trust_label="machine-found, not reviewed (confidence 0.80)", since="Feb 2025", sources="2 sources",
                     stale="last stated 14 months before this date")
    a = links(parse(render_map({"FR": entry, "DE": MapEntry("DE", "Germany", "reject", trust="editor")})))
    assert "unreviewed" in a["FR"].get("class").split() and "unreviewed" not in a["DE"].get("class").split()
    assert a["FR"].get("fill-opacity") == ".5" and a["FR"].get("stroke-dasharray")
    assert a["DE"].get("fill-opacity") is None
    assert a["FR"].get("aria-label") == ("France: support since Feb 2025, last restated Apr 2025; machine-found, "
                                         "not reviewed (confidence 0.80); stale, last stated 14 months before this date")
    assert a["FR"].get("data-sources") == "2 sources" and a["FR"].get("data-trust") == "unreviewed"


def test_the_same_entries_reuse_the_rendered_map():
    entries = {"FR": MapEntry("FR", "France", "support")}
    assert render_map(entries) is render_map(dict(entries))
    assert render_map(entries) is not render_map({"FR": MapEntry("FR", "France", "reject")})
