"""Nothing internal reaches a leader: every page's text (AppTest: all pages, both languages, both boundaries,
the shared link's four provinces) and every download (CSV, Excel, the printed chart as SVG and as the
interactive HTML file, the PowerPoint and PDF briefing packs) is scanned for source, indicator, event and
region ids and unit codes, file paths, URL slugs given as titles, curator notes, and the other language's
fixed words.

What counts as text a reader sees:
- a page: every string of every element (labels, values, help, options, captions, table cells and headers) and
  of every chart (layout and traces: titles, axis and tick labels, legends, hover texts, annotations);
- a chart's traces, except the keys that only join a map's shapes to its values (`locations`, `featureidkey`,
  `geojson`) and Plotly's own `ids`/`uid`: they hold unit codes on purpose and are never drawn;
- the downloads: the CSV as text; every cell and sheet name of the Excel file (openpyxl); the SVG's text
  elements (with Chromium only: kaleido draws it); the HTML file without the inlined plotly.js library,
  plus the figure its script draws; the PowerPoint's shapes, speaker notes, image alt texts and document
  properties (python-pptx); the PDF's text as `pdftotext` (poppler) extracts it, and its metadata. The PNG
  is the SVG's drawing as pixels (no text to read); the packs are built here with each chart's placeholder
  image, so no browser is needed for them.

Links are taken out before the scan: a URL is what a reader follows, and its path may well hold a slug.
Ids are matched as whole tokens (not inside a longer word or hyphenated name). Unit codes are checked where
they hold a hyphen ("quang-tri-2025"): the one one-word code, "hue", is also the diacritic-free spelling
the search box's help offers as an example of what to type, which is meant for the reader.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.export import layout, packs, render
from lib.filters import FilterState
from lib.i18n import STRINGS, t
from lib.navigation import PAGES
from lib.tables import csv_bytes, xlsx_bytes
from tests.conftest import APP

FOUR = {"63": ["quang-tri", "quang-binh", "lang-son", "quang-nam"], "34": ["quang-tri-2025", "lang-son", "da-nang-2025"]}
URL = re.compile(r"https?://\S+")
PATH = re.compile(r"/work/|/tmp/|/home/|\bdata/|\btests/|\blib/|\bpages/|\barticles/|\bresearch/"
                  r"|\.ya?ml\b|\.py\b|\.txt\b|\.csv\b|\.json\b|\.ipynb\b")
PHRASES = ["URL slug", "stored excerpt", "không ghi rõ / not named", "not named in the article", "headline not in",
           "slug"]
SKIP_KEYS = {"id", "formId", "data", "arrowData", "styler", "dataframeSchema", "spec", "fragmentId",
             "queryParamKey", "scriptHash", "pageScriptHash", "deltaPath"}  # element plumbing, never drawn
NOT_DRAWN = {"locations", "featureidkey", "geojson", "ids", "uid"}  # a figure's keys that join, never show
OTHER = {"vi": "en", "en": "vi"}


def fixed_words(lang: str) -> list[str]:
    """The fixed parts of `lang`'s UI strings that the other language's strings never contain: what each
    string says between its {placeholders}, at least two words and 12 characters long (so that a shared
    name such as "DTI" or a number format is not one). A part the dataset itself prints is not one either:
    a Vietnamese headline or quote ("Thỏa thuận hợp tác chiến lược …") is shown as printed in both languages."""
    other_texts = ("\n".join(v[OTHER[lang]] for v in STRINGS.values())
                   + Path(DEFAULT_PATH).read_text("utf-8")).casefold()
    out = {t(k, lang) for k in ("cite_publisher_not_named", "cite_undated")}  # short, and the point of the issue
    for v in STRINGS.values():
        for part in re.split(r"\{[^}]*\}", v[lang]):
            part = part.strip(" .,:;()[]·-–—«»/\n")
            if len(part) >= 12 and " " in part and part.casefold() not in other_texts:
                out.add(part)
    return sorted(out)


OTHER_LANGUAGE = {lang: fixed_words(OTHER[lang]) for lang in OTHER}  # what must not appear in `lang`


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


@pytest.fixture(scope="module")
def forbidden(real) -> re.Pattern:
    ids = (set(real.sources["id"]) | set(real.indicators["id"]) | set(real.events["id"]) | set(real.regions["id"])
           | {c for c in real.units["code"] if "-" in c}
           # the schema's enum values that are no words of the reader's (a combining rule, a kind, a publisher's)
           | {"weighted_mean", "ioc_launch", "state_media"})
    words = "|".join(sorted((re.escape(i) for i in ids), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])")


def _strings(obj, skip: set[str] = SKIP_KEYS) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if k not in skip for s in _strings(v, skip)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v, skip)]
    return []


def figure_texts(fig: dict) -> list[str]:
    """Every string a Plotly figure (its JSON) can draw: layout and traces, without the join keys."""
    return _strings({"data": fig.get("data", []), "layout": fig.get("layout", {})}, NOT_DRAWN)


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
        if kind in ("dataframe", "arrow_data_frame", "table"):  # the cells, not the Arrow bytes
            frame = node.value
            out += [str(c) for c in frame.columns] + [str(i) for i in frame.index]
            out += [str(v) for v in frame.to_numpy().ravel()]
        elif kind == "plotly_chart":
            out += figure_texts(json.loads(proto.spec))
        else:
            out += _strings(MessageToDict(proto))
    return out


def problems(texts: list[str], lang: str, forbidden: re.Pattern) -> list[str]:
    """What is wrong in `texts` shown in `lang`: ids, paths (outside links), curator phrases, the other
    language's words (these two in any case: "Không ghi rõ" is "không ghi rõ")."""
    words = [p.casefold() for p in PHRASES + OTHER_LANGUAGE[lang]]
    found = []
    for text in texts:
        text = URL.sub(" ", text)
        hits = forbidden.findall(text) + PATH.findall(text)
        low = text.casefold()
        hits += [p for p in words if p in low]
        if hits:
            found.append(f"{hits[:3]} in {text[:160]!r}")
    return found


# --- Pages ---------------------------------------------------------------------------------------------------------


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
        if p.name == "sources":  # and its tables were read cell by cell (the sources table's links)
            assert any("https://dti.gov.vn/" in s for s in texts), p.file
        found += [f"{p.file}: {f}" for f in problems(texts, lang, forbidden)]
    assert found == []


# --- Downloads -----------------------------------------------------------------------------------------------------


def _specs(frames, state):
    vobs, _ = boundary_observations(frames, state.boundaries)
    _, ranking, _, year = views.overview_ranking(vobs, frames, state)
    specs = [ranking, views.map_spec(vobs, frames, state, year), views.movement_spec(vobs, frames, state)]
    specs += views.compare_specs(vobs, frames, state) + views.timeline_specs(vobs, frames, state)
    sub = views.subindex_spec(vobs, frames, state)
    return vobs, specs + ([sub] if sub is not None else [])


def csv_texts(data: bytes) -> list[str]:
    return [data.decode("utf-8-sig")]


def xlsx_texts(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    out = list(book.sheetnames)
    for sheet in book.worksheets:
        out += [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    return out


def html_texts(data: bytes) -> list[str]:
    """The HTML file as a reader meets it: its markup without the plotly.js library, and the figure its
    script draws (the arguments of Plotly.newPlot, read back as JSON)."""
    page = data.decode("utf-8")
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    call = [s for s in scripts if "Plotly.newPlot(" in s][-1]  # the last script draws; the first is plotly.js
    rest = call[call.rindex("Plotly.newPlot(") + len("Plotly.newPlot("):]
    decoder, args, pos = json.JSONDecoder(), [], 0
    while len(args) < 4:  # the div's id, the traces, the layout, the config
        pos = len(rest) - len(rest[pos:].lstrip(" \n\t,"))
        value, pos = decoder.raw_decode(rest, pos)
        args.append(value)
    _, traces, fig_layout, config = args
    markup = re.sub(r"<script[^>]*>.*?</script>", " ", page, flags=re.S)
    return [markup, *figure_texts({"data": traces, "layout": fig_layout}), *_strings(config)]


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


def pptx_texts(data: bytes) -> list[str]:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    props = prs.core_properties
    out = [props.title or "", props.subject or "", props.author or "", props.keywords or "", props.comments or ""]
    for slide in prs.slides:
        out += [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        out += [sh._element.xpath("string(.//p:cNvPr/@descr)") for sh in slide.shapes]  # image alt texts
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return out


def pdf_texts(data: bytes) -> list[str]:
    """The text `pdftotext` (poppler-utils) reads from the pack, page by page, and the document's metadata."""
    from pypdf import PdfReader

    meta = PdfReader(io.BytesIO(data)).metadata or {}
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")
    return [*text.split("\f"), *(str(v) for v in meta.values())]


def brief_texts(vobs, real, state) -> list[str]:
    """The province brief (PDF and PowerPoint) of the view's first unit, as the profile page builds it."""
    from lib.export import brief
    from lib.views import profile as P

    unit = P.profile_unit(real, state)
    prof = P.build_profile(vobs, real, state, unit)
    spec = P.neighbour_spec(vobs, real, state, unit)
    kw = {"title": t("app_title", state.lang), "subtitle": "x", "generated": "22/11/2026", "lang": state.lang}
    return pptx_texts(brief.build_brief_pptx(prof, spec, **kw)) + pdf_texts(brief.build_brief_pdf(prof, spec, **kw))


# The packs and the brief (seconds each) are read in two views that between them have both languages and both
# boundaries; the tables and the charts' files in all four.
PACK_VIEWS = {("vi", "63"), ("en", "34")}


def download_texts(real, state) -> list[str]:
    """The text of every download of the view `state`: CSV, Excel, each chart's HTML and print figure (the one
    the SVG and the PNG are drawn from), and in PACK_VIEWS both packs and the brief."""
    lang = state.lang
    vobs, specs = _specs(real, state)
    table = views.data_table(vobs, real, state)
    sources = views.localise_sources(views.sources_table(vobs, real, state), lang)
    texts = csv_texts(csv_bytes(table, sources)) + xlsx_texts(xlsx_bytes(table, sources, lang))
    for spec in specs:
        texts += html_texts(render.to_html(spec, lang))
        texts += figure_texts(layout.export_figure(spec, lang).to_plotly_json())
    kw = {**views.pack_texts(specs, real, state), "generated": "22/11/2026", "lang": lang}
    if (lang, state.boundaries) not in PACK_VIEWS:
        assert len(specs) >= 6 and len(texts) > 20
        return texts
    with pytest.MonkeyPatch.context() as mp:  # the packs with each chart's placeholder: no browser needed
        mp.setattr(render, "RENDERER", render.Renderer(browser=lambda: None))
        texts += pptx_texts(packs.build_pptx(specs, **kw)) + pdf_texts(packs.build_pdf(specs, **kw))
        texts += brief_texts(vobs, real, state)
    assert len(specs) >= 6 and len(texts) > 20
    return texts


@pytest.fixture(scope="module")
def downloads(real):
    """`download_texts` of a view, built once per view for the tests of this module that read it (the same
    files, read by each test its own way): the packs, the PDF text and the HTML files take seconds each."""
    built: dict[str, list[str]] = {}

    def texts(state: FilterState) -> list[str]:
        key = repr(state)  # every field of the view
        if key not in built:
            built[key] = download_texts(real, state)
        return list(built[key])
    return texts


needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


@needs_pdftotext
@pytest.mark.parametrize("boundaries", ["63", "34"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_download_carries_an_id_a_path_or_a_slug(boundaries, lang, downloads, forbidden):
    state = FilterState(boundaries, FOUR[boundaries], (2016, 2025), "dti_score", lang)
    assert problems(downloads(state), lang, forbidden) == []


@needs_pdftotext
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is not installed: no SVG")
@pytest.mark.parametrize(("lang", "boundaries"), [("vi", "63"), ("en", "34")])
def test_no_svg_chart_carries_an_id_a_path_or_a_slug(lang, boundaries, real, downloads, forbidden):
    ok, reason = render.export_available()
    assert ok, reason
    state = FilterState(boundaries, FOUR[boundaries], (2016, 2025), "dti_score", lang)
    _, specs = _specs(real, state)
    svg = [s for spec in specs for s in svg_texts(render.to_svg(spec, lang))]  # kaleido draws each chart
    assert any(t("export_source", lang) in s for s in svg)  # the SVG's footer was read
    assert problems(downloads(state) + svg, lang, forbidden) == []


# --- The scan itself -----------------------------------------------------------------------------------------------


def test_the_scan_finds_what_it_looks_for(forbidden):
    """The scan can fail: a slug title, an id, a path, a curator phrase and the other language are each caught,
    while a link (with its slug) and the reader's own words pass."""
    assert problems(["Nguồn: tuong-tac-thoi-40 (URL slug; headline not in the stored excerpt)"], "vi", forbidden)
    assert problems(["- dti_2022_table: Bộ TT&TT"], "vi", forbidden)
    assert problems(["Chỉ tiêu: dti_score"], "vi", forbidden)
    assert problems(["quang-tri-2025"], "en", forbidden)
    assert problems(["Vùng: dong-bang-song-hong"], "vi", forbidden)
    for path in ("Tệp: data/provinces.yaml", "/work/main/app.py", "tests/payloads.py", "articles/000_98a.txt"):
        assert problems([path], "vi", forbidden), path
    assert problems(["Không ghi rõ / not named"], "vi", forbidden)
    assert problems(["Nguồn: Báo Thanh Niên (undated)"], "vi", forbidden)
    assert problems(["Source: Báo Thanh Niên (không rõ ngày)"], "en", forbidden)
    assert problems([t("no_data_filters", "en")], "vi", forbidden)
    assert problems([t("dataset_counts_note", "vi")], "en", forbidden)
    assert not problems(["Nguồn: Báo Thanh Niên (2021) https://thanhnien.vn/thoi-su/tuong-tac-thoi-40-1378015.html"],
                        "vi", forbidden)
    assert not problems([t("search_help", "vi"), t("no_data_filters", "vi")], "vi", forbidden)
    assert all(len(OTHER_LANGUAGE[lang]) > 50 for lang in OTHER)


def test_every_download_reader_reads_its_file(downloads):
    """The readers above see what they should: a source's citation in the CSV, the Excel's sources sheet, the
    HTML's figure, the packs' closing list (so a clean scan is not a scan of nothing)."""
    state = FilterState("63", FOUR["63"], (2016, 2025), "dti_score", "vi")
    texts = "\n".join(downloads(state))
    for needle in ("Báo Quảng Bình (QBĐT)", t("sheet_sources", "vi"), t("export_sources", "vi"),
                   "https://dti.gov.vn/xep-hang-2022", "Đẩy mạnh hợp tác chiến lược giữa Tập đoàn VNPT"):
        assert needle in texts, needle
    assert Path(DEFAULT_PATH).exists()
