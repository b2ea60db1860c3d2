"""Province boundaries for the map, and the map's fixed labels.

The shapes are the small files made once by ``scripts/build_geo.py`` (``data/geo/vn63.geojson``,
``data/geo/vn34.geojson``; origin and licence in ``data/geo/ATTRIBUTION.md``): plain GeoJSON whose features
carry ``properties.code`` (the unit code of data/provinces.yaml) and ``properties.name``. Everything here is
read or computed once per process and cached, because the overview page draws the map on every rerun.
The returned objects are shared between callers: treat them as read-only.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import LineString, shape
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parents[1]
GEO_DIR = ROOT / "data" / "geo"
VIEWS = ("63", "34")
DECIMALS = 3  # as in the files: nothing finer is worth sending to the browser

# The part of the country the map enlarges in its inset (lon/lat box): the Red River Delta, whose provinces
# (Bắc Ninh, Hưng Yên, Hà Nam, ...) are a few pixels wide on the whole-country map.
Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
DELTA_BOX: Box = (105.25, 19.85, 107.05, 21.62)


@dataclass(frozen=True)
class Archipelago:
    """A label the map always draws, at a fixed position next to the islands (not on them)."""

    key: str
    lon: float
    lat: float
    name: dict[str, str]  # full name, as a Vietnamese official map writes it
    label: dict[str, str]  # the same broken into short lines for the map


# Vietnamese official usage names the archipelago with the city/province it belongs to; the English names follow
# the Vietnamese government's English usage, with the international name in brackets.
ARCHIPELAGOS = (
    Archipelago(
        "hoang-sa", lon=111.95, lat=17.3,
        name={"vi": "Quần đảo Hoàng Sa (Đà Nẵng)", "en": "Hoang Sa (Paracel) Islands (Da Nang)"},
        label={"vi": "Quần đảo Hoàng Sa<br>(Đà Nẵng)", "en": "Hoang Sa (Paracel)<br>Islands (Da Nang)"},
    ),
    Archipelago(
        "truong-sa", lon=113.9, lat=12.2,
        name={"vi": "Quần đảo Trường Sa (Khánh Hòa)", "en": "Truong Sa (Spratly) Islands (Khanh Hoa)"},
        label={"vi": "Quần đảo Trường Sa<br>(Khánh Hòa)", "en": "Truong Sa (Spratly)<br>Islands (Khanh Hoa)"},
    ),
)


def _check_boundaries(boundaries: str) -> str:
    if boundaries not in VIEWS:
        raise ValueError(f"boundaries must be one of {VIEWS}, not {boundaries!r}")
    return boundaries


@lru_cache(maxsize=len(VIEWS))
def load_geometry(boundaries: str) -> dict:
    """The FeatureCollection of the 63-province ("63") or 34-unit ("34") view, read once per process."""
    path = GEO_DIR / f"vn{_check_boundaries(boundaries)}.geojson"
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=len(VIEWS))
def _features(boundaries: str) -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in load_geometry(boundaries)["features"]}


@lru_cache(maxsize=len(VIEWS))
def _parts(boundaries: str) -> dict[str, list[shapely.Polygon]]:
    """Each unit's polygon parts. Geometry operations run part by part: two reefs of one unit may touch after
    rounding, which makes the unit's MultiPolygon formally invalid although every part is valid."""
    return {code: list(shapely.get_parts(shape(f["geometry"]))) for code, f in _features(boundaries).items()}


def codes(boundaries: str) -> list[str]:
    """The unit codes that have a shape in this view, in file order."""
    return list(_features(boundaries))


def subset(boundaries: str, unit_codes: list[str]) -> dict:
    """A FeatureCollection of just these units (the feature dicts are shared, not copied).

    A trace that carries only the shapes it draws keeps the figure small: every trace sends its own GeoJSON."""
    feats = _features(boundaries)
    return {"type": "FeatureCollection", "features": [feats[c] for c in unit_codes if c in feats]}


@lru_cache(maxsize=2 * len(VIEWS))
def _clipped_parts(boundaries: str, box: Box) -> dict[str, list[shapely.Polygon]]:
    """The units that reach into ``box``, cut to it plus a 5 % margin (so that no cut edge shows in the box)."""
    x0, y0, x1, y1 = box
    mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
    area = shapely.box(x0 - mx, y0 - my, x1 + mx, y1 + my)
    out = {}
    for code, parts in _parts(boundaries).items():
        cut = [q for p in parts if p.intersects(area) for q in shapely.get_parts(p.intersection(area))
               if q.geom_type == "Polygon" and not q.is_empty]
        if cut:
            out[code] = cut
    return out


@lru_cache(maxsize=2 * len(VIEWS))
def _clipped_features(boundaries: str, box: Box) -> dict[str, dict]:
    props = {code: f["properties"] for code, f in _features(boundaries).items()}
    return {code: {"type": "Feature", "properties": props[code], "geometry": _geometry(parts)}
            for code, parts in _clipped_parts(boundaries, box).items()}


def _geometry(polygons: list[shapely.Polygon]) -> dict:
    """GeoJSON of polygons, rounded like the files; exterior rings clockwise, holes counter-clockwise (what
    Plotly's geo needs), checked after rounding, which can flip a thin sliver."""
    def ring(r, clockwise: bool) -> list[list[float]]:
        coords = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r.coords]
        return coords[::-1] if shapely.LinearRing(coords).is_ccw == clockwise else coords

    coords = [[ring(p.exterior, True), *(ring(i, False) for i in p.interiors)] for p in polygons]
    if len(coords) == 1:
        return {"type": "Polygon", "coordinates": coords[0]}
    return {"type": "MultiPolygon", "coordinates": coords}


def clipped_subset(boundaries: str, unit_codes: list[str], box: Box = DELTA_BOX) -> dict:
    """Like ``subset``, for an inset of ``box``: only the units that reach into it, cut to it."""
    feats = _clipped_features(boundaries, box)
    return {"type": "FeatureCollection", "features": [feats[c] for c in unit_codes if c in feats]}


def codes_in_box(boundaries: str, box: Box = DELTA_BOX) -> frozenset[str]:
    """The units with some part inside ``box`` (the shapes an inset of that box must carry)."""
    return frozenset(_clipped_parts(boundaries, box))


@lru_cache(maxsize=2 * len(VIEWS))
def label_points(boundaries: str, box: Box | None = None) -> dict[str, tuple[float, float]]:
    """A point well inside each unit's largest part (pole of inaccessibility), for marks drawn on the unit; with
    ``box``, inside the largest part of what the unit has in the box (so an inset can mark it too)."""
    out = {}
    for code, parts in (_parts(boundaries) if box is None else _clipped_parts(boundaries, box)).items():
        largest = max(parts, key=lambda p: p.area)
        p = polylabel(largest, tolerance=0.005)
        out[code] = (round(p.x, DECIMALS), round(p.y, DECIMALS))
    return out


@lru_cache(maxsize=4 * len(VIEWS))
def hatch_lines(boundaries: str, spacing: float, box: Box | None = None) -> dict[str, tuple[list, list]]:
    """Diagonal hatch lines clipped to each unit (to its part in ``box`` if given), as (lons, lats) with None
    between segments. The lines lie on one grid (lon − lat = k · spacing) for every unit, so neighbouring
    hatched units join up."""
    out = {}
    units = _parts(boundaries) if box is None else _clipped_parts(boundaries, box)
    for code, parts in units.items():
        lons: list = []
        lats: list = []
        for seg in (s for p in parts for s in shapely.get_parts(p.intersection(_hatch(p.bounds, spacing)))):
            if seg.geom_type != "LineString" or seg.length < spacing / 20:
                continue
            for x, y in seg.coords:
                lons.append(round(x, DECIMALS))
                lats.append(round(y, DECIMALS))
            lons.append(None)
            lats.append(None)
        out[code] = (lons, lats)
    return out


def _hatch(bounds: Box, spacing: float) -> shapely.MultiLineString:
    """The lines lon − lat = k · spacing that cross ``bounds``."""
    x0, y0, x1, y1 = bounds
    ks = range(math.floor((x0 - y1) / spacing), math.ceil((x1 - y0) / spacing) + 1)
    return shapely.MultiLineString([LineString([(k * spacing + y0, y0), (k * spacing + y1, y1)]) for k in ks])


# --- The shapes as static files, sent to the browser once -------------------------------------------------------
#
# On the page, the map's choropleth traces name their shapes by URL instead of carrying them: Streamlit serves
# `static/` beside app.py (server.enableStaticServing, .streamlit/config.toml) from the app's own server, so the
# map stays offline, and plotly.js fetches each URL once per browser tab and keeps it (window.PlotlyGeoAssets).
# A filter change then sends the values and hover texts, not ~280 KB of unchanged geometry. Image and HTML
# exports (kaleido has no server to fetch from) embed the shapes again: lib.charts_map.embed_shapes.

STATIC_DIR = ROOT / "static" / "geo"
STATIC_PREFIX = "app/static/geo/"  # relative: resolved against the page's address, so a path prefix works


def static_name(boundaries: str, clipped: bool) -> str:
    """vn63.json (every unit of the view), vn63-delta.json (the units of the inset, cut to it)."""
    return f"vn{_check_boundaries(boundaries)}{'-delta' if clipped else ''}.json"


def static_content(boundaries: str, clipped: bool) -> str:
    """The file's text: every unit's shape of the view (or of the inset), as the traces used to carry them."""
    fc = clipped_subset(boundaries, codes(boundaries)) if clipped else subset(boundaries, codes(boundaries))
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":"))


def write_static(directory: Path = STATIC_DIR) -> list[Path]:
    """Write the four files (`python -c "from lib.geo import write_static; write_static()"` after the shapes
    or the inset change; tests/test_map_static.py fails while they are out of date)."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for boundaries in VIEWS:
        for clipped in (False, True):
            path = directory / static_name(boundaries, clipped)
            path.write_text(static_content(boundaries, clipped), encoding="utf-8")
            out.append(path)
    return out


@lru_cache(maxsize=2 * len(VIEWS))
def static_url(boundaries: str, clipped: bool) -> str | None:
    """The file's address for the browser, with a hash of its bytes (a new file is a new address, so no
    browser keeps an old one); None when the file is missing."""
    path = STATIC_DIR / static_name(boundaries, clipped)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return None
    return f"{STATIC_PREFIX}{path.name}?v={digest}"


def static_key(url: str) -> tuple[str, bool] | None:
    """(boundaries, clipped) of an address made by static_url, else None."""
    for boundaries in VIEWS:
        for clipped in (False, True):
            if url == static_url(boundaries, clipped):
                return boundaries, clipped
    return None
