"""Dataset text is shown as text everywhere it reaches: figures (and so the SVG export), Markdown notes,
cards, CSV. The dataset is valid; its names, titles, periods, publishers and events carry payloads."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest

from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import load_frames
from lib.export.layout import export_figure
from tests.payloads import MARKERS, write_hostile

RAW_MARKUP = re.compile(r"<\s*(a|img|script|span|iframe)\b", re.I)
PAYLOAD_MARKUP = re.compile(r"<\s*(a|img|script|iframe)\b", re.I)  # the printed title has our own <span>


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return load_frames(write_hostile(tmp_path_factory.mktemp("hostile") / "provinces.yaml"))


def _specs(frames, boundaries: str, lang: str):
    units = F.preset_units(frames.units, "founding", boundaries)
    state = F.FilterState(boundaries=boundaries, units=units, years=(2016, 2026), indicator="dti_score", lang=lang)
    vobs, _ = boundary_observations(frames, boundaries)
    ranking, _, year = views.ranking_spec(vobs, frames, state)
    specs = [ranking, views.map_spec(vobs, frames, state, year), views.movement_spec(vobs, frames, state)]
    specs += views.compare_specs(vobs, frames, state) + views.timeline_specs(vobs, frames, state)
    sub = views.subindex_spec(vobs, frames, state)
    specs += [sub] if sub else []
    specs.append(views.scatter_spec(vobs, frames, state, "dti_score", "dti_rank", 2022)[0])
    return specs, vobs, state


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif hasattr(obj, "tolist"):
        yield from _strings(obj.tolist())


@pytest.mark.parametrize("boundaries, lang", [("63", "vi"), ("63", "en"), ("34", "vi")])
def test_no_figure_carries_live_markup(hostile, boundaries, lang):
    specs, _, _ = _specs(hostile, boundaries, lang)
    seen_escaped = False
    for spec in specs:
        texts = list(_strings(spec.figure.to_plotly_json()))
        bad = [s for s in texts if RAW_MARKUP.search(s)]
        assert not bad, (spec.key, bad[:2])
        seen_escaped |= any("&lt;img" in s or "&lt;a href" in s for s in texts)
        # The spec's title and source line are plain text (the payload verbatim); the printed chart escapes them.
        printed = [s for s in _strings(export_figure(spec, lang).to_plotly_json()) if PAYLOAD_MARKUP.search(s)]
        assert not printed, (spec.key, printed[:2])
    assert seen_escaped  # the payload is there, as text


def test_markdown_notes_and_cards_are_escaped(hostile):
    state = F.FilterState("34", ["quang-tri-2025"], (2016, 2022), "dti_score", "vi")
    vobs, status = boundary_observations(hostile, "34")
    notes = views.merger_notes(hostile, state) + views.not_combinable_notes(status, hostile, state)
    assert notes
    for note in notes:
        assert not re.search(r"(?<!\\)[<>\[\]]", note), note  # every tag or link bracket escaped
        assert "\\<img" in note


def test_csv_download_neutralises_a_formula_from_the_dataset(hostile):
    from lib.tables import csv_bytes

    state = F.FilterState("63", ["quang-tri"], (2022, 2022), "dti_score", "vi")
    vobs, _ = boundary_observations(hostile, "63")
    table = views.data_table(vobs, hostile, state)
    text = csv_bytes(table, views.sources_table(vobs, hostile, state)).decode("utf-8-sig")
    assert "'=HYPERLINK(" in text and ',=HYPERLINK(' not in text and '"=HYPERLINK(' not in text


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="/usr/bin/chromium is not installed")
def test_the_svg_export_has_no_link_or_image_from_the_dataset(hostile):
    from lib.export import export_available, to_svg

    ok, why = export_available()
    assert ok, why
    specs, _, _ = _specs(hostile, "63", "vi")
    for spec in specs[:2]:  # the ranking (names as ticks) and the map (names in hovers, sources)
        svg = to_svg(spec, "vi").decode("utf-8")
        root = ET.fromstring(svg)
        tags = {el.tag.split("}")[-1] for el in root.iter()}
        assert "image" not in tags and "script" not in tags and "foreignObject" not in tags
        hrefs = [v for el in root.iter() for k, v in el.attrib.items() if k.endswith("href")]
        assert not any(m in h for h in hrefs for m in MARKERS), hrefs
    # The name is there, as text: "<img …>" drawn as characters.
    assert "Quảng Trị &#60;img src='http://127.0.0.1:9/evil-img.png'&#62;" in to_svg(specs[0], "vi").decode("utf-8")
