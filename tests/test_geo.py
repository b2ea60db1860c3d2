"""The map: the committed boundary files (scripts/build_geo.py), lib.geo and lib.charts_map.map_figure.

Values here are synthetic, made by code for the tests; nothing is written to data/. Rendered screenshots of both
views in both languages go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from lib import charts_map as M
from lib import export as ex
from lib import geo
from lib.data import DEFAULT_PATH, load_frames

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCRIPT = ROOT / "scripts" / "build_geo.py"
RAW = ROOT / ".." / "shared" / "research" / "geo"
ERAS = {"63": ("pre", "both"), "34": ("post", "both")}
JSON_BUDGET = 450_000  # bytes of fig.to_json() for a usual view (measured: 291 KB for 63, 244 KB for 34)
JSON_CEILING = 700_000  # whatever is selected (measured: 534 KB with all but one of the 63 selected)
HAS_CHROMIUM = os.path.exists("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="/usr/bin/chromium is not installed: no image export")
needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason="the research copies of the boundaries are not beside the repo")

META = {"id": "share", "kind": "percent", "higher_is_better": True, "decimals": 1, "title_vi": "Tỷ lệ hộ có Internet",
        "title_en": "Households online", "unit_vi": "%", "unit_en": "%"}
SOURCES = pd.DataFrame({"id": ["s1"], "publisher": ["Bộ Thông tin và Truyền thông"], "published": ["2023-05-01"]})


def _build_geo():
    spec = importlib.util.spec_from_file_location("build_geo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


B = _build_geo()


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return load_frames(DEFAULT_PATH).units


def view_codes(units: pd.DataFrame, boundaries: str) -> list[str]:
    return list(units.loc[units["era"].isin(ERAS[boundaries]), "code"])


def labels(units: pd.DataFrame, lang: str) -> dict[str, str]:
    return dict(zip(units["code"], units["name_vi" if lang == "vi" else "name_en"]))


def rows_for(codes: list[str], *, skip: tuple[str, ...] = (), derived: tuple[str, ...] = ()) -> pd.DataFrame:
    """SYNTHETIC values (made by code, for tests only): one per unit, 20–95."""
    kept = [c for c in codes if c not in skip]
    return pd.DataFrame({
        "unit": kept, "indicator": "share", "value": [20 + (37 * i) % 76 for i in range(len(kept))],
        "as_of": pd.Timestamp("2024-12-31"), "year": 2024, "precision": "year", "period": "", "qualifier": "",
        "source": "s1", "out_of": pd.NA, "derived": [c in derived for c in kept],
        "rule": ["weighted_mean" if c in derived else None for c in kept],
    })


def figure(units, boundaries="63", lang="vi", meta=META, highlight=("ha-nam",), **rows_kw):
    codes = view_codes(units, boundaries)
    return M.map_figure(rows_for(codes, **rows_kw), meta, labels(units, lang), highlight, lang=lang, year=2024,
                        boundaries=boundaries, sources=SOURCES, unit_codes=codes)


def traces(fig, subplot="geo", kind=None, name=None):
    return [t for t in fig.data if t.geo == subplot and (kind is None or t.type == kind)
            and (name is None or t.name == name)]


def value_trace(fig, subplot="geo"):
    (trace,) = [t for t in traces(fig, subplot, "choropleth") if t.name in ("giá trị", "value")]
    return trace


# --- The committed files -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("boundaries", ["63", "34"])
def test_every_unit_of_the_view_has_exactly_one_shape(units, boundaries):
    fc = json.loads((ROOT / "data" / "geo" / f"vn{boundaries}.geojson").read_text(encoding="utf-8"))
    codes = [f["properties"]["code"] for f in fc["features"]]
    assert len(codes) == int(boundaries)
    assert sorted(codes) == sorted(view_codes(units, boundaries))
    names = dict(zip(units["code"], units["name_vi"]))
    assert all(f["properties"] == {"code": c, "name": names[c]} for f, c in zip(fc["features"], codes))


@pytest.mark.parametrize("boundaries", ["63", "34"])
def test_exterior_rings_run_clockwise(boundaries):
    """Plotly's geo (d3-geo) fills the rest of the globe for a counter-clockwise exterior ring."""
    wrong = []
    inset = geo.clipped_subset(boundaries, geo.codes(boundaries))["features"]
    for f in geo.load_geometry(boundaries)["features"] + inset:
        g = f["geometry"]
        for rings in [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]:
            if shapely.LinearRing(rings[0]).is_ccw:
                wrong.append((f["properties"]["code"], rings[0][0]))
    assert wrong == []


def test_crosswalk_folds_names_and_refuses_zero_or_two_matches():
    units = [{"code": "hue", "name_vi": "Huế", "full_name": "Thành phố Huế", "aliases": ("Thừa Thiên Huế",)},
             {"code": "khanh-hoa", "name_vi": "Khánh Hòa", "full_name": "Tỉnh Khánh Hòa", "aliases": ()},
             {"code": "ho-chi-minh", "name_vi": "Hồ Chí Minh", "full_name": "Thành phố Hồ Chí Minh", "aliases": ()}]
    codes, problems = B.crosswalk(["TP Huế", "Khánh Hoà", "TP HCM"], units)
    assert (codes, problems) == (["hue", "khanh-hoa", "ho-chi-minh"], [])
    _, problems = B.crosswalk(["TP Huế", "Thừa Thiên - Huế", "TP HCM", "Atlantis"], units)
    assert any("hue" in p and "2 shapes" in p for p in problems)  # a unit matched twice
    assert any("khanh-hoa" in p and "0 shapes" in p for p in problems)  # a unit matched by nothing
    assert any("Atlantis" in p and "0 units" in p for p in problems)  # a shape matching no unit


def test_check_passes_on_the_committed_files():
    if not RAW.is_dir():
        pytest.skip("the research copies of the boundaries are not beside the repo")
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


@needs_raw
def test_check_fails_on_stale_files(tmp_path, monkeypatch):
    for name in ("vn63.geojson", "vn34.geojson", "ATTRIBUTION.md"):
        shutil.copy(ROOT / "data" / "geo" / name, tmp_path / name)
    text = (tmp_path / "vn34.geojson").read_text(encoding="utf-8")
    (tmp_path / "vn34.geojson").write_text(text.replace('"Hà Nội"', '"Ha Noi"', 1), encoding="utf-8")
    monkeypatch.setattr(B, "OUT", tmp_path)
    assert B.main(["--check"]) == 1


@pytest.mark.parametrize("boundaries", ["63", "34"])
def test_both_archipelagos_survive_in_the_committed_files(boundaries):
    fc = geo.load_geometry(boundaries)
    shapes = {f["properties"]["code"]: f["geometry"] for f in fc["features"]}
    at_least = {"Hoàng Sa": 22, "Trường Sa": 304}  # parts in the raw data (ATTRIBUTION.md)
    for name, spec in B.ARCHIPELAGOS.items():
        owner = spec["owner"][boundaries]
        assert B.parts_in_box(shapes[owner], spec["box"]) >= at_least[name], (boundaries, name)
        others = [c for c, g in shapes.items() if c != owner and B.parts_in_box(g, spec["box"])]
        assert others == []


def test_the_build_refuses_a_lost_archipelago():
    hoang_sa = shapely.box(111.5, 16.0, 111.6, 16.1)
    mainland = shapely.box(108.0, 15.9, 108.3, 16.2)
    raw = {"da-nang": shapely.MultiPolygon([mainland, hoang_sa]), "khanh-hoa": shapely.box(114, 10, 114.1, 10.1)}
    kept = {c: B.to_geojson_geometry(g) for c, g in raw.items()}
    assert B.archipelago_problems("63", raw, kept) == []
    lost = dict(kept, **{"da-nang": B.to_geojson_geometry(mainland)})
    assert any("Hoàng Sa" in p for p in B.archipelago_problems("63", raw, lost))


def test_rounding_keeps_a_reef_smaller_than_the_grid():
    reef = shapely.box(114.00011, 10.00011, 114.00019, 10.00019)  # ~9 m across: collapses at 3 decimals
    out = B.to_geojson_geometry(reef)
    assert out["type"] == "Polygon" and shape(out).area > 0
    assert shapely.Polygon(out["coordinates"][0]).exterior.is_ccw is False  # clockwise, as Plotly's geo needs


def test_geometry_is_cached_and_views_are_checked():
    assert geo.load_geometry("63") is geo.load_geometry("63")
    with pytest.raises(ValueError):
        geo.load_geometry("64")


def test_files_stay_small():
    for boundaries in ("63", "34"):
        assert (ROOT / "data" / "geo" / f"vn{boundaries}.geojson").stat().st_size <= 300 * 1024


# --- The figure ----------------------------------------------------------------------------------------------------


def test_a_unit_without_a_value_is_drawn_as_no_data(units):
    fig = figure(units, skip=("ha-nam", "ca-mau"))
    for subplot, missing in (("geo", {"ha-nam", "ca-mau"}), ("geo2", {"ha-nam"})):
        (no_data,) = traces(fig, subplot, "choropleth", "Không có dữ liệu")
        assert set(no_data.locations) == missing
        assert {f["properties"]["code"] for f in no_data.geojson["features"]} == missing
        assert not missing & set(value_trace(fig, subplot).locations)
        hatch = [t for t in traces(fig, subplot, "scattergeo") if t.legendgroup == "no-data"]
        assert hatch and len(hatch[0].lon) > 2
    assert "ca-mau" in value_trace(figure(units)).locations  # and drawn coloured when it has a value


def test_scale_is_reversed_when_lower_is_better(units):
    assert value_trace(figure(units)).reversescale is False
    assert value_trace(figure(units, meta=META | {"higher_is_better": False})).reversescale is True
    rank = META | {"kind": "rank", "higher_is_better": False, "unit_vi": "hạng", "unit_en": "rank"}
    trace = value_trace(figure(units, meta=rank))
    assert trace.reversescale is True and trace.zmin == 1  # 1st = darkest


def test_colour_bar_speaks_the_language(units):
    assert "đậm hơn = tốt hơn" in value_trace(figure(units, lang="vi")).colorbar.title.text
    assert "darker = better" in value_trace(figure(units, lang="en")).colorbar.title.text


def test_derived_values_are_marked_on_the_map_and_in_the_hover(units):
    fig = figure(units, boundaries="34", derived=("ha-noi", "khanh-hoa-2025"), highlight=())
    (marks,) = traces(fig, "geo", "scattergeo", "Giá trị tính gộp")
    assert len(marks.lon) == 2 and all("giá trị tính gộp" in h for h in marks.hovertext)
    hover = dict(zip(value_trace(fig).locations, value_trace(fig).hovertext))
    assert "giá trị tính gộp" in hover["ha-noi"] and "giá trị tính gộp" not in hover["hue"]
    (inset,) = traces(fig, "geo2", "scattergeo", "Giá trị tính gộp")
    assert len(inset.lon) == 1  # Hà Nội is in the inset, Khánh Hòa is not
    x0, y0, x1, y1 = geo.DELTA_BOX
    assert x0 <= inset.lon[0] <= x1 and y0 <= inset.lat[0] <= y1
    partly_in = figure(units, boundaries="34", derived=("quang-ninh",), highlight=())  # its centre is outside
    (mark,) = traces(partly_in, "geo2", "scattergeo", "Giá trị tính gộp")
    assert x0 <= mark.lon[0] <= x1 and y0 <= mark.lat[0] <= y1


def test_selected_units_are_outlined_unless_all_are(units):
    fig = figure(units, highlight=("ha-nam", "quang-tri"))
    outlines = [t for t in traces(fig, "geo", "choropleth") if t.legendgroup == "selected"]
    assert outlines and all(set(t.locations) == {"ha-nam", "quang-tri"} for t in outlines)
    assert outlines[-1].marker.line.width >= 2
    everyone = figure(units, highlight=view_codes(units, "63"))
    assert not [t for t in everyone.data if t.legendgroup == "selected"]


def test_hover_has_name_value_date_and_source(units):
    fig = figure(units, lang="en")
    text = dict(zip(value_trace(fig).locations, value_trace(fig).hovertext))["quang-tri"]
    assert "Quang Tri" in text and "%" in text and "2024" in text and "Bộ Thông tin và Truyền thông" in text


def test_archipelagos_are_labelled_in_the_chosen_language(units):
    for lang, words in (("vi", ("Quần đảo Hoàng Sa", "Quần đảo Trường Sa")), ("en", ("Hoang Sa", "Truong Sa"))):
        texts = " ".join(str(t.text) for t in figure(units, lang=lang).data if t.type == "scattergeo" and t.text)
        assert all(w in texts for w in words)


def test_every_geo_subplot_starts_with_a_plain_lon_lat_trace(units):
    """Plotly.js fetches a world map from the internet for a geo subplot whose first trace has a locationmode."""
    for boundaries in ("63", "34"):
        fig = figure(units, boundaries=boundaries)
        for subplot in ("geo", "geo2"):
            first = traces(fig, subplot)[0]
            assert first.type == "scattergeo" and first.locations is None, (boundaries, subplot)
        assert fig.layout.geo.visible is False and fig.layout.geo2.visible is False


def test_the_inset_shows_the_delta_provinces(units):
    fig = figure(units)
    inset = {code for t in traces(fig, "geo2", "choropleth") for code in t.locations}
    assert {"bac-ninh", "hung-yen", "ha-nam", "ha-noi", "thai-binh", "nam-dinh"} <= inset
    assert not inset & {"ca-mau", "khanh-hoa", "da-nang"}


def test_no_data_at_all_gives_the_empty_figure(units):
    codes = view_codes(units, "63")
    fig = M.map_figure(rows_for(codes).iloc[0:0], META, labels(units, "vi"), [], lang="vi", year=2024,
                       boundaries="63", sources=SOURCES, unit_codes=codes)
    assert not [t for t in fig.data if t.type == "choropleth"]


@pytest.mark.parametrize("boundaries", ["63", "34"])
def test_figure_json_stays_within_budget(units, boundaries):
    usual = len(figure(units, boundaries=boundaries, skip=tuple(view_codes(units, boundaries)[::4])).to_json())
    assert usual <= JSON_BUDGET, usual
    codes = view_codes(units, boundaries)
    heavy = len(figure(units, boundaries=boundaries, highlight=codes[1:], derived=tuple(codes)).to_json())
    assert heavy <= JSON_CEILING, heavy


# --- Rendered (kaleido + Chromium, offline) ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kaleido_ready():
    ok, reason = ex.export_available()
    assert ok, reason


def _spec(fig, key: str) -> ex.ChartSpec:
    return ex.ChartSpec(key=key, figure=fig, title=fig.layout.meta["title"], filename_stem=key,
                        filters="SYNTHETIC test values", source="Bộ Thông tin và Truyền thông (2023)", as_of="2024")


@needs_chromium
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_exported_svg_carries_both_archipelago_labels(units, kaleido_ready, lang):
    svg = ex.to_svg(_spec(figure(units, lang=lang), f"map-{lang}"), lang)  # fails if plotly.js goes online
    root = ET.fromstring(svg)
    texts = " ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))
    for a in geo.ARCHIPELAGOS:
        first_line = a.label[lang].split("<br>")[0]
        assert first_line in texts, (first_line, texts[:300])


@needs_chromium
@pytest.mark.parametrize("boundaries,lang", [("63", "vi"), ("63", "en"), ("34", "vi"), ("34", "en")])
def test_screenshots_for_a_person(units, kaleido_ready, boundaries, lang):
    """PNG of each view and language in tests/artifacts/ (synthetic values, some units without data)."""
    from PIL import Image

    codes = view_codes(units, boundaries)
    fig = figure(units, boundaries=boundaries, lang=lang, skip=tuple(codes[2::7]),
                 derived=tuple(c for c in codes if c.endswith("-2025"))[::3],
                 highlight=("ha-nam", "quang-tri", "hung-yen-2025", "quang-tri-2025"))
    png = ex.to_png(_spec(fig, f"map-{boundaries}-{lang}"), lang, scale=1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"map_{boundaries}_{lang}.png").write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] == ex.EXPORT_WIDTH
    assert len(image.resize((200, 130)).getcolors(maxcolors=100_000)) > 50  # a drawn map, not a blank page
