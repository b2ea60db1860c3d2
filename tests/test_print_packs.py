"""The briefing packs in print, read back from the files: every chart at least 60 % of its page's or slide's
width (a long ranking split into parts), each with its numbers as a table and a sentence of what it shows,
sources as one numbered list, and each page's pack its own file name."""

from __future__ import annotations

import io
import re

import pytest

from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.export import packs, render
from lib.export import printing as layout


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


def _overview_specs(real, lang):
    state = F.default_state(real, lang)
    vobs, _ = boundary_observations(real, "63")
    _, ranking, _, year = views.overview_ranking(vobs, real, state)
    specs = [ranking, views.map_spec(vobs, real, state, year), views.movement_spec(vobs, real, state)]
    specs += views.compare_specs(vobs, real, state)
    return specs, {**views.pack_texts(specs, real, state), "generated": "03/12/2026", "lang": lang}


def _pdf_images(data: bytes) -> list[tuple[float, float]]:
    """(image width, page width) in pt of every image placed in the PDF (fpdf2: `q W 0 0 H X Y cm /I1 Do Q`)."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        content = page.get_contents().get_data().decode("latin-1")
        for w in re.findall(r"([\d.]+) 0 0 [\d.]+ [\d.]+ [\d.]+ cm /I\w+ Do", content):
            out.append((float(w), float(page.mediabox.width)))
    return out


def test_a_63_row_ranking_is_split_into_legible_parts(real):
    specs, _ = _overview_specs(real, "vi")
    parts = layout.print_parts(specs[0], "vi")
    assert len(parts) == 5 and sum(len(p.figure.data[0].y) for p in parts) == 63
    assert all(len(p.figure.data[0].y) <= layout.PART_ROWS for p in parts)
    assert [p.title.rsplit("· ", 1)[1] for p in parts] == [f"phần {i}/5" for i in range(1, 6)]
    # each part's table holds its own rows: position · name, value
    assert parts[3].table[1][1][0].startswith("41 · Quảng Trị") and parts[3].table[1][1][1] == "0,677 ○"  # ○: medium confidence, as on the chart
    for p in parts:  # print fonts: nothing under 12 px, so 11·P/W ≥ 9 pt at the printed width
        assert p.figure.layout.yaxis.tickfont.size >= layout.PRINT_FONT


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_chart_is_at_least_60_percent_of_its_page_or_slide(real, lang):
    """Read from the files. The images are the real renders in one language (a browser is needed) and the
    placeholders in the other (their proportions differ: the layout must hold for both)."""
    from pptx import Presentation

    specs, kw = _overview_specs(real, lang)
    with pytest.MonkeyPatch.context() as mp:
        if lang == "en":
            mp.setattr(render, "RENDERER", render.Renderer(browser=lambda: None))
        pptx, pdf = packs.build_pptx(specs, **kw), packs.build_pdf(specs, **kw)
    prs = Presentation(io.BytesIO(pptx))
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    n_parts = sum(len(layout.print_parts(s, lang)) for s in specs)
    assert len(pictures) == n_parts > len(specs)  # the ranking and the heatmap split into parts
    assert all(p.width >= 0.6 * prs.slide_width for p in pictures)
    images = _pdf_images(pdf)
    assert len(images) == n_parts
    assert all(w >= 0.6 * page_w for w, page_w in images), images
    texts = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert all(s.message and s.message in texts for s in specs)  # one sentence per chart
    tables = [sh for s in prs.slides for sh in s.shapes if sh.has_table]
    assert len(tables) >= len(specs)  # each chart's numbers


def test_sources_are_one_numbered_list_and_no_text_is_justified(real):
    """Sources numbered 1..n in one list; no text block is justified (fpdf2's multi_cell justifies unless told
    otherwise: every call is recorded and its alignment checked)."""
    import subprocess

    from fpdf import FPDF

    specs, kw = _overview_specs(real, "vi")
    aligns = []
    original = FPDF.multi_cell

    def recording(self, *a, **k):
        aligns.append(k.get("align", a[3] if len(a) > 3 else "J"))
        return original(self, *a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render, "RENDERER", render.Renderer(browser=lambda: None))
        mp.setattr(FPDF, "multi_cell", recording)
        pdf = packs.build_pdf(specs, **kw)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    text = text.decode("utf-8")
    n = len([s for s in kw["sources"] if s.strip()])
    assert n > 3 and all(re.search(rf"^\s*{i}\. ", text, re.M) for i in range(1, n + 1))
    assert aligns and "J" not in [str(a).upper()[:1] for a in aligns], aligns


def test_each_page_pack_has_its_own_file_name():
    from lib.downloads import pack_stem

    stems = {k: pack_stem(k, "Quảng Trị · 2016–2025", "vi") for k in ("overview", "compare", "timeline")}
    assert len(set(stems.values())) == 3
    assert stems["overview"].startswith("bao-cao-tom-tat_tong-quan")
