"""Nothing internal reaches a leader: every page's text (AppTest: all pages, both languages, both boundaries,
the shared link's four provinces) and every download (CSV, Excel, the printed chart, the interactive HTML,
the PowerPoint and PDF packs) is scanned for source ids, indicator ids, unit codes, file paths, URL slugs
given as titles, curator notes, and the other language's fixed words.

Links are taken out before the scan: a URL is what a reader follows, and its path may well hold a slug.
Unit codes are checked where they hold a hyphen ("quang-tri-2025"): a one-word code such as "hue" is also
the diacritic-free spelling the search box's help offers as an example, which is meant for the reader.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.export import layout, packs, render
from lib.filters import FilterState
from lib.i18n import t
from lib.navigation import PAGES
from lib.tables import csv_bytes, xlsx_bytes
from tests.conftest import APP

FOUR = {"63": ["quang-tri", "quang-binh", "lang-son", "quang-nam"], "34": ["quang-tri-2025", "lang-son", "da-nang-2025"]}
URL = re.compile(r"https?://\S+")
PATH = re.compile(r"/work/|\bdata/|\btests/|\barticles/|\.ya?ml\b|\.py\b|\.txt\b|\.csv\b")
PHRASES = ["URL slug", "stored excerpt", "không ghi rõ / not named", "not named in the article", "headline not in"]
OTHER_LANGUAGE = {  # fixed words of one language that must not appear in the other
    "vi": [t(k, "en") for k in ("cite_publisher_not_named", "cite_article", "cite_undated", "source", "as_of")],
    "en": [t(k, "vi") for k in ("cite_publisher_not_named", "cite_article", "cite_undated", "source", "as_of")],
}
SKIP_KEYS = {"id", "formId", "data", "arrowData", "styler", "dataframeSchema", "spec", "fragmentId",
             "queryParamKey", "scriptHash", "pageScriptHash", "deltaPath"}


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


@pytest.fixture(scope="module")
def forbidden(real) -> re.Pattern:
    ids = (set(real.sources["id"]) | set(real.indicators["id"]) | set(real.events["id"])
           | {c for c in real.units["code"] if "-" in c})
    words = "|".join(sorted((re.escape(i) for i in ids), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])")


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if k not in SKIP_KEYS for s in _strings(v)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v)]
    return []


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_texts(at: AppTest) -> list[str]:
    """Every text an element of the page carries: labels, values, help, options, table cells, chart labels."""
    out: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or kind == "html":  # st.html: the page script (document language), not shown
            continue
        if kind == "arrow_data_frame":
            frame = node.value
            out += [str(c) for c in frame.columns] + [str(i) for i in frame.index]
            out += [str(v) for v in frame.to_numpy().ravel()]
        elif kind == "plotly_chart":
            out += _strings(json.loads(proto.spec))
        else:
            out += _strings(MessageToDict(proto))
    return out


def problems(texts: list[str], lang: str, forbidden: re.Pattern) -> list[str]:
    found = []
    for text in texts:
        text = URL.sub(" ", text)
        hits = forbidden.findall(text) + PATH.findall(text)
        hits += [p for p in PHRASES + OTHER_LANGUAGE[lang] if p in text]
        if hits:
            found.append(f"{hits[:3]} in {text[:120]!r}")
    return found


@pytest.mark.parametrize("boundaries", ["63", "34"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_page_shows_an_id_a_path_or_a_slug(boundaries, lang, forbidden):
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"lang": lang, "view": boundaries, "units": ",".join(FOUR[boundaries]), "years": "2016-2025",
                 "ind": "dti_score"}.items():
        at.query_params[k] = v
    at.run()
    found = []
    for p in PAGES:
        if not p.default:
            at.switch_page(p.file).run()
        assert not at.exception, [e.value for e in at.exception]
        texts = page_texts(at)
        assert len(texts) > 20, p.file  # the page drew something to scan
        found += [f"{p.file}: {f}" for f in problems(texts, lang, forbidden)]
    assert found == []


def _specs(frames, state):
    vobs, _ = boundary_observations(frames, state.boundaries)
    _, ranking, _, year = views.overview_ranking(vobs, frames, state)
    specs = [ranking, views.map_spec(vobs, frames, state, year), views.movement_spec(vobs, frames, state)]
    specs += views.compare_specs(vobs, frames, state) + views.timeline_specs(vobs, frames, state)
    sub = views.subindex_spec(vobs, frames, state)
    return vobs, specs + ([sub] if sub is not None else [])


def _pptx_texts(data: bytes) -> list[str]:
    from pptx import Presentation

    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        out += [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        out += [sh._element.xpath("string(.//p:cNvPr/@descr)") for sh in slide.shapes]  # image alt texts
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return out


def _pdf_texts(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _xlsx_texts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml")
                and ("sharedStrings" in n or "workbook" in n)]


@pytest.mark.parametrize("boundaries", ["63", "34"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_download_carries_an_id_a_path_or_a_slug(boundaries, lang, real, forbidden, monkeypatch):
    # No Chromium needed: the packs carry each chart's placeholder image (its text is the chart's title).
    monkeypatch.setattr(render, "RENDERER", render.Renderer(browser=lambda: None))
    state = FilterState(boundaries, FOUR[boundaries], (2016, 2025), "dti_score", lang)
    vobs, specs = _specs(real, state)
    table = views.data_table(vobs, real, state)
    sources = views.localise_sources(views.sources_table(vobs, real, state), lang)
    texts = [csv_bytes(table, sources).decode("utf-8-sig")] + _xlsx_texts(xlsx_bytes(table, sources, lang))
    for spec in specs:
        texts += _strings(layout.export_figure(spec, lang).to_plotly_json()["layout"])  # the printed chart
        texts.append(re.sub(r"<script.*?</script>", "", render.to_html(spec, lang).decode("utf-8"), flags=re.S))
    kw = {**views.pack_texts(specs, real, state), "generated": "22/11/2026", "lang": lang}
    texts += _pptx_texts(packs.build_pptx(specs, **kw)) + _pdf_texts(packs.build_pdf(specs, **kw))
    assert len(specs) >= 6 and len(texts) > 20
    assert problems(texts, lang, forbidden) == []


def test_the_scan_finds_what_it_looks_for(real, forbidden):
    """The scan itself can fail: a slug title, a source id, a path and the other language are each caught."""
    assert problems(["Nguồn: tuong-tac-thoi-40 (URL slug; headline not in the stored excerpt)"], "vi", forbidden)
    assert problems(["- dti_2022_table: Bộ TT&TT"], "vi", forbidden)
    assert problems(["Tệp: data/provinces.yaml"], "vi", forbidden)
    assert problems(["Nguồn: Báo Thanh Niên (undated)"], "vi", forbidden)
    assert problems(["quang-tri-2025"], "en", forbidden)
    assert not problems(["Nguồn: Báo Thanh Niên (2021) https://thanhnien.vn/thoi-su/tuong-tac-thoi-40-1378015.html"],
                        "vi", forbidden)
    assert Path(DEFAULT_PATH).exists()
