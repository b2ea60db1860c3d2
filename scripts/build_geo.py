"""Simplify the two province-boundary layers once, key every shape to a unit code, write data/geo/.

The research copies of the boundaries (TaliaCao/Vietnam-Shape-Map, MIT; upstream Open Development Vietnam)
are 0.7 MB (63 provinces, TopoJSON) and 3.9 MB (34 units, GeoJSON): far too heavy for a page that sends
its figure to the browser on every rerun. This script makes the small files the app reads:

- simplification is *coverage* simplification (``shapely.coverage_simplify``, GEOS): shared borders are
  simplified once, so neighbours never gap or overlap, and a ring is never reduced below a triangle, so
  the hundreds of tiny reefs of Hoàng Sa and Trường Sa all survive (no area threshold anywhere);
- coordinates are rounded to ``DECIMALS`` places (~110 m); a reef that rounding would collapse to a
  point becomes one grid cell instead of disappearing;
- shapes are keyed to unit codes of data/provinces.yaml through a name crosswalk that stops the build
  when a unit is matched zero or two times, or a shape matches no unit;
- the build stops when either archipelago loses a part (checked in boxes measured on the raw data).

The output is deterministic (same bytes every run with the pinned shapely/GEOS), so ``--check`` can
tell whether the committed files are current.

Usage: python scripts/build_geo.py [--src DIR] [--check]
       (--src defaults to ../shared/research/geo from the repo root; --check exits 1 if data/geo is stale)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.data import load_frames  # noqa: E402
from lib.i18n import fold  # noqa: E402

DATASET = ROOT / "data" / "provinces.yaml"
OUT = ROOT / "data" / "geo"
DEFAULT_SRC = Path("..") / "shared" / "research" / "geo"  # relative to the repo root
UPSTREAM = "TaliaCao/Vietnam-Shape-Map"
UPSTREAM_COMMIT = "35f693a24757fc0c25b539cf81902c257c786780"

# Visvalingam–Whyatt tolerance in degrees (≈ the square root of the triangle areas removed): 0.01° is about
# 0.4 px on the on-screen map and 1.5 px in the Red River Delta inset.
TOLERANCE = 0.01
DECIMALS = 3  # 0.001° ≈ 110 m


@dataclass(frozen=True)
class Layer:
    view: str  # "63" or "34"
    file: str  # in the source folder
    eras: tuple[str, ...]  # unit eras (lib.data) drawn in this view


LAYERS = (
    Layer("63", "vn63_provinces_odv_taliacao.topo.json", ("pre", "both")),
    Layer("34", "vn34_provinces_odv_taliacao.geojson", ("post", "both")),
)

# Boxes (min lon, min lat, max lon, max lat) measured on the raw data of both layers: the Đà Nẵng shape has
# 22 parts in lon 111.19–112.74, lat 15.77–17.12; the Khánh Hòa shape 304 parts east of 110°E, in lon
# 110.44–116.95, lat 6.95–12.05 (306 in the 63-province file once its one self-crossing reef is repaired;
# one more part, Tư Chính bank at 109.1°E 7.8°N, is left out of the box so that no coastal island of the
# mainland province can fall in it). No other shape has a part in either box.
ARCHIPELAGOS = {
    "Hoàng Sa": {"box": (111.0, 15.6, 113.0, 17.3), "owner": {"63": "da-nang", "34": "da-nang-2025"}},
    "Trường Sa": {"box": (110.0, 6.8, 117.2, 12.2), "owner": {"63": "khanh-hoa", "34": "khanh-hoa-2025"}},
}

# Names of shapes that folding and prefix stripping cannot bring to a unit's name, full name or alias
# (folded key of the shape name -> folded key of the unit's name).
OVERRIDES = {
    "hcm": "ho chi minh",  # "TP HCM"
    "thua thien hue": "hue",  # the province's name until 2025 (the shapes say "TP Huế")
}
_PREFIXES = ("thanh pho ", "tp ", "tinh ")


# --- Reading -------------------------------------------------------------------------------------------------------


def _topojson_features(doc: dict) -> list[tuple[str, BaseGeometry]]:
    """(name, geometry) of each geometry of a quantized TopoJSON with one object (the 63-province file)."""
    (obj,) = doc["objects"].values()
    (sx, sy), (tx, ty) = doc["transform"]["scale"], doc["transform"]["translate"]
    arcs = []
    for arc in doc["arcs"]:
        xy = np.cumsum(np.asarray(arc, dtype=float), axis=0)  # delta-encoded
        arcs.append(np.column_stack([xy[:, 0] * sx + tx, xy[:, 1] * sy + ty]))

    def ring(ids: list[int]) -> np.ndarray:
        pieces = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ids]
        return np.vstack([pieces[0]] + [p[1:] for p in pieces[1:]])  # consecutive arcs share an end point

    out = []
    for geom in obj["geometries"]:
        polys = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        parts = [Polygon(ring(rings[0]), [ring(r) for r in rings[1:]]) for rings in polys]
        out.append((geom["properties"]["ten_tinh"], shapely.multipolygons(parts) if len(parts) > 1 else parts[0]))
    return out


def read_layer(path: Path) -> list[tuple[str, BaseGeometry]]:
    """(ten_tinh, geometry) of every shape of a GeoJSON FeatureCollection or a TopoJSON topology."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("type") == "Topology":
        return _topojson_features(doc)
    return [(f["properties"]["ten_tinh"], shape(f["geometry"])) for f in doc["features"]]


# --- Crosswalk -----------------------------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """'TP. Hồ Chí Minh' -> 'ho chi minh', 'Khánh Hoà' == 'Khánh Hòa' -> 'khanh hoa', 'Bà Rịa-Vũng Tàu' ->
    'ba ria vung tau': diacritics, punctuation and the "TP"/"Thành phố"/"Tỉnh" prefix do not count."""
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    return OVERRIDES.get(key, key)


def crosswalk(shape_names: list[str], units: list[dict]) -> tuple[list[str], list[str]]:
    """The unit code of each shape, and the problems (empty when every shape has one unit and every unit one
    shape). A unit answers to its name, full name and aliases."""
    keys: dict[str, set[str]] = {}
    for u in units:
        for text in (u["name_vi"], u["full_name"], *u["aliases"]):
            keys.setdefault(name_key(text), set()).add(u["code"])
    codes, problems = [], []
    for name in shape_names:
        found = sorted(keys.get(name_key(name), ()))
        if len(found) != 1:
            problems.append(f"shape {name!r} (key {name_key(name)!r}) matches {len(found)} units {found}")
        codes.append(found[0] if len(found) == 1 else "")
    for u in units:
        n = codes.count(u["code"])
        if n != 1:
            problems.append(f"unit {u['code']} ({u['name_vi']}) is matched by {n} shapes")
    return codes, problems


# --- Geometry ------------------------------------------------------------------------------------------------------


def simplify(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Repair, make the layer an exact coverage (shared edges identical), then simplify it as a coverage."""
    arr = np.array([g if g.is_valid else shapely.make_valid(g) for g in geoms], dtype=object)
    arr = shapely.coverage_clean(arr)
    return list(shapely.coverage_simplify(arr, TOLERANCE))


def _rounded_ring(coords, decimals: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in coords:
        point = [round(x, decimals), round(y, decimals)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def _cell(poly: Polygon, decimals: int) -> list[list[float]]:
    """One grid cell at the polygon: what a reef smaller than the grid becomes, so that it is kept."""
    p = poly.representative_point()
    x, y, step = round(p.x, decimals), round(p.y, decimals), 10.0 ** -decimals
    x2, y2 = round(x + step, decimals), round(y + step, decimals)
    return [[x, y], [x2, y], [x2, y2], [x, y2], [x, y]]


def _wound(ring: list[list[float]], *, clockwise: bool) -> list[list[float]]:
    """The ring in the given direction, checked after rounding (rounding can flip a thin sliver)."""
    return ring[::-1] if shapely.LinearRing(ring).is_ccw == clockwise else ring


def _is_area(ring: list[list[float]]) -> bool:
    return len(ring) >= 4 and Polygon(ring).area > 0


def to_geojson_geometry(geom: BaseGeometry, decimals: int = DECIMALS) -> dict:
    """A GeoJSON (Multi)Polygon with rounded coordinates; every part kept, collapsed holes dropped.

    Exterior rings run clockwise: Plotly's geo subplots (d3-geo, spherical polygons) read a counter-clockwise
    ring, as RFC 7946 would have it, as "everything but this shape" and paint the rest of the globe."""
    parts = []
    for poly in (p for p in getattr(geom, "geoms", [geom]) if not p.is_empty):
        shell = _rounded_ring(poly.exterior.coords, decimals)
        holes = [h for h in (_rounded_ring(i.coords, decimals) for i in poly.interiors) if _is_area(h)]
        parts.append([_wound(shell if _is_area(shell) else _cell(poly, decimals), clockwise=True),
                      *(_wound(h, clockwise=False) for h in holes)])
    if len(parts) == 1:
        return {"type": "Polygon", "coordinates": parts[0]}
    return {"type": "MultiPolygon", "coordinates": parts}


def invalid_parts(geometry: dict) -> int:
    """How many polygon parts are not valid polygons. (Two parts of one feature may touch after rounding, e.g.
    reefs closer than the grid: harmless for drawing, and merging them would lose islands, so that is allowed.)"""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return sum(1 for rings in polys if not Polygon(rings[0], rings[1:]).is_valid)


def parts_in_box(geometry: BaseGeometry | dict, box: tuple[float, float, float, float]) -> int:
    """How many polygon parts have their representative point inside ``box``."""
    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    x0, y0, x1, y1 = box
    points = [p.representative_point() for p in getattr(geom, "geoms", [geom])]
    return sum(1 for p in points if x0 <= p.x <= x1 and y0 <= p.y <= y1)


def archipelago_problems(view: str, raw: dict[str, BaseGeometry], built: dict[str, dict]) -> list[str]:
    """Each archipelago keeps every part it had in the raw data (and had at least one)."""
    problems = []
    for name, spec in ARCHIPELAGOS.items():
        code = spec["owner"][view]
        before = parts_in_box(raw[code], spec["box"]) if code in raw else 0
        after = parts_in_box(built[code], spec["box"]) if code in built else 0
        if before == 0 or after < before:
            problems.append(f"{view} view: {name} ({code}) has {after} parts in {spec['box']} after simplification, "
                            f"{before} before: the islands must survive")
    return problems


# --- Output --------------------------------------------------------------------------------------------------------


def feature_collection(features: list[dict]) -> str:
    """One feature per line, so a change shows up as a readable diff."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def build_layer(layer: Layer, src: Path, units: list[dict]) -> tuple[str, dict]:
    """The GeoJSON text of one view and the facts ATTRIBUTION.md reports about it."""
    raw = read_layer(src / layer.file)
    codes, problems = crosswalk([name for name, _ in raw], units)
    if problems:
        raise SystemExit(f"{layer.file}: the name crosswalk failed:\n  " + "\n  ".join(problems))
    simplified = dict(zip(codes, simplify([g for _, g in raw])))
    names = {u["code"]: u["name_vi"] for u in units}
    geometries = {code: to_geojson_geometry(simplified[code]) for code in names}
    problems = archipelago_problems(layer.view, dict(zip(codes, (g for _, g in raw))), geometries)
    problems += [f"{layer.view} view: {code} has {n} invalid polygon parts after rounding"
                 for code, n in ((c, invalid_parts(g)) for c, g in geometries.items()) if n]
    if problems:
        raise SystemExit("\n".join(problems))
    features = [{"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometries[code]}
                for code, name in names.items()]  # in the dataset's order (north to south)
    text = feature_collection(features)
    facts = {
        "file": layer.file, "sha256": hashlib.sha256((src / layer.file).read_bytes()).hexdigest(),
        "features": len(features),
        "vertices_in": int(sum(shapely.get_num_coordinates(g) for _, g in raw)),
        "vertices_out": sum(len(ring) for g in geometries.values() for ring in _rings(g)),
        "bytes": len(text.encode("utf-8")),
        "islands": {n: parts_in_box(geometries[s["owner"][layer.view]], s["box"]) for n, s in ARCHIPELAGOS.items()},
    }
    return text, facts


def _rings(geometry: dict) -> list[list]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for poly in polys for ring in poly]


def attribution(facts: dict[str, dict]) -> str:
    """data/geo/ATTRIBUTION.md: where the shapes come from, under which terms, and how they were made."""
    rows = "\n".join(
        f"| `vn{view}.geojson` | `{f['file']}` (sha256 `{f['sha256'][:16]}…`) | {f['features']} | "
        f"{f['vertices_in']:,} → {f['vertices_out']:,} | {f['bytes'] / 1024:.0f} KB | "
        f"{f['islands']['Hoàng Sa']} / {f['islands']['Trường Sa']} |"
        for view, f in facts.items())
    return f"""# Province boundaries: origin, licence, how these files were made

Generated by `scripts/build_geo.py`; do not edit by hand (`python scripts/build_geo.py --check` tells
whether these files are current).

## Origin and licence
- Source: GitHub repository [{UPSTREAM}](https://github.com/{UPSTREAM}), snapshot `{UPSTREAM_COMMIT}`:
  `Formatting/diaphantinh_63_fixednames.json` (63 provinces before 1 July 2025) and
  `Maps/GeoJSON/diaphantinhvn_merged.geojson` (the 34 units from 1 July 2025, which the repository's author
  dissolved from the 63 provinces).
- Licence of that repository: MIT License, Copyright (c) 2025 Talia Cao. The MIT notice:
  "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
  associated documentation files (the "Software"), to deal in the Software without restriction, including
  without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
  copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
  following conditions: The above copyright notice and this permission notice shall be included in all
  copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY
  KIND, EXPRESS OR IMPLIED."
- Upstream: the repository names Open Development Vietnam's dataset "Địa phận tỉnh" as its reference.
  **The licence of that upstream dataset has not been verified** (its page could not be read). Attribution
  to Open Development Vietnam and to Talia Cao is kept; check the upstream terms before publishing.
- Both layers include Quần đảo Hoàng Sa (with Đà Nẵng) and Quần đảo Trường Sa (with Khánh Hòa).
- These boundaries are for statistical graphics only. They are not legal boundaries and must not be
  used to determine any boundary.

## How the files were made
1. Read both layers (the TopoJSON arcs decoded with their quantization transform).
2. Keyed each shape to a unit code of `data/provinces.yaml` by name (diacritics folded, "TP"/"Thành phố"/
   "Tỉnh" ignored, "Hoà" = "Hòa", plus the small override table in the script); the build stops if a unit
   is matched zero or two times, or a shape matches no unit. Feature properties: `code`, `name` (Vietnamese).
3. Repaired invalid rings (`shapely.make_valid`), made shared edges identical (`shapely.coverage_clean`) and
   simplified each layer as a coverage (`shapely.coverage_simplify`, Visvalingam–Whyatt, tolerance
   {TOLERANCE}°): shared borders are simplified once, so neighbours neither gap nor overlap, and no ring is
   reduced below a triangle, so every island is kept.
4. Rounded coordinates to {DECIMALS} decimals (~110 m); a reef smaller than that becomes one grid cell
   instead of vanishing (two reefs closer than that may then touch: they are not merged). Exterior rings
   run clockwise, as Plotly's geo subplots (d3-geo) need (RFC 7946 says the opposite). Every polygon part is
   checked to be a valid polygon.
5. Checked that both archipelagos keep every part they had (parts counted in fixed boxes around each).

| file | from | features | vertices | size | parts in the Hoàng Sa / Trường Sa boxes |
|---|---|---|---|---|---|
{rows}
"""


def build(src: Path) -> dict[str, str]:
    """Every file of data/geo, by name, as text."""
    frames = load_frames(DATASET)
    units = frames.units
    out, facts = {}, {}
    for layer in LAYERS:
        view = units[units["era"].isin(layer.eras)]
        records = [{"code": c, "name_vi": n, "full_name": f, "aliases": a}
                   for c, n, f, a in zip(view["code"], view["name_vi"], view["full_name"], view["aliases"])]
        out[f"vn{layer.view}.geojson"], facts[layer.view] = build_layer(layer, src, records)
    out["ATTRIBUTION.md"] = attribution(facts)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="folder with the two source files "
                        "(relative paths are taken from the repo root)")
    parser.add_argument("--check", action="store_true", help="exit 1 if data/geo differs from a fresh build")
    args = parser.parse_args(argv)
    src = args.src if args.src.is_absolute() else (ROOT / args.src)
    missing = [layer.file for layer in LAYERS if not (src / layer.file).is_file()]
    if missing:
        raise SystemExit(f"{src}: missing {', '.join(missing)} (give the folder with --src)")
    files = build(src)
    if args.check:
        stale = [name for name, text in files.items()
                 if not (OUT / name).is_file() or (OUT / name).read_text(encoding="utf-8") != text]
        print(f"data/geo is stale ({', '.join(stale)}): run scripts/build_geo.py" if stale
              else "data/geo is up to date")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {(OUT / name).relative_to(ROOT)}: {len(text.encode('utf-8')) / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
