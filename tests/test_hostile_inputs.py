"""Hostile input outside the dataset's own classes: shared links (query strings), the bad-link notice,
CSV/Excel downloads, and a dataset replaced while the app runs. Also the valid inputs the loader must
keep accepting (an upper-case URL scheme, the benchmark's synthetic units)."""

from __future__ import annotations

import csv
import io
import os
import re
import string
import time

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, DatasetError, load_dataset, load_frames
from lib.safe_text import excerpt, md_escape, neutralise_cell
from lib.tables import csv_bytes, xlsx_bytes
from tests.conftest import APP, widget

HOSTILE = [
    "[Đăng nhập lại tại đây](https://evil.example/login)",
    "![x](https://evil.example/pixel.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**đậm** _nghiêng_ `code` ~~gạch~~",
    "$\\frac{1}{0}$",
    ":red[đỏ] :material/warning:",
    "# tiêu đề\n- mục\n> trích\n\n| a | b |",
    "&lt;b&gt; &#x3C;",
    "../../../etc/passwd",
    "\\[not a link\\](x)",
    "a\u202eb\u200bc\x00d\re",
]


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


# --- lib.safe_text --------------------------------------------------------------------------------


def assert_all_escaped(out: str) -> None:
    """Every ASCII punctuation character is escaped, and a backslash only ever escapes one."""
    assert "\n" not in out and "\r" not in out and "\x00" not in out and "\u202e" not in out
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out) and out[i + 1] in string.punctuation, out
            i += 2
            continue
        assert out[i] not in string.punctuation, (out, i)
        i += 1


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_leaves_no_markup(text):
    assert_all_escaped(md_escape(text))


def test_md_escape_renders_as_the_text():
    # CommonMark turns "\x" back into "x" for any ASCII punctuation x: what shows is the text itself.
    text = "[Đăng nhập](https://evil.example) 30,5 % (2020)"
    out = md_escape(text)
    # What shows is the text itself; an invisible word joiner after "https:" stops GFM's autolinks.
    assert out.replace("\\", "").replace("\u2060", "") == text
    assert out == "\\[Đăng nhập\\]\\(https\\:\u2060\\/\\/evil\\.example\\) 30\\,5 \\% \\(2020\\)"


def test_excerpt_is_short_and_one_line():
    assert excerpt("ha-noi") == "ha-noi"
    assert excerpt("x" * 100_000) == "x" * 40 + "…"
    assert excerpt("a\nb\tc  d", 40) == "a b c d"
    assert len(excerpt("\n" * 10_000 + "y" * 10, 40)) <= 41


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-5 % so với 2020", "'-5 % so với 2020"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("\r=x", "'\r=x"), (" =1", "' =1"), ("＝1", "'＝1"),
    ("30,5 %", "30,5 %"), ("a=b", "a=b"), ("", ""), (-5, -5), (-5.5, -5.5), (None, None),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


# --- Shared links: lib.filters.parse_query -------------------------------------------------------


@pytest.mark.parametrize("key", ["lang", "view", "years", "ind", "units"])
@pytest.mark.parametrize("payload", [*HOSTILE, "x" * 100_000, "ha-noi," * 20_000])
def test_hostile_query_value_falls_back_quietly(real, key, payload):
    t = time.perf_counter()
    state, problems = F.parse_query({key: payload}, real)
    assert time.perf_counter() - t < 0.5
    default = F.default_state(real)
    if key == "units" and payload.startswith("ha-noi,") and len(payload) < 2000:
        return
    assert (state.boundaries, state.units, state.years, state.indicator) == \
        (default.boundaries, default.units, default.years, default.indicator)
    (problem,) = problems
    assert problem.startswith(f"{key}=") and len(problem) <= len(key) + 1 + 41
    assert "\n" not in problem


def test_repeated_keys_count_once(real):
    state, problems = F.parse_query({"units": ["atlantis"] * 2_999 + ["ha-noi"], "ind": ["x"] * 3_000 + ["dti_rank"]},
                                    real)
    assert state.units == ["ha-noi"] and state.indicator == "dti_rank" and problems == []


def test_units_are_deduplicated_and_capped(real):
    codes = F.units_for_boundaries(real.units, "63")["code"].tolist()
    state, problems = F.parse_query({"units": ",".join(["ha-noi"] * 100)}, real)
    assert state.units == ["ha-noi"] and problems == []
    state, problems = F.parse_query({"units": ",".join(codes)}, real)  # every unit of the view: fine
    assert state.units == codes and problems == []
    state, problems = F.parse_query({"units": ",".join(codes * 3)}, real)  # too long for the view: refused
    assert state.units == F.default_state(real).units and problems[0].startswith("units=")


def test_years_need_ascii_digits(real):
    state, problems = F.parse_query({"years": "٢٠١٧-٢٠٢٢"}, real)
    assert state.years == F.default_state(real).years and problems == ["years=٢٠١٧-٢٠٢٢"]
    state, problems = F.parse_query({"years": "2017-2022"}, real)
    assert state.years == (2017, 2022) and problems == []


# --- The same links through the app (AppTest) -----------------------------------------------------


def test_hostile_link_shows_short_plain_notices():
    query = {"ind": HOSTILE[0], "units": "![x](https://evil.example/p.png)," + "a" * 100_000,
             "years": "../../etc/passwd", "view": "<script>alert(1)</script>", "lang": "x" * 100_000}
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    t = time.perf_counter()
    at.run()
    assert time.perf_counter() - t < 20
    assert not at.exception, [e.value for e in at.exception]
    notices = [w.value for w in at.warning]
    assert len(notices) == 5
    for notice in notices:
        assert len(notice) < 220
        m = re.fullmatch(r"Liên kết có giá trị không hợp lệ \((.*)\); đã dùng mặc định\.", notice)
        assert m, notice
        assert_all_escaped(m.group(1))  # the link's part is plain text: no link, image, HTML
        assert "a" * 41 not in notice and "x" * 41 not in notice
    assert any(md_escape("ind=[Đăng nhập lại tại đây](https://evil.exa…") in n for n in notices)
    # The link is rewritten to the defaults: nothing of the payload stays in the address.
    back = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert back["view"] == "63" and back["lang"] == "vi" and "evil" not in str(back)


def test_link_repeating_keys_counts_each_once():
    """`units=` repeated ~1,000 times (Streamlit ignores a query string of more than 1,000 parameters)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["units"] = ["atlantis"] * 995 + ["ha-noi"]
    at.query_params["ind"] = ["nope", "dti_rank"]
    t = time.perf_counter()
    at.run()
    assert time.perf_counter() - t < 20 and not at.exception
    assert widget(at, "multiselect", "f_units").value == ["ha-noi"] and widget(at, "selectbox", "f_ind").value == "dti_rank"
    assert not at.warning


def test_link_repeating_a_unit_is_cheap():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["units"] = ",".join(["ha-noi"] * 100)
    t = time.perf_counter()
    at.run()
    assert time.perf_counter() - t < 20 and not at.exception
    assert widget(at, "multiselect", "f_units").value == ["ha-noi"] and not at.warning


# --- CSV and Excel --------------------------------------------------------------------------------


@pytest.fixture
def formula_frames(dataset, write_yaml):
    dataset["observations"][0]["quote"] = '=HYPERLINK("https://evil.example","Bấm vào đây")'
    dataset["observations"][1]["quote"] = "+84 912 345 678"
    dataset["observations"][2]["quote"] = "-5 % so với 2019"
    dataset["observations"][3]["quote"] = "@SUM(A1:A9)"
    dataset["observations"][4]["note"] = "\t=cmd|' /C calc'!A0"
    dataset["sources"][0]["title"] = "=1+1"
    return load_frames(write_yaml(dataset))


def _tables(frames):
    obs, _ = boundary_observations(frames, "63")
    state = F.FilterState("63", ["old-a", "old-b", "same-c"], (2016, 2026), "vc_endpoints", "vi")
    return views.data_table(obs, frames, state), views.sources_table(obs, frames, state)


def test_csv_cells_never_start_a_formula(formula_frames):
    table, sources = _tables(formula_frames)
    rows = list(csv.reader(io.StringIO(csv_bytes(table, sources).decode("utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert "'=HYPERLINK(\"https://evil.example\",\"Bấm vào đây\")" in cells and "'+84 912 345 678" in cells
    assert "'-5 % so với 2019" in cells and "'@SUM(A1:A9)" in cells and "'=1+1" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                and not _is_number(c)], "a cell a spreadsheet would run"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_excel_has_no_formula_and_keeps_the_text(formula_frames):
    table, sources = _tables(formula_frames)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, sources, "vi")))
    texts = {}
    for sheet in book:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t":
                    assert cell.quotePrefix, cell.value  # stays text even when edited in Excel
                    texts[cell.value] = cell.data_type
    assert texts.get('=HYPERLINK("https://evil.example","Bấm vào đây")') == "s"
    assert texts.get("=1+1") == "s" and texts.get("-5 % so với 2019") == "s"


def test_numbers_stay_numbers_in_both_files():
    table = pd.DataFrame({"value": [-5.0, 3.5], "text": ["-5", "x"]})
    rows = list(csv.reader(io.StringIO(csv_bytes(table, table).decode("utf-8-sig"))))
    assert rows[1] == ["-5.0", "'-5"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, table))).worksheets[0]
    assert sheet["A2"].value == -5 and sheet["A2"].data_type == "n"
    assert sheet["B2"].value == "-5" and sheet["B2"].data_type == "s"


# --- A dataset replaced while the app runs --------------------------------------------------------


def test_same_size_replacement_with_restored_timestamp_is_noticed(dataset, write_yaml, monkeypatch):
    import lib.ui as U

    path = write_yaml(dataset)
    monkeypatch.setenv("PROVINCES_DATA", str(path))
    U._load.clear()
    first, problems = U.get_frames()
    assert problems == [] and U.get_frames()[0] is first  # unchanged file: the cached frames
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "value: 213" in text
    path.write_text(text.replace("value: 213", "value: 214"), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # timestamp restored
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    second, _ = U.get_frames()
    assert second is not first
    assert 214.0 in set(second.observations["value"]) and 213.0 not in set(second.observations["value"])
    U._load.clear()


def test_loading_never_writes_the_dataset(dataset, write_yaml, monkeypatch):
    import lib.ui as U

    path = write_yaml(dataset)
    os.chmod(path, 0o444)
    stat = path.stat()
    monkeypatch.setenv("PROVINCES_DATA", str(path))
    U._load.clear()
    frames, problems = U.get_frames()
    assert frames is not None and problems == []
    after = path.stat()
    assert (after.st_mtime_ns, after.st_size, after.st_mode) == (stat.st_mtime_ns, stat.st_size, stat.st_mode)
    U._load.clear()


# --- Valid input the loader must accept -----------------------------------------------------------


@pytest.mark.parametrize("url", ["HTTPS://example.org/a", "Http://example.org/b?x=1#y", "https://example.org"])
def test_upper_case_url_scheme_is_valid(dataset, write_yaml, url):
    dataset["sources"][0]["url"] = url
    load_dataset(write_yaml(dataset))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>",
                                 "file:///etc/passwd", "vbscript:x", "https:/x", "https://", " https://x",
                                 "https://x y", "//example.org"])
def test_other_url_schemes_are_refused(dataset, write_yaml, url):
    dataset["sources"][0]["url"] = url
    with pytest.raises(DatasetError) as exc:
        load_dataset(write_yaml(dataset))
    (p,) = exc.value.problems
    assert p.field == "sources.0.url" and "a URL must start with http:// or https://" in p.message


def test_benchmark_synthetic_data_validates(tmp_path):
    """The benchmark's units are not 63/34: ranks are out of the units it has (out_of computed)."""
    from bench import synth

    size = synth.Size("synth-test", 40, 12, 3)
    path = synth.write(size, tmp_path)
    frames = load_frames(path, max_bytes=10**9)
    n_before = int((frames.units.era != "post").sum())
    assert set(frames.observations["out_of"].dropna()) == {n_before} and n_before == 40
