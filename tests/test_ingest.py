"""The curator import (lib.ingest): name matching, ties, conflicts, refusals, idempotence, atomic writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib.data import load_dataset
from lib.ingest import main, name_key, plan_import, read_spec, unit_matcher
from lib.locale_numbers import NumberError, read_number

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "provinces.yaml"
IMPORTS = ROOT / "data" / "imports"
SPECS = sorted(IMPORTS.glob("*.yaml"))


@pytest.fixture(scope="module")
def real():
    return load_dataset(DATA)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.ingest", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name, basis, code", [
    ("TP. Hồ Chí Minh", 63, "ho-chi-minh"),
    ("Thành phố Hồ Chí Minh", 63, "ho-chi-minh"),
    ("Ho Chi Minh", 63, "ho-chi-minh"),
    ("TP.HCM", 34, "ho-chi-minh-2025"),
    ("Thừa Thiên - Huế", 63, "hue"),
    ("Thừa Thiên Huế", 34, "hue"),
    ("TP. Huế", 63, "hue"),
    ("Hoà Bình", 63, "hoa-binh"),
    ("Hòa Bình", 63, "hoa-binh"),
    ("hoa binh", 63, "hoa-binh"),
    ("Khánh Hoà", 34, "khanh-hoa-2025"),
    ("Bà Rịa-Vũng Tàu", 63, "ba-ria-vung-tau"),
    ("Tỉnh Lạng Sơn", 34, "lang-son"),
    ("Quảng Trị", 63, "quang-tri"),       # the old province in a 63 table …
    ("Quảng Trị", 34, "quang-tri-2025"),  # … the new unit in a 34 table
    ("Quảng Bình", 34, "quang-tri-2025"),  # an old name after 2025 finds its successor
])
def test_unit_names_as_tables_print_them(real, name, basis, code):
    assert unit_matcher(real, basis)(name) == (code, None)


def test_unknown_and_ambiguous_names_are_refused(real, dataset):
    code, err = unit_matcher(real, 63)("Tỉnh Không Có")
    assert code is None and "unknown unit 'Tỉnh Không Có' among the 63 provinces" in err
    # The 34 view has no Quảng Bình of its own; in the 63 view "Quảng Bình" is not the 2025 Quảng Trị.
    assert unit_matcher(real, 63)("Quảng Bình")[0] == "quang-binh"
    from lib.data.schema import Dataset
    dataset["units"][3]["aliases"] = ["Quảng Ả"]  # same-c now shares a name with old-a
    code, err = unit_matcher(Dataset.model_validate(dataset), 63)("Quang A")
    assert code is None and err.startswith("ambiguous unit 'Quang A'") and "old-a" in err and "same-c" in err


def test_name_key_strips_prefixes_and_diacritics():
    assert name_key("TP. Hà Nội") == name_key("Thành phố Hà Nội") == name_key("ha noi") == "ha noi"


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_committed_import_has_nothing_left_to_add(spec):
    res = run(str(spec))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip().endswith("nothing to add")
    assert "conflicts: 0" in res.stdout


def test_ties_stay_as_printed(real):
    plan = plan_import(read_spec(IMPORTS / "dti_2022_63.yaml"), DATA)
    assert plan.ties == ["dti_rank 15: Thanh Hóa, Yên Bái"]
    ranks = {o.unit: o.value for o in real.observations
             if o.indicator == "dti_rank" and o.date == "2022" and o.out_of == 63}
    assert ranks["thanh-hoa"] == ranks["yen-bai"] == 15 and 16 not in ranks.values()


@pytest.fixture
def corrupted_table(tmp_path: Path) -> Path:
    """A copy of the 2024 (63) table with an unknown province on one row and "abc" as a value on another."""
    src = IMPORTS / "tables" / "dti_2024_63provinces_premerger.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("year,"))
    lines[head + 3] = lines[head + 3].replace("Hải Phòng", "Hải Phòngg", 1)
    lines[head + 5] = lines[head + 5].replace(",0.7951,", ",abc,", 1)
    out = tmp_path / "bad.csv"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("write", [False, True])
def test_a_corrupted_table_is_refused_row_by_row_and_nothing_changes(tmp_path, corrupted_table, write):
    data = tmp_path / "provinces.yaml"
    shutil.copy(DATA, data)
    before = data.read_bytes()
    res = run(str(IMPORTS / "dti_2024_63.yaml"), "--table", str(corrupted_table), "--data", str(data),
              *(["--write"] if write else []))
    assert res.returncode == 1
    lines = corrupted_table.read_text(encoding="utf-8").splitlines()
    bad_row = next(n for n, line in enumerate(lines, 1) if "Hải Phòngg" in line)
    abc_row = next(n for n, line in enumerate(lines, 1) if ",abc," in line)
    # Both problems in one pass, each with file:row: column.
    assert f"{corrupted_table}:{bad_row}: province_as_printed: unknown unit 'Hải Phòngg' among the 63 provinces" in res.stdout
    assert f"{corrupted_table}:{abc_row}: pdti_as_printed: 'abc' is not a number" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr
    assert data.read_bytes() == before


def test_an_out_of_bounds_value_is_refused(tmp_path):
    src = IMPORTS / "tables" / "dti_2024_63provinces_premerger.csv"
    bad = tmp_path / "bad.csv"
    bad.write_text(src.read_text(encoding="utf-8").replace(",0.8253,0.8253,", ",1.8253,0.8253,", 1), encoding="utf-8")
    plan = plan_import(read_spec(IMPORTS / "dti_2024_63.yaml", bad), DATA)
    assert [p.message for p in plan.problems] == ["1.8253 is outside the bounds of 'dti_score' (0 – 1)"]


def test_a_conflict_is_listed_and_never_written(tmp_path):
    """The table says one thing, the dataset another: listed, exit 1, file untouched even with --write."""
    src = IMPORTS / "tables" / "dti_2022_provinces.csv"
    bad = tmp_path / "conflict.csv"
    bad.write_text(src.read_text(encoding="utf-8").replace(",0.6077,0.6077,", ",0.6078,0.6077,", 1), encoding="utf-8")
    data = tmp_path / "provinces.yaml"
    shutil.copy(DATA, data)
    before = data.read_bytes()
    res = run(str(IMPORTS / "dti_2022_63.yaml"), "--table", str(bad), "--data", str(data), "--write")
    assert res.returncode == 1
    assert "conflicts: 1" in res.stdout
    assert "tra-vinh dti_score 2022: the table says 0.6078, provinces.yaml:" in res.stdout
    assert data.read_bytes() == before


def _without_import(text: str, source_id: str) -> str:
    """The dataset as it was before an import: its observations and its source block removed."""
    lines = text.split("\n")
    out, skip = [], False
    for line in lines:
        if line.startswith(f'  - id: "{source_id}"'):
            skip = True
            continue
        if skip and line.startswith("    "):
            continue
        skip = False
        if f'source: "{source_id}"' not in line:
            out.append(line)
    return "\n".join(out)


def test_write_reproduces_the_shipped_file_and_a_second_run_adds_nothing(tmp_path):
    """The last committed imports (the 766 index: its value, then its rank), undone and redone, give the shipped
    file byte for byte: every comment and line they do not touch is kept. Running them again adds nothing."""
    shipped = DATA.read_text(encoding="utf-8")
    data = tmp_path / "provinces.yaml"
    data.write_text(_without_import(shipped, "bencat_766_2024_01"), encoding="utf-8")
    assert data.read_text(encoding="utf-8") != shipped
    for _ in range(2):
        for spec in ("service_index_766_2024_01.yaml", "service_index_766_2024_01_rank.yaml"):
            assert main([str(IMPORTS / spec), "--data", str(data), "--write"]) == 0
        assert data.read_text(encoding="utf-8") == shipped


def test_dry_run_writes_nothing(tmp_path, capsys):
    data = tmp_path / "provinces.yaml"
    before = _without_import(DATA.read_text(encoding="utf-8"), "dti_2024_63_table")
    data.write_text(before, encoding="utf-8")
    assert main([str(IMPORTS / "dti_2024_63.yaml"), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "to add: 63 observation(s) (dti_score 63)" in out and "to add: source dti_2024_63_table" in out
    assert data.read_text(encoding="utf-8") == before


def test_a_result_that_would_not_validate_is_never_written(tmp_path):
    """Atomic write: the result is validated before it replaces the dataset (here: values dated 2026 on
    provinces that ended on 30/6/2025)."""
    spec = tmp_path / "late.yaml"
    text = (IMPORTS / "dti_2024_63.yaml").read_text(encoding="utf-8").replace('date: "2024"', 'date: "2026"')
    spec.write_text(text.replace("table: tables/", f"table: {IMPORTS / 'tables'}/"), encoding="utf-8")
    data = tmp_path / "provinces.yaml"
    data.write_text(_without_import(DATA.read_text(encoding="utf-8"), "dti_2024_63_table"), encoding="utf-8")
    before = data.read_bytes()
    res = run(str(spec), "--data", str(data), "--write")
    assert res.returncode == 1
    assert "the result would not be valid, nothing written" in res.stderr
    assert "2026 is outside the validity of unit" in res.stderr
    assert data.read_bytes() == before
    assert not list(tmp_path.glob(".provinces.yaml.*"))  # no temporary file left behind


def test_xlsx_tables_are_read_too(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Tỉnh", "DTI"])
    ws.append(["TP. Hà Nội", "0.8241"])
    ws.append(["Tỉnh Lạng Sơn", "x"])
    xlsx = tmp_path / "t.xlsx"
    wb.save(xlsx)
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "table: t.xlsx\nsource: dti_2024_63_table\ndate: '2024'\nperiod: DTI 2024\nbasis: 63\nunit_column: Tỉnh\n"
        "columns:\n  DTI: {indicator: dti_score, decimals: 4}\nquote: '{Tỉnh} {DTI}'\n", encoding="utf-8")
    plan = plan_import(read_spec(spec), DATA)
    assert [str(p) for p in plan.problems] == [f"{xlsx}:3: DTI: 'x' is not a number"]
    assert len(plan.same) == 1 and plan.same[0][0]["unit"] == "ha-noi"


# --- Numbers as the table's locale writes them -------------------------------------------------------


@pytest.mark.parametrize("cell, decimal, value", [
    ("1.529", ",", 1529.0), ("2.000", ",", 2000.0), ("68,54", ",", 68.54), ("1.234.567,5", ",", 1234567.5),
    ("1,529", ".", 1529.0), ("68.54", ".", 68.54), ("0.6350", ".", 0.635), ("0.6350", None, 0.635),
    ("68.54", None, 68.54), ("213", None, 213.0),
])
def test_numbers_are_read_in_the_tables_locale(cell, decimal, value):
    assert read_number(cell, decimal).value == value


@pytest.mark.parametrize("cell, decimal, words", [
    ("2.000", None, "ambiguous"), ("1,529", None, "ambiguous"), ("68.54", ",", "not a number in the table's locale"),
    ("1.52", ",", "not a number in the table's locale"), ("1.529,5.1", ",", "decimal mark"),
    ("<10", ",", "a bound, not a value"),
])
def test_a_number_that_reads_two_ways_is_refused(cell, decimal, words):
    with pytest.raises(NumberError, match=words):
        read_number(cell, decimal)


def test_a_bound_is_read_only_where_the_spec_allows_it():
    got = read_number("<10", ".", bounds=True)
    assert (got.qualifier, got.value, got.text) == ("<", 10.0, "10")


def test_ambiguous_thousands_are_refused_with_table_row_and_column(tmp_path, dataset, write_yaml):
    """Today's bug: "2.000" became 2 silently. Without a stated decimal mark it is refused with its row;
    with `decimal: ","` it is two thousand."""
    table = tmp_path / "counts.csv"
    table.write_text("Tỉnh,Số điểm cầu\nQuảng Ả,2.000\nBình Bé,150\n", encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    text = (f"table: {table}\nsource: s1\ndate: '2021'\nbasis: 3\nunit_column: Tỉnh\n"
            "columns:\n  Số điểm cầu: {indicator: vc_endpoints}\nquote: '{Tỉnh} {Số điểm cầu}'\n")
    data = write_yaml(dataset)
    spec.write_text(text.replace("basis: 3", "basis: 63"), encoding="utf-8")
    res = run(str(spec), "--data", str(data))
    assert res.returncode == 1
    assert f"{table}:2: Số điểm cầu: '2.000' is ambiguous" in res.stdout
    spec.write_text(text.replace("basis: 3", "basis: 63") + "decimal: ','\n", encoding="utf-8")
    plan = plan_import(read_spec(spec), data)
    assert [(o["unit"], o["value"]) for o in plan.add] == [("old-a", "2000"), ("old-b", "150")]
@pytest.mark.parametrize("edit, fields", [("drop", -1), ("add", 1)])
def test_a_row_with_too_few_or_too_many_fields_is_refused_with_its_row_and_counts(tmp_path, edit, fields):
    """A missing comma used to end in "the template names a column the table lacks ('quote')", naming no row."""
    src = IMPORTS / "tables" / "dti_2024_63provinces_premerger.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("year,"))
    width = len(lines[head].split(","))
    row = head + 4
    lines[row] = lines[row].replace(",", " ", 1) if edit == "drop" else lines[row] + ",x"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run(str(IMPORTS / "dti_2024_63.yaml"), "--table", str(bad), "--data", str(DATA))  # a dry run
    assert res.returncode == 1
    assert f"{bad}: row {row + 1}: {width + fields} fields, the header has {width}" in res.stdout + res.stderr
    assert "lacks" not in res.stdout + res.stderr and "Traceback" not in res.stdout + res.stderr
