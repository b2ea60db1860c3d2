"""The map's shapes travel by URL on the page (static/geo/, fetched once per browser tab) and nothing the map
shows is lost: the page's figure, with its shapes embedded again, is exactly the figure that carried them."""

from __future__ import annotations

import json

import pytest

from lib import geo, views
from lib.charts_map import embed_shapes
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.export.layout import export_figure
from lib.filters import FilterState, preset_units, year_bounds


@pytest.fixture(scope="module")
def frames():
    return load_frames(DEFAULT_PATH)


def _state(frames, boundaries: str, preset: str, indicator: str, lang: str) -> FilterState:
    return FilterState(boundaries=boundaries, units=preset_units(frames.units, preset, boundaries),
                       years=year_bounds(frames), indicator=indicator, lang=lang)


# The founding four in the 63 view; the 34 view (derived values marked); every unit selected (no outline);
# English; an indicator most units have no value of (hatched no-data shapes in both subplots).
CASES = [("63", "founding", "dti_score", "vi"), ("34", "founding", "dti_score", "en"), ("63", "all", "dti_rank", "vi"),
         ("63", "founding", "bts_stations", "vi"),
         ("63", "founding", "egov_index", "en"), ("34", "all", "egov_index", "vi")]


def _figures(frames, case):
    state = _state(frames, *case)
    vobs, _ = boundary_observations(frames, state.boundaries)
    _, _, year = views.ranking_spec(vobs, frames, state)
    return (views.map_figure_of(vobs, frames, state, year), views.map_figure_of(vobs, frames, state, year, by_url=True),
            (vobs, state, year))


def test_the_static_files_are_current():
    for boundaries in geo.VIEWS:
        for clipped in (False, True):
            path = geo.STATIC_DIR / geo.static_name(boundaries, clipped)
            assert path.read_text(encoding="utf-8") == geo.static_content(boundaries, clipped), (
                f"{path} is out of date: python -c 'from lib.geo import write_static; write_static()'")


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_the_page_figure_shows_the_same_map_without_carrying_its_shapes(frames, case):
    carried, named, _ = _figures(frames, case)
    shapes = [t for t in named.data if t.type == "choropleth"]
    assert shapes and all(isinstance(t.geojson, str) and t.geojson.startswith(geo.STATIC_PREFIX) for t in shapes)
    # every trace, value, colour, hover text and layout entry the same; the shapes the same once embedded again
    assert embed_shapes(named).to_plotly_json() == carried.to_plotly_json()
    assert len(named.to_json()) < 60 * 1024 < len(carried.to_json())


def test_exports_embed_the_shapes(frames):
    carried, named, (vobs, state, year) = _figures(frames, CASES[0])
    old = export_figure(views.map_spec(vobs, frames, state, year, carried), "vi")
    new = export_figure(views.map_spec(vobs, frames, state, year, named), "vi")
    assert not any(isinstance(getattr(t, "geojson", None), str) for t in new.data)  # kaleido has no server
    assert json.loads(new.to_json()) == json.loads(old.to_json())


def test_an_address_not_made_here_is_refused(frames):
    _, named, _ = _figures(frames, CASES[0])
    named.data[1].geojson = "https://example.org/world.json"
    with pytest.raises(ValueError, match="unknown address"):
        embed_shapes(named)
