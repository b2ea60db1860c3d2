"""The province profile (pages/ho-so-tinh.py, lib/views/profile.py): every unit of both views through AppTest, the
generated sentences against numbers computed here, links, and the printed brief."""

from __future__ import annotations

import io
import shutil
import subprocess

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import filters as F
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.navigation import page_by_name
from lib.views import profile as P
from lib.views import profile_headline as H
from tests.conftest import APP

DTI = "dti_score"


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


def _state(frames, view: str, lang: str = "vi") -> F.FilterState:
    return F.FilterState(view, [], F.year_bounds(frames), DTI, lang)


def _expected_position(table: pd.DataFrame, unit: str, year: int) -> tuple[int, int, bool]:
    """Position by value computed here without lib code: 1 + the number of units with a higher value."""
    col = table[table["year"] == year].set_index("unit")["value"]
    v = col[unit]
    return int((col > v).sum()) + 1, len(col), int((col == v).sum()) > 1


def _dti(vobs: pd.DataFrame, view: str) -> pd.DataFrame:
    basis = 63 if view == "63" else 34
    rows = vobs[(vobs["indicator"] == DTI) & (vobs["basis"].isna() | (vobs["basis"] == basis))]
    return rows.sort_values("as_of").groupby(["unit", "year"], as_index=False).tail(1)


# --- Sentences against numbers computed here ---------------------------------------------------------------------


def test_quang_tri_sentence_computed_independently(real):
    vobs, _ = boundary_observations(real, "63")
    rows = _dti(vobs, "63")
    pos, n, shared = _expected_position(rows, "quang-tri", 2024)
    v24 = rows[(rows.unit == "quang-tri") & (rows.year == 2024)]["value"].item()
    v23 = rows[(rows.unit == "quang-tri") & (rows.year == 2023)]["value"].item()
    wide = rows.pivot_table(index="unit", columns="year", values="value")
    rises = (wide[2024] - wide[2023]).dropna()
    order = int((rises > v24 - v23).sum()) + 1
    h = P.headline(vobs, real, _state(real, "63", "en"), "quang-tri")
    assert (h.position, h.n, h.shared) == (pos, n, shared) == (41, 63, False)
    lines = P.sentences(h, real, "en", "Quảng Trị")
    rank_words = "the largest rise" if order == 1 else f"the {H.ordinal(order, 'en')} largest rise"
    diff = f"{v24 - v23:.4f}".rstrip("0")
    assert lines[0] == f"Quảng Trị: DTI 2024 {v24:.4f}".rstrip("0") + f", 41st of 63 by value; up {diff} since 2023, " \
                       f"{rank_words}."
    # No published rank for Quảng Trị 2024 on 63: the sentence says so and never passes a position off as one.
    assert "printed no rank" in lines[-1]


def test_a_tie_is_shared_and_the_next_place_skipped(real):
    vobs, _ = boundary_observations(real, "63")
    vobs = vobs.copy()
    pick = (vobs["indicator"] == DTI) & (vobs["year"] == 2024)
    qt = vobs.loc[pick & (vobs["unit"] == "quang-tri"), "value"].item()
    vobs.loc[pick & (vobs["unit"] == "quang-binh"), "value"] = qt  # synthetic: two units tied
    rows = _dti(vobs, "63")
    pos, n, shared = _expected_position(rows, "quang-tri", 2024)
    h = P.headline(vobs, real, _state(real, "63", "en"), "quang-binh")
    assert shared and (h.position, h.n, h.shared) == (pos, n, True)
    assert f"shared {H.ordinal(pos, 'en')} of 63 by value" in P.sentences(h, real, "en", "Quảng Bình")[0]
    vi = P.sentences(P.headline(vobs, real, _state(real, "63", "vi"), "quang-tri"), real, "vi", "Quảng Trị")[0]
    assert f"đồng hạng thứ {pos}/63 theo giá trị" in vi
    below = rows[(rows.year == 2024) & (rows.value < qt)].sort_values("value").iloc[-1]["unit"]
    assert P.headline(vobs, real, _state(real, "63"), below).position == pos + 2  # 41, 41, 43


def test_a_unit_with_a_single_year_says_so(real):
    vobs, _ = boundary_observations(real, "34")
    rows = _dti(vobs, "34")
    pos, n, _ = _expected_position(rows, "quang-tri-2025", 2024)
    h = P.headline(vobs, real, _state(real, "34", "en"), "quang-tri-2025")
    assert h.prev_year is None and (h.position, h.n) == (pos, n) == (33, 34)
    lines = P.sentences(h, real, "en", "Quảng Trị")
    assert lines[0].startswith("Quảng Trị: DTI 2024 0.5858, 33rd of 34 by value. Only 2024 is available")
    assert lines[-1] == "Published rank 2024: 33/34."  # printed by the ministry, said as such


def test_ordinals():
    assert [H.ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 41, 63)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "41st", "63rd"]


# --- Every unit, both views ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["63", "34"])
def test_every_unit_has_a_profile_with_no_empty_section(real, view):
    """The profile of each of the 63 and 34 units: a headline, sentences, and no section without rows."""
    vobs, _ = boundary_observations(real, view)
    codes = list(F.units_for_boundaries(real.units, view)["code"])
    assert len(codes) == int(view)
    for code in codes:
        prof = P.build_profile(vobs, real, _state(real, view), code)
        assert prof.headline is not None and prof.sentences, code
        for table in (prof.others, prof.preds, prof.events, prof.sub.table if prof.sub else pd.DataFrame()):
            assert table.empty or len(table.columns) > 1, code
        if view == "34":
            assert [f[0] for f in prof.facts][:1] == ["Diện tích tự nhiên"], code


def _profile_app(view: str, unit: str, lang: str = "vi") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in {"view": view, "unit": unit, "lang": lang}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page_by_name("profile").file).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("view", ["63", "34"])
def test_apptest_visits_every_unit(real, view):
    """One AppTest per view; the unit switched with the page's own picker: no exception, no empty section
    (every header drawn is followed by content), and the link carries the unit."""
    codes = list(F.units_for_boundaries(real.units, view)["code"])
    at = _profile_app(view, codes[0])
    key = f"profile_pick_{view}_vi"
    for code in codes:
        at.selectbox(key=key).set_value(code).run()
        assert not at.exception, (code, [e.value for e in at.exception])
        q = at.query_params["unit"]
        assert (q[-1] if isinstance(q, list) else q) == code
        labels = [m.label for m in at.metric]
        assert any("Vị trí theo giá trị" in lab for lab in labels), code
        assert all(not d.value.empty for d in at.dataframe), code


def test_old_links_of_other_pages_keep_working(real):
    """A link without `unit` (every link made before the profile) reads as before, and `unit` is only
    written when set; a unit of the other view is refused, named, and the profile falls back."""
    state, problems = F.parse_query({"view": "34", "units": "quang-tri-2025", "lang": "en"}, real)
    assert problems == [] and state.unit == "" and "unit" not in F.to_query(state)
    state, problems = F.parse_query({"view": "34", "unit": "quang-tri"}, real)
    assert problems == ["unit=quang-tri"] and state.unit == ""
    assert P.profile_unit(real, state) == "quang-tri-2025"  # the first selected unit of the view
    state, _ = F.parse_query({"view": "63", "unit": "quang-tri"}, real)
    assert F.to_query(state)["unit"] == "quang-tri"


# --- The brief ----------------------------------------------------------------------------------------------------

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


@needs_pdftotext
@pytest.mark.parametrize(("view", "unit", "lang", "value", "position"),
                         [("63", "quang-tri", "vi", "0,677", "41/63"), ("34", "quang-tri-2025", "en", "0.5858", "33/34")])
def test_brief_pdf_is_at_most_two_a4_pages_and_says_the_numbers(real, view, unit, lang, value, position):
    from pypdf import PdfReader

    from lib.export.brief import build_brief_pdf

    vobs, _ = boundary_observations(real, view)
    state = _state(real, view, lang)
    prof = P.build_profile(vobs, real, state, unit)
    pdf = build_brief_pdf(prof, P.neighbour_spec(vobs, real, state, unit), title="T", subtitle="S",
                          generated="03/12/2026", lang=lang)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:  # A4 portrait: 595 × 842 pt
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    assert "Quảng Trị" in text and value in text and position in text


def test_brief_pptx_has_the_same_content(real):
    from pptx import Presentation

    from lib.export.brief import build_brief_pptx

    vobs, _ = boundary_observations(real, "63")
    state = _state(real, "63")
    prof = P.build_profile(vobs, real, state, "quang-tri")
    data = build_brief_pptx(prof, P.neighbour_spec(vobs, real, state, "quang-tri"), title="T", subtitle="S",
                            generated="03/12/2026", lang="vi")
    prs = Presentation(io.BytesIO(data))
    texts = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    cells = " ".join(c.text for s in prs.slides for sh in s.shapes if sh.has_table
                     for row in sh.table.rows for c in row.cells)
    assert prof.sentences[0] in texts and "41/63" in cells and "0,677" in cells
    for slide in prs.slides:  # every picture at least 60 % of the slide's width
        for sh in slide.shapes:
            if sh.shape_type == 13:
                assert sh.width >= 0.6 * prs.slide_width


def test_other_indicators_say_their_period_in_the_readers_language(real):
    """Quảng Trị (34): the community digital-technology teams are of "Quý I/2026 (họp)"; in English that is
    "Q1 2026 (meeting)", never the Vietnamese words."""
    vobs, _ = boundary_observations(real, "34")
    en = P.other_indicators(vobs, real, _state(real, "34", "en"), "quang-tri-2025")["As of"].tolist()
    vi = P.other_indicators(vobs, real, _state(real, "34", "vi"), "quang-tri-2025")["Thời điểm"].tolist()
    assert "Quý I/2026 (họp)" in vi and "Q1 2026 (meeting)" in en
    assert not any("Quý" in w for w in en)
