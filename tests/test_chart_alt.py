"""Issue 23, point 7: a text alternative per chart — on the page for screen readers, in the SVG (<title>,
<desc>) and the PNG (iTXt), generated from the values drawn: what is drawn, the extremes, the selected units."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib

import pytest

from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.export.render import png_with_description, svg_with_description


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


FOUNDING = ["quang-tri", "quang-binh", "lang-son", "quang-nam"]


def test_the_ranking_is_described_with_its_extremes_and_the_selection(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", FOUNDING, (2016, 2025), "dti_score", "vi")
    _, spec, _, _ = views.overview_ranking(obs, real, state)
    alt = spec.alt
    assert alt.startswith("Biểu đồ: Chỉ số chuyển đổi số cấp tỉnh (DTI)")
    assert "63 giá trị của 63 tỉnh/đơn vị, 2024." in alt
    assert "Lớn nhất: Hồ Chí Minh (trước 7/2025) 0,8373" in alt
    assert "Các tỉnh đã chọn: Quảng Trị (trước 7/2025) 0,677 (DTI 2024); Quảng Bình" in alt
    assert "Lạng Sơn 0,748 (DTI 2024)" in alt


def test_every_chart_of_every_page_has_a_description_in_its_language(real):
    obs, _ = boundary_observations(real, "63")
    for lang, word in (("vi", "Biểu đồ: "), ("en", "Chart: ")):
        state = F.FilterState("63", FOUNDING, (2016, 2025), "dti_score", lang)
        specs = views.compare_specs(obs, real, state) + views.timeline_specs(obs, real, state)
        specs += [views.movement_spec(obs, real, state), views.overview_ranking(obs, real, state)[1]]
        for spec in specs:
            assert spec.alt.startswith(word + spec.title), (spec.key, spec.alt)
            assert len(spec.alt) > len(word + spec.title) + 5, spec.key


def test_a_rank_chart_names_places_out_of_the_total(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-tri", "lang-son"], (2016, 2025), "dti_rank", "en")
    spec = views.ranking_spec(obs, real, state)[0]
    assert "Lang Son 4/63 (DTI 2023)" in spec.alt and "13 of 63 ranks printed" in spec.alt


def _spec(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", FOUNDING, (2016, 2025), "dti_score", "vi")
    return views.overview_ranking(obs, real, state)[1]


def test_svg_carries_title_and_desc(real):
    spec = _spec(real)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="1" height="1"/></svg>'
    root = ET.fromstring(svg_with_description(svg, spec, "vi"))
    ns = "{http://www.w3.org/2000/svg}"
    assert root[0].tag == f"{ns}title" and root[0].text == spec.title
    assert root[1].tag == f"{ns}desc" and root[1].text == spec.alt
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"


def test_png_carries_the_description_as_itxt(real):
    from PIL import Image

    spec = _spec(real)
    import io

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    png = png_with_description(buf.getvalue(), spec, "vi")
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.text["Description"] == spec.alt and img.text["Title"] == spec.title
    # every chunk's CRC is right (a viewer would refuse the file otherwise)
    pos = 8
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        body = png[pos + 4:pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(body) & 0xFFFFFFFF
        pos += 12 + n
