"""Build step: turns Natural Earth 1:50m (vendored world-atlas TopoJSON) into the projected, simplified map asset.

Run:  .venv/bin/python scripts/build_map.py [--out static/map/europe.json]

Needs the `dev` extra (shapely). The output is deterministic: running it again gives a byte-identical file,
which tests/test_build_map.py checks against the committed asset.

What it does:
- decodes the TopoJSON arcs and maps each feature to ISO alpha-2 through app/data/countries.csv numeric codes
  (features without a numeric id are named in NO_ID below: Kosovo becomes XK, the rest are merged or dropped;
  Crimea is drawn as part of Ukraine, see REASSIGN);
- projects with a spherical Lambert azimuthal equal-area projection centred on Europe (15E, 52N);
- simplifies each *arc* once (Douglas-Peucker), before the arcs are joined into rings, so the border shared by
  two neighbours is the same simplified line in both and no gaps or overlaps open between them;
- clips to a Europe frame (Iceland to the Caspian, North Cape to Cyprus) and rounds to an integer grid;
- for countries mostly outside that frame, writes an "inset" silhouette: the country in its own
  equal-area projection, fitted to a small box, for the "Elsewhere" strip under the map;
- marks small states (Malta, Luxembourg, ...) with a marker point so they stay findable and clickable.
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
from pathlib import Path

import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.polygon import orient

ROOT = Path(__file__).resolve().parent.parent
WORLD_ATLAS_VERSION = "2.0.2"
SOURCE = ROOT / "scripts" / "vendor" / f"world-atlas-{WORLD_ATLAS_VERSION}" / "countries-50m.json"
COUNTRIES_CSV = ROOT / "app" / "data" / "countries.csv"
DEFAULT_OUT = ROOT / "static" / "map" / "europe.json"
ASSET_VERSION = 1

# Features that carry no ISO numeric id in Natural Earth. Merging follows the internationally recognised
# state; None drops the feature.
NO_ID = {
    "Kosovo": "XK",
    "N. Cyprus": "CY",
    "Somaliland": "SO",
    "Siachen Glacier": None,  # disputed glacier between India and Pakistan; no side taken on a stance map
    "Indian Ocean Ter.": None,  # Christmas and Cocos Islands: external territories with their own ISO codes
}
# Natural Earth draws de facto control. Pieces moved back to the state the UN recognises (lon/lat box of the piece):
# Crimea is Ukraine (UN General Assembly resolution 68/262), which matters on a map about a force for Ukraine.
REASSIGN = [("RU", "UA", (32.0, 44.0, 37.0, 46.5))]
NOT_INSET = {"AQ"}  # Antarctica is no state and never holds a position

# Projection: Lambert azimuthal equal-area, centred so Europe sits upright.
CENTRE_LON, CENTRE_LAT = 15.0, 52.0
EARTH_KM = 6371.0
# Places the frame must show, with a margin around them (lon, lat).
FRAME_POINTS = [
    (-24.6, 66.5),  # Iceland, west
    (-9.6, 36.9),  # Portugal, south-west
    (-10.5, 54.0),  # Ireland, west
    (14.5, 35.6),  # Malta
    (26.0, 34.8),  # Crete
    (35.0, 34.5),  # Cyprus
    (50.4, 41.2),  # Azerbaijan, east (Absheron)
    (46.5, 38.5),  # Caucasus, south
    (28.0, 71.2),  # North Cape
]
FRAME_MARGIN = 0.03  # share of the frame size added on each side
MAP_WIDTH = 2000  # viewBox units; coordinates are integers on this grid
SIMPLIFY = 0.6  # viewBox units (about 0.3 px when the map is 900 px wide)
MIN_RING_AREA = 2.0  # viewBox units^2; smaller islands vanish at this scale

# A country is part of the main map when most of it is in the frame, or a large piece of it is (Russia).
MAIN_SHARE = 0.5
MAIN_MIN_AREA = 0.05  # share of the frame area (only Russia reaches it)

SMALL_STATES = ["AD", "CY", "LI", "LU", "MC", "MT", "SM", "VA"]

# Inset tiles: each silhouette is fitted into this box (units drawn about 0.5 px, like the main map).
INSET_W, INSET_H = 200, 120
INSET_SIMPLIFY = 0.8
# Parts kept in a silhouette: big enough and near the main landmass, so a tile shows the shape people know.
INSET_MIN_PART = 0.004  # share of the largest part's area
INSET_MAX_DISTANCE = 1.6  # multiples of the largest part's diagonal
# Where the rule above still gives a shape nobody recognises, keep only parts inside a lon/lat box.
INSET_BOUNDS = {
    "US": (-128.0, 23.0, -65.0, 50.0),  # the contiguous states; Alaska and Hawaii would shrink them to a speck
}


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decode quantized TopoJSON arcs into lon/lat point lists."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def laea(lon: float, lat: float, lon0: float, lat0: float) -> tuple[float, float]:
    """Spherical Lambert azimuthal equal-area; returns km east and north of the centre."""
    lam, phi = math.radians(lon - lon0), math.radians(lat)
    phi0 = math.radians(lat0)
    cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)
    k = math.sqrt(2.0 / max(1.0 + cos_c, 1e-12))
    x = EARTH_KM * k * math.cos(phi) * math.sin(lam)
    y = EARTH_KM * k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return x, y


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join a TopoJSON ring (arc indexes, ~i for reversed) into one closed point list."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def load_iso() -> tuple[dict[str, str], dict[str, str]]:
    by_numeric, names = {}, {}
    with COUNTRIES_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["iso2"]] = row["name"]
            if row["numeric"]:
                by_numeric[row["numeric"]] = row["iso2"]
    return by_numeric, names


def features_by_iso(topo: dict, by_numeric: dict[str, str], arcs_ll) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        if "id" in geometry:
            iso2 = by_numeric.get(geometry["id"])
            if iso2 is None:
                raise SystemExit(f"numeric id {geometry['id']} ({geometry['properties']}) not in countries.csv")
        else:
            name = geometry["properties"]["name"]
            if name not in NO_ID:
                raise SystemExit(f"feature without id not handled in NO_ID: {name!r}")
            iso2 = NO_ID[name]
        if iso2 is not None:
            out.setdefault(iso2, []).append(geometry)
    for source, target, (lon0, lat0, lon1, lat1) in REASSIGN:
        moved, kept = [], []
        for polygon in (p for g in out[source] for p in polygons_of(g)):
            lons, lats = zip(*ring_points(polygon[0], arcs_ll), strict=True)
            inside = lon0 <= sum(lons) / len(lons) <= lon1 and lat0 <= sum(lats) / len(lats) <= lat1
            (moved if inside else kept).append(polygon)
        if not moved:
            raise SystemExit(f"REASSIGN {source}->{target}: no polygon in {lon0, lat0, lon1, lat1}")
        out[source] = [{"type": "MultiPolygon", "arcs": kept}]
        out[target].append({"type": "MultiPolygon", "arcs": moved})
    return out


def valid(geom):
    """Polygonal part of a geometry made valid (simplification can fold a ring over itself)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    return geom


def parts(geom) -> list[Polygon]:
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type == "MultiPolygon":
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]


def path_d(geom, min_area: float) -> str:
    """SVG path data on the integer grid, relative moves after the first point of each ring."""
    out = []
    for polygon in parts(geom):
        polygon = orient(polygon, 1.0)
        if polygon.area < min_area:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            pts = []
            for x, y in ring.coords[:-1]:
                p = (round(x), round(y))
                if not pts or p != pts[-1]:
                    pts.append(p)
            while len(pts) > 1 and pts[-1] == pts[0]:
                pts.pop()
            if len(pts) < 3:
                continue
            cmd = [f"M{pts[0][0]} {pts[0][1]}l"]
            deltas = []
            for (x0, y0), (x1, y1) in itertools.pairwise(pts):
                deltas.append(f"{x1 - x0} {y1 - y0}".replace(" -", "-"))
            cmd.append(" ".join(deltas).replace(" -", "-"))
            cmd.append("z")
            out.append("".join(cmd))
    return "".join(out)


def build(out: Path) -> dict:
    topo = json.loads(SOURCE.read_text(encoding="utf-8"))
    arcs_ll = decode_arcs(topo)
    by_numeric, names = load_iso()
    features = features_by_iso(topo, by_numeric, arcs_ll)

    # Frame in projected km, then the scale to the integer viewBox grid (y grows downwards in SVG).
    xs, ys = zip(*(laea(lon, lat, CENTRE_LON, CENTRE_LAT) for lon, lat in FRAME_POINTS), strict=True)
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    x0, x1 = min(xs) - w * FRAME_MARGIN, max(xs) + w * FRAME_MARGIN
    y0, y1 = min(ys) - h * FRAME_MARGIN, max(ys) + h * FRAME_MARGIN
    scale = MAP_WIDTH / (x1 - x0)
    map_height = round((y1 - y0) * scale)

    def to_view(lon: float, lat: float) -> tuple[float, float]:
        x, y = laea(lon, lat, CENTRE_LON, CENTRE_LAT)
        return (x - x0) * scale, (y1 - y) * scale

    # Simplify each arc once; both neighbours then share exactly the same border line.
    arcs_view_raw = [[to_view(lon, lat) for lon, lat in arc] for arc in arcs_ll]
    arcs_view = []
    for arc in arcs_view_raw:
        simple = list(LineString(arc).simplify(SIMPLIFY, preserve_topology=False).coords)
        # A closed arc (a whole island) needs at least a triangle; keep tiny islands as they are.
        arcs_view.append(simple if len(simple) >= 4 or arc[0] != arc[-1] else arc)

    frame = shapely.box(0, 0, MAP_WIDTH, map_height)
    frame_area = frame.area
    countries: dict[str, dict] = {}
    inset_candidates: list[str] = []
    for iso2 in sorted(features):
        polys = []
        full_polys = []
        for geometry in features[iso2]:
            for rings in polygons_of(geometry):
                shell, *holes = (ring_points(r, arcs_view) for r in rings)
                if len(shell) >= 4:
                    polys.append(valid(Polygon(shell, [hole for hole in holes if len(hole) >= 4])))
                raw_shell = ring_points(rings[0], arcs_view_raw)
                full_polys.append(valid(Polygon(raw_shell)))
        geom = valid(shapely.union_all(polys)) if polys else Polygon()
        full = valid(shapely.union_all(full_polys))
        visible = valid(shapely.clip_by_rect(geom, 0, 0, MAP_WIDTH, map_height)) if not geom.is_empty else geom
        share = visible.area / full.area if full.area else 0.0
        in_main = share >= MAIN_SHARE or visible.area >= MAIN_MIN_AREA * frame_area
        marker = None
        if iso2 in SMALL_STATES:
            c = full.centroid if iso2 != "CY" else geom.centroid
            marker = [round(c.x), round(c.y)]
        d = path_d(visible, MIN_RING_AREA) if not visible.is_empty else ""
        if d or marker:
            entry: dict = {"name": names[iso2], "d": d}
            if marker:
                entry["marker"] = marker
            countries[iso2] = entry
        if not in_main and iso2 not in NOT_INSET:
            inset_candidates.append(iso2)

    insets = {iso2: build_inset(iso2, names[iso2], features[iso2], arcs_ll) for iso2 in inset_candidates}
    asset = {
        "version": ASSET_VERSION,
        "source": f"Natural Earth 1:50m admin-0 via world-atlas {WORLD_ATLAS_VERSION} (npm)",
        "projection": f"Lambert azimuthal equal-area, centre {CENTRE_LON}E {CENTRE_LAT}N, spherical",
        "viewBox": [0, 0, MAP_WIDTH, map_height],
        # To place a lon/lat point: (x, y) = laea(lon, lat); ((x - x0) * scale, (y1 - y) * scale), km on a 6371 km
        # sphere.
        "frame": {"lon0": CENTRE_LON, "lat0": CENTRE_LAT, "x0": round(x0, 3), "y1": round(y1, 3),
                  "scale": round(scale, 9)},
        "insetBox": [INSET_W, INSET_H],
        "countries": countries,
        "insets": {k: v for k, v in insets.items() if v["d"]},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(asset, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    return asset


def unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous along a ring, so an island stitched across 180 degrees stays small (Fiji)."""
    out = [ring[0]]
    for lon, lat in ring[1:]:
        prev = out[-1][0]
        lon += 360.0 * round((prev - lon) / 360.0)
        out.append((lon, lat))
    return out


def build_inset(iso2: str, name: str, geometries: list[dict], arcs_ll) -> dict:
    """The country's own silhouette: equal-area around its main landmass, fitted to the inset box."""
    lonlat_parts = []
    for geometry in geometries:
        for rings in polygons_of(geometry):
            lonlat_parts.append([unwrap(ring_points(r, arcs_ll)) for r in rings])
    bounds = INSET_BOUNDS.get(iso2)
    if bounds:
        def inside(rings):
            lons, lats = zip(*rings[0], strict=True)
            return bounds[0] <= sum(lons) / len(lons) <= bounds[2] and bounds[1] <= sum(lats) / len(lats) <= bounds[3]
        lonlat_parts = [p for p in lonlat_parts if inside(p)]
    # Centre on the largest part (measured roughly in lon/lat, which is enough to pick it).
    largest = max(lonlat_parts, key=lambda rings: abs(Polygon(rings[0]).area) * math.cos(
        math.radians(Polygon(rings[0]).centroid.y)))
    c = Polygon(largest[0]).centroid
    lon0, lat0 = c.x, c.y
    projected = []
    for rings in lonlat_parts:
        shell, *holes = ([laea(lon, lat, lon0, lat0) for lon, lat in ring] for ring in rings)
        if len(shell) >= 4:
            projected.append(valid(Polygon(shell, [h for h in holes if len(h) >= 4])))
    main = max(projected, key=lambda p: p.area)
    minx, miny, maxx, maxy = main.bounds
    reach = INSET_MAX_DISTANCE * math.hypot(maxx - minx, maxy - miny)
    kept = [p for p in projected if p.area >= INSET_MIN_PART * main.area and p.distance(main) <= reach]
    geom = valid(shapely.union_all(kept))
    minx, miny, maxx, maxy = geom.bounds
    k = min(INSET_W / (maxx - minx), INSET_H / (maxy - miny))
    ox = (INSET_W - (maxx - minx) * k) / 2
    oy = (INSET_H - (maxy - miny) * k) / 2
    fitted = shapely.transform(geom, lambda a: _fit(a, minx, maxy, k, ox, oy))
    fitted = valid(fitted.simplify(INSET_SIMPLIFY, preserve_topology=True))
    return {"name": name, "d": path_d(fitted, 2.0)}


def _fit(a, minx, maxy, k, ox, oy):
    out = a.copy()
    out[:, 0] = (a[:, 0] - minx) * k + ox
    out[:, 1] = (maxy - a[:, 1]) * k + oy
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the asset")
    args = parser.parse_args()
    asset = build(args.out)
    paths = sum(1 for c in asset["countries"].values() if c["d"]) + len(asset["insets"])
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes): {len(asset['countries'])} countries on the map, "
          f"{len(asset['insets'])} insets, {paths} paths")


if __name__ == "__main__":
    main()
