"""Tests for lib/export/: image files, the HTML file, the briefing pack and the kaleido lock."""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib import export as ex  # noqa: E402
from lib.export import render  # noqa: E402
from lib.i18n import t  # noqa: E402

TITLE = "Tỷ lệ DVCTT mức độ 4 (%) — 2020–2024"
SOURCE = "Bộ Thông tin và Truyền thông, https://dti.gov.vn"
HAS_CHROMIUM = os.path.exists("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="/usr/bin/chromium is not installed: no image export")


def make_spec(key: str = "overview-trend", offset: int = 0) -> ex.ChartSpec:
    fig = go.Figure()
    for i, name in enumerate(["Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Hà Tĩnh"]):
        fig.add_scatter(x=[2020, 2021, 2022, 2023, 2024], y=[10 + 5 * i + 8 * k + offset for k in range(5)],
                        name=name)
    fig.update_layout(
        title=TITLE,
        annotations=[dict(text=f"Nguồn: {SOURCE}", xref="paper", yref="paper", x=0, y=-0.2, showarrow=False)],
    )
    return ex.ChartSpec(
        key=key,
        figure=fig,
        title=TITLE,
        filename_stem="ty-le-dvctt-muc-do-4_4-tinh_2020-2024",
        filters="Tỉnh: Quảng Trị, Thừa Thiên Huế, Đà Nẵng, Hà Tĩnh · 2020–2024",
        source=SOURCE,
        as_of="31/12/2024",
        notes="Nguồn: https://dti.gov.vn (truy cập 12/03/2025). Số liệu 2024 của Hà Tĩnh là ước tính.",
    )


PACK_KW = dict(title="Chính quyền số cấp tỉnh", subtitle="4 tỉnh · 2020–2024", generated="05/06/2025",
               sources=[SOURCE, "Cổng Dịch vụ công quốc gia, https://dichvucong.gov.vn"], lang="vi")


@pytest.fixture(scope="module")
def kaleido_ready():
    ok, reason = ex.export_available()
    assert ok, reason


# ---- pure -----------------------------------------------------------------------------------------------------------


def test_safe_filename_examples():
    assert ex.safe_filename("Tỷ lệ DVCTT mức độ 4", "4 tỉnh", "2020-2024", ext="png") == \
        "ty-le-dvctt-muc-do-4_4-tinh_2020-2024.png"
    assert ex.safe_filename("Đắk Lắk — ĐỒNG THÁP", ext="pdf") == "dak-lak-dong-thap.pdf"
    assert ex.safe_filename("ty-le_4-tinh", ext="svg") == "ty-le_4-tinh.svg"  # an existing stem is kept
    assert ex.safe_filename("", "  ", ext="png") == "chart.png"
    assert ex.safe_filename("Bà Rịa – Vũng Tàu", ext="").isascii()


def test_plotly_config_uses_stem_and_scale():
    cfg = ex.plotly_config(make_spec())
    assert cfg["toImageButtonOptions"]["filename"] == "ty-le-dvctt-muc-do-4_4-tinh_2020-2024"
    assert cfg["toImageButtonOptions"]["scale"] == 2
    assert cfg["displaylogo"] is False


def test_export_figure_does_not_mutate_and_carries_all_four():
    spec = make_spec()
    before = spec.figure.to_json()
    fig = ex.export_figure(spec, "vi")
    assert spec.figure.to_json() == before
    assert fig is not spec.figure
    layout = fig.layout
    assert (layout.width, layout.height) == (ex.EXPORT_WIDTH, ex.EXPORT_HEIGHT)
    assert layout.paper_bgcolor == "white"
    assert TITLE in layout.title.text and "Quảng Trị" in layout.title.text  # title + filters line
    footer = " ".join(a.text for a in layout.annotations)
    assert "dti.gov.vn" in footer and "31/12/2024" in footer
    assert sum("Nguồn" in a.text for a in layout.annotations) == 1  # the on-screen source line was replaced


def test_html_is_self_contained():
    page = ex.to_html(make_spec(), "vi").decode("utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)  # plotly.js is inlined
    assert "Plotly.newPlot" in page or "Plotly.react" in page
    assert "Thừa Thiên Huế" in page or "Th\\u1eeba Thi\\u00ean Hu\\u1ebf" in page  # the trace data
    assert '<html lang="vi">' in page


def test_pack_without_browser_uses_placeholders(monkeypatch):
    """No Chromium: the pack still builds, and a reader sees every title, note and source, and in place of
    each chart the placeholder image that says it could not be rendered (its alt text says so too)."""
    from pptx import Presentation

    monkeypatch.setattr(render, "RENDERER", render.Renderer(browser=lambda: None))
    ok, reason = ex.export_available()
    assert (ok, reason) == (False, render.NO_BROWSER)
    spec = make_spec()
    title, chart, sources = Presentation(io.BytesIO(ex.build_pptx([spec], **PACK_KW))).slides
    assert title.shapes.title.text == PACK_KW["title"]
    assert title.placeholders[1].text_frame.text == "4 tỉnh · 2020–2024\nNgày tạo: 05/06/2025"
    assert chart.shapes.title.text == TITLE
    (picture,) = [sh for sh in chart.shapes if sh.shape_type == 13]
    assert picture.image.blob == ex.placeholder_png(spec, "vi", scale=ex.EXPORT_SCALE)
    assert picture._element.nvPicPr.cNvPr.get("descr") == f"{TITLE}. {t('export_failed', 'vi')}"
    assert chart.notes_slide.notes_text_frame.text == (
        "Bộ lọc: Tỉnh: Quảng Trị, Thừa Thiên Huế, Đà Nẵng, Hà Tĩnh · 2020–2024\n"
        f"Nguồn: {SOURCE}\nSố liệu tính đến: 31/12/2024\n\nGhi chú:\n{spec.notes}")
    assert sources.shapes.title.text == t("export_sources", "vi")
    (box,) = [sh for sh in sources.shapes if sh.has_text_frame and sh != sources.shapes.title]
    # one numbered list (issue 22: the sources a compact numbered list at the end)
    assert box.text_frame.text == f"1. {SOURCE}\n2. Cổng Dịch vụ công quốc gia, https://dichvucong.gov.vn"


# ---- kaleido ------------------------------------------------------------------------------------------------------


@needs_chromium
def test_png_has_print_size(kaleido_ready):
    from PIL import Image

    img = Image.open(io.BytesIO(ex.to_png(make_spec(), "vi", scale=2)))
    assert img.format == "PNG"
    assert img.size == (ex.EXPORT_WIDTH * 2, ex.EXPORT_HEIGHT * 2)


@needs_chromium
def test_svg_keeps_vietnamese_title_as_text(kaleido_ready):
    svg = ex.to_svg(make_spec(), "en")
    root = ET.fromstring(svg)  # also proves the XML is well formed; entities are decoded by the parser
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(TITLE in t for t in texts), texts[:5]
    assert any("Source: " in t for t in texts)


@needs_chromium
def test_pptx_slides_and_notes(kaleido_ready):
    from pptx import Presentation

    specs = [make_spec(f"c{i}", i) for i in range(2)]
    prs = Presentation(io.BytesIO(ex.build_pptx(specs, **PACK_KW)))
    slides = list(prs.slides)
    assert len(slides) == 1 + 2 + 1
    assert slides[0].shapes.title.text == "Chính quyền số cấp tỉnh"
    for slide in slides[1:3]:
        assert slide.shapes.title.text == TITLE
        assert any(sh.shape_type == 13 for sh in slide.shapes)  # a picture
        notes = slide.notes_slide.notes_text_frame.text
        assert SOURCE in notes and "31/12/2024" in notes
    assert "dichvucong.gov.vn" in " ".join(sh.text_frame.text for sh in slides[-1].shapes if sh.has_text_frame)


@needs_chromium
def test_pdf_page_count_and_text(kaleido_ready):
    from pypdf import PdfReader

    specs = [make_spec(f"c{i}", i) for i in range(2)]
    long_sources = [f"Nguồn {i}: Sở Thông tin và Truyền thông, https://example.gov.vn/{i}" for i in range(60)]
    short = PdfReader(io.BytesIO(ex.build_pdf(specs, **PACK_KW)))
    assert len(short.pages) == 1 + 2 + 1
    assert "Quảng Trị" in short.pages[1].extract_text()
    long = PdfReader(io.BytesIO(ex.build_pdf(specs, **{**PACK_KW, "sources": long_sources})))
    assert len(long.pages) > 4  # the sources continue on more pages


@needs_chromium
def test_concurrent_exports_get_their_own_image(kaleido_ready):
    """Kaleido's server returns results in queue order; without the lock threads receive each other's images."""
    from PIL import Image

    spec = make_spec()
    sizes: dict[tuple[int, int], list[tuple[int, int]]] = {}
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            for k in range(3):
                w = 300 + 40 * (3 * t + k)
                png = ex.to_png(spec, "vi", scale=1, width=w, height=200)
                sizes[(t, k)] = [(w, 200), Image.open(io.BytesIO(png)).size]
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors
    assert len(sizes) == 12
    assert all(want == got for want, got in sizes.values()), sizes


@needs_chromium
@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed (optional)")
def test_pptx_opens_in_libreoffice(kaleido_ready, tmp_path):
    """The briefing pack opens in LibreOffice: converting it to PDF gives one page per slide."""
    import subprocess

    from pypdf import PdfReader

    pptx = tmp_path / "pack.pptx"
    pptx.write_bytes(ex.build_pptx([make_spec("lo", 0)], **PACK_KW))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(pptx)],
                   check=True, capture_output=True, timeout=120)
    assert len(PdfReader(tmp_path / "pack.pdf").pages) == 3


@needs_chromium
def test_a_tall_chart_png_is_the_size_its_help_text_says(kaleido_ready):
    """The 63-province ranking is taller than a slide: the PNG's real size is what the button says."""
    from PIL import Image

    fig = go.Figure(go.Bar(x=list(range(63)), y=[f"Tỉnh {i}" for i in range(63)], orientation="h"))
    fig.update_layout(height=22 * 63 + 150)
    spec = ex.ChartSpec(key="overview-ranking", figure=fig, title=TITLE, filename_stem="xep-hang",
                        filters="63 tỉnh", source=SOURCE, as_of="2024", notes="")
    img = Image.open(io.BytesIO(ex.to_png(spec, "vi")))
    assert img.size == ex.export_size(spec) == (2400, 2 * (22 * 63 + 150 + 120))


# --- One registry of download formats (lib/export/formats.py) ------------------------------------------------------


def test_every_download_format_speaks_both_languages():
    from lib.export.formats import FORMATS
    from lib.i18n import LANGS, STRINGS

    for name, f in FORMATS.items():
        for key in (f.label, f.help):
            assert key is None or all(STRINGS[key].get(lang) for lang in LANGS), (name, key)
        assert f.mime and f.ext and f.icon.startswith(":material/"), name


def test_every_download_button_comes_from_the_registry():
    """No page or block draws its own st.download_button: lib.downloads.download is the one place."""
    root = Path(__file__).resolve().parents[1]
    files = [root / "app.py", *(root / "pages").glob("*.py"), *(root / "lib").rglob("*.py")]
    own = [str(f.relative_to(root)) for f in files if "download_button(" in f.read_text(encoding="utf-8")]
    assert own == ["lib/downloads.py"]


def test_file_names_follow_the_language():
    from lib import filters as F
    from lib.export.formats import file_name, file_stem
    from lib.views.sources import data_file_stem

    vi = F.FilterState("63", ["quang-tri", "lang-son"], (2016, 2025), "dti_score", "vi")
    en = F.FilterState("63", ["quang-tri", "lang-son"], (2016, 2025), "dti_score", "en")
    assert file_name(data_file_stem(vi), "csv") == "du-lieu_2-tinh_2016-2025.csv"
    assert file_name(data_file_stem(en), "xlsx") == "data_2-units_2016-2025.xlsx"
    assert file_name(file_stem("brief", "en", "Quảng Trị", "34"), "brief-pdf") == "brief_quang-tri_34.pdf"
    assert file_name(file_stem("brief", "vi", "Quảng Trị", "34"), "brief-pptx") == "ban-tom-tat_quang-tri_34.pptx"


def _legend_and_footer(svg: str) -> tuple[float, float, float, float]:
    """(the lowest x tick label's bottom, the legend's top, its bottom, the footer's top) in a printed SVG, px."""
    legend = re.search(r'<g class="legend"[^>]*transform="translate\(([\d.]+),\s?([\d.]+)\)">'
                       r'<rect class="bg"[^>]*height="([\d.]+)"', svg)
    assert legend, "no legend printed"
    top, height = float(legend.group(2)), float(legend.group(3))
    ticks = [float(y) for y in re.findall(r'<g class="x\d*tick"><text[^>]*? y="([\d.]+)"', svg)]
    assert ticks, "no x axis labels found"
    notes = [float(m.group(1)) for m in re.finditer(
        r'<g class="cursor-pointer" transform="translate\([\d.]+,([\d.]+)\)"><rect class="bg"[^>]*/>'
        r'<text class="annotation-text"[^>]*>.{0,400}?(?:Nguồn|Source)', svg, re.S)]
    assert notes, "no footer with the source printed"
    return max(ticks) + 4, top, top + height, min(notes)  # a label's y is its baseline


@needs_chromium
def test_a_printed_legend_sits_between_the_axis_and_the_footer(kaleido_ready, real):
    """The movement chart of four provinces printed at the PDF's width: its legend wraps to several rows, and
    none of them may print over the source line below (it did) or over the title above (it did, before that)."""
    from lib import filters as F
    from lib import views
    from lib.combine import boundary_observations
    from lib.export.printing import PDF_PRINT_WIDTH, PRINT_MAX_HEIGHT

    vobs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-tri", "quang-binh", "lang-son", "quang-nam"], (2014, 2026), "dti_score", "vi")
    from lib.export.printing import print_parts

    specs = [views.movement_spec(vobs, real, state), views.timeline_specs(vobs, real, state)[0],
             # as a pack prints it: its last tilted label made Plotly widen the margin, the labels turned
             # upright, the legend rewrapped to three rows and printed over the source line
             print_parts(views.subindex_spec(vobs, real, replace(state, years=(2016, 2026))), "vi")[0]]
    for spec in specs:
        for width in (PDF_PRINT_WIDTH, ex.EXPORT_WIDTH):
            svg = ex.to_svg(spec, "vi", width=width, height=PRINT_MAX_HEIGHT).decode()
            axis_bottom, legend_top, legend_bottom, footer_top = _legend_and_footer(svg)
            where = f"{spec.key} at {width} px"
            assert axis_bottom <= legend_top, f"{where}: the legend ({legend_top}) covers the x axis ({axis_bottom})"
            assert legend_bottom <= footer_top, f"{where}: the legend ends at {legend_bottom}, the footer starts " \
                                                f"at {footer_top}"


def test_a_printed_numbers_table_says_how_many_rows_it_leaves_out(real):
    """Four provinces over three years are twelve values; the page beside the chart holds eight, and the fourth
    province must not look as if it had no data."""
    from lib import filters as F
    from lib import views
    from lib.combine import boundary_observations

    vobs, _ = boundary_observations(real, "63")
    units = ["quang-tri", "quang-binh", "lang-son", "quang-nam"]
    for lang, more in (("vi", "… và 4 dòng nữa"), ("en", "… and 4 more rows")):
        state = F.FilterState("63", units, (2014, 2026), "dti_score", lang)
        header, rows = views.movement_spec(vobs, real, state).numbers
        assert len(rows) == views.PRINT_TABLE_ROWS + 1
        assert rows[-1][0].startswith(more) and rows[-1][1:] == ("", "")
        state = F.FilterState("63", units[:2], (2014, 2026), "dti_score", lang)
        header, rows = views.movement_spec(vobs, real, state).numbers
        assert len(rows) == 6 and not any("…" in r[0] for r in rows)  # all there: nothing to say


def test_the_printed_timeline_keeps_room_for_its_lanes(real):
    """The timeline with its milestone lanes, as a pack prints it: the page's whole width, its dozen legend
    entries beside the plot, the lanes' names on two lines. Printed at 60 % of the width with the legend below,
    the plot was squeezed to nothing and the lanes, labels and footer printed over each other (2026-12-04)."""
    from lib import filters as F
    from lib import views
    from lib.combine import boundary_observations
    from lib.export.layout import export_figure
    from lib.export.printing import PDF_WIDE_WIDTH, PRINT_MAX_HEIGHT, print_parts, print_wide

    vobs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-tri", "quang-binh", "lang-son", "quang-nam"], (2014, 2026), "dti_score", "vi")
    spec = views.timeline_specs(vobs, real, state)[0]
    assert print_wide(spec)
    (part,) = print_parts(spec, "vi")
    fig = export_figure(part, "vi", width=PDF_WIDE_WIDTH, height=PRINT_MAX_HEIGHT)
    assert fig.layout.legend.orientation == "v" and fig.layout.legend.x > 1
    plot_h = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert plot_h >= 0.5 * fig.layout.height, (fig.layout.height, fig.layout.margin)
    assert fig.layout.margin.l < 200  # "Quảng Bình<br>(trước 7/2025)" measured by its longer line (was 237 px)


def test_every_printed_part_of_the_heatmap_draws_its_cells(real):
    """The 34 view's heatmap of four units prints in four parts; the first two hold no coloured cell (values of
    another year, or nothing to compare), which Plotly draws as an empty box: there a grey layer draws the
    cells and their words. Every row name fits two printed lines."""
    from lib import filters as F
    from lib import views
    from lib.combine import boundary_observations
    from lib.export.printing import print_parts

    vobs, _ = boundary_observations(real, "34")
    state = F.FilterState("34", ["quang-tri-2025", "da-nang-2025", "lang-son", "hue"], (2016, 2026), "dti_score",
                          "en")
    parts = print_parts(views.compare_specs(vobs, real, state)[1], "en")
    assert len(parts) >= 3
    bare = 0
    for part in parts:
        heat = part.figure.data[0]
        coloured = any(v is not None for row in heat.z for v in row)
        layers = [tr for tr in part.figure.data[1:] if tr.type == "heatmap"]
        if not coloured:
            bare += 1
            (grey,) = layers
            assert list(grey.y) == list(heat.y) and list(map(list, grey.text)) == list(map(list, heat.text))
            assert all(v == 0 for row in grey.z for v in row) and grey.showscale is False
        else:
            assert layers == []
        assert all(y.count("<br>") <= 1 for y in heat.y), heat.y
    assert bare >= 1  # the case this test is about is in the shipped data
