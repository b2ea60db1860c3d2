"""The data layer: the shipped dataset validates; every class of bad input is refused with its file,
line and field named in plain words."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from lib.data import DEFAULT_PATH, DatasetError, load_dataset, load_frames
from tests.bad_datasets.corpus import Case
from tests.conftest import ROOT


def problems_of(path, **kw) -> list[str]:
    with pytest.raises(DatasetError) as exc:
        load_dataset(path, **kw)
    return [str(p) for p in exc.value.problems]


def line_of(path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


# --- The shipped dataset ---


def test_shipped_dataset_validates_with_every_section_filled():
    frames = load_frames(DEFAULT_PATH)
    assert len(frames.units) == 86
    assert (frames.units.era != "post").sum() == 63  # the provinces until 30/6/2025
    assert (frames.units.era != "pre").sum() == 34   # the units from 1/7/2025
    assert len(frames.sources) > 20 and len(frames.observations) > 150 and len(frames.events) > 15
    # Every observation quotes its source.
    assert frames.observations["quote"].str.len().min() > 0
    assert set(frames.observations["source"]) <= set(frames.sources["id"])


def test_dti_2022_ranks_all_63_provinces():
    frames = load_frames(DEFAULT_PATH)
    dti = frames.observations.query("indicator == 'dti_rank' and date == '2022'")
    assert len(dti) == 63
    assert dti.set_index("unit").loc["lang-son", "value"] == 6
    assert dti.set_index("unit").loc["quang-tri", "value"] == 55


RESEARCH = ROOT.parent / "shared" / "research"  # the research copies the dataset was curated from


def test_a_source_title_is_a_headline_as_printed():
    """`title` is only the page's own headline: never a URL slug nor a remark about one, and for a stored
    article a line of the article itself (checked where the research copy is on this machine). A source
    without a headline has none; a description in the curator's words is `description`, in both languages."""
    frames = load_frames(DEFAULT_PATH)
    checked = 0
    for src in frames.sources.to_dict("records"):
        title = src["title"]
        assert title or src["description_vi"] or src["url"], src["id"]  # something a reader can cite
        if not title:
            continue
        assert not re.search(r"slug|excerpt|\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b", title, re.I), (src["id"], title)
        article = RESEARCH / src["file"] if src["file"] else None
        if article and article.exists():
            lines = {line.strip().rstrip(".") for line in article.read_text(encoding="utf-8").splitlines()}
            assert title in lines, (src["id"], title)
            checked += 1
    assert checked == 4 or not RESEARCH.exists()  # the founding articles 000, 002, 003, 004 (001 has no headline)


def test_reused_numeric_code_is_two_units():
    frames = load_frames(DEFAULT_PATH)
    u = frames.units.set_index("code")
    assert u.loc["quang-binh", "admin_code"] == "44" and u.loc["quang-tri-2025", "admin_code"] == "44"
    assert u.loc["quang-binh", "successor"] == "quang-tri-2025"
    assert set(u.loc["quang-tri-2025", "predecessors"]) == {"quang-binh", "quang-tri"}
    assert set(u.loc["da-nang-2025", "predecessors"]) == {"da-nang", "quang-nam"}


def test_units_block_is_regenerable():
    out = subprocess.run([sys.executable, "scripts/build_units.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_valid_tiny_dataset_loads(dataset, write_yaml):
    frames = load_frames(write_yaml(dataset))
    assert len(frames.observations) == len(dataset["observations"])
    assert frames.units.set_index("code").loc["new-ab", "predecessors"] == ("old-a", "old-b")


# --- Refused files ---


def test_missing_file(tmp_path):
    assert problems_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: the file does not exist"]


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(write_yaml, text):
    path = write_yaml(text)
    (msg,) = problems_of(path)
    assert str(path) in msg and ("empty" in msg or "no YAML document" in msg)


def test_not_yaml_names_the_line(write_yaml):
    path = write_yaml("schema_version: 1\nsources:\n  - id: [unclosed\n  - x: y\n")
    (msg,) = problems_of(path)
    assert "not valid YAML" in msg
    assert re.match(rf"{re.escape(str(path))}:\d+: ", msg)


def test_top_level_list_is_refused(write_yaml):
    (msg,) = problems_of(write_yaml("- a\n- b\n"))
    assert "top level must be a mapping" in msg


def test_file_over_size_limit(write_yaml, monkeypatch):
    path = write_yaml("a: " + "x" * 2000 + "\n")
    (msg,) = problems_of(path, max_bytes=1000)
    assert "over the limit of 1,000 bytes" in msg
    monkeypatch.setenv("PROVINCES_MAX_BYTES", "500")
    assert "over the limit of 500 bytes" in problems_of(path)[0]


def test_alias_bomb_is_refused_quickly(write_yaml):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    msgs = problems_of(write_yaml("\n".join(lines) + "\n"))
    assert "1: a: YAML anchor &a is not allowed" in msgs[0]
    assert all("YAML anchor" in m or "YAML alias" in m for m in msgs)
    assert len(msgs) == 9 + 8 * 9  # every anchor and every alias, each with its line


def test_python_object_tag_is_refused(write_yaml):
    path = write_yaml("schema_version: 1\nevil: !!python/object/apply:os.system ['echo hi']\n")
    (msg,) = problems_of(path)
    assert f"{path}:2:" in msg and "python/object" in msg and "not allowed" in msg


# --- Schema problems: file, line, field ---


def test_unknown_key_names_line_and_field(dataset, write_yaml):
    dataset["observations"][0]["valeu"] = 3
    path = write_yaml(dataset)
    msgs = problems_of(path)
    assert any(m.startswith(f"{path}:{line_of(path, 'valeu')}: observations.0.valeu: unknown key") for m in msgs)


def test_wrong_type_names_the_value(dataset, write_yaml):
    dataset["observations"][1]["value"] = "many"
    path = write_yaml(dataset)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(path, 'value: many')}: observations.1.value:")
    assert "'many'" in msg


def test_all_problems_in_one_pass(dataset, write_yaml):
    dataset["observations"][0]["source"] = "nope"
    dataset["observations"][1]["indicator"] = "nope_indicator"
    dataset["observations"][2]["value"] = 130
    dataset["events"][0]["units"] = ["ghost"]
    msgs = problems_of(write_yaml(dataset))
    assert len(msgs) == 4
    joined = "\n".join(msgs)
    assert "unknown source 'nope'" in joined
    assert "unknown indicator 'nope_indicator'" in joined
    assert "130 % is outside the bounds of 'dvc_level4_share' (0 – 100)" in joined
    assert "unknown unit 'ghost'" in joined


def test_duplicate_observation(dataset, write_yaml):
    dataset["observations"].append(dict(dataset["observations"][0], value=214))
    path = write_yaml(dataset)
    (msg,) = problems_of(path)
    first, second = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                     if line == "- unit: old-a"][:1] + [line_of(path, "value: 214") - 2]
    assert msg == (f"{path}:{second}: observations.12: duplicate observation of 'vc_endpoints' for 'old-a' on "
                   f"2020-07-01 (also at line {first})")


def test_date_that_does_not_parse(dataset, write_yaml):
    dataset["observations"][0]["date"] = "2020-02-30"
    path = write_yaml(dataset)
    (msg,) = problems_of(path)
    assert "observations.0.date" in msg and "'2020-02-30' does not exist" in msg


def test_badly_shaped_date(dataset, write_yaml):
    dataset["events"][0]["date"] = "1/7/2020"
    (msg,) = problems_of(write_yaml(dataset))
    assert "events.0.date" in msg and "pattern" in msg


def test_observation_after_merger_on_old_province(dataset, write_yaml):
    dataset["observations"][0]["date"] = "2025-09-26"
    path = write_yaml(dataset)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:")
    assert "observations.0.date: 2025-09-26 is outside the validity of unit 'old-a'" in msg
    assert "record the value on the successor" in msg


def test_observation_before_new_unit_existed(dataset, write_yaml):
    dataset["observations"].append({"unit": "new-ab", "indicator": "vc_endpoints", "value": 1, "date": "2024",
                                    "source": "s1", "quote": "1"})
    (msg,) = problems_of(write_yaml(dataset))
    assert "outside the validity of unit 'new-ab'" in msg


def test_merger_to_unknown_unit(dataset, write_yaml):
    dataset["units"][0]["successor"] = "atlantis"
    (msg,) = problems_of(write_yaml(dataset))
    assert "units.0.successor: the merger points to unit 'atlantis', which does not exist" in msg


def test_rank_can_never_be_combined(dataset, write_yaml):
    dataset["indicators"][5]["combine"] = {"rule": "sum"}
    (msg,) = problems_of(write_yaml(dataset))
    assert "indicators.5.combine.rule" in msg and "never be combined" in msg


def test_weighted_mean_needs_weight(dataset, write_yaml):
    dataset["indicators"][2]["combine"] = {"rule": "weighted_mean"}
    (msg,) = problems_of(write_yaml(dataset))
    assert "indicators.2.combine" in msg and "needs `weight`" in msg


def test_validate_command_exit_codes(dataset, write_yaml):
    good = subprocess.run([sys.executable, "-m", "lib.validate", str(write_yaml(dataset))], cwd=ROOT,
                          capture_output=True, text=True)
    assert good.returncode == 0
    assert "observations: 12" in good.stdout and "vc_endpoints" in good.stdout
    dataset["observations"][0]["value"] = -5
    bad_path = write_yaml(dataset, "bad.yaml")
    bad = subprocess.run([sys.executable, "-m", "lib.validate", str(bad_path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"{bad_path}:" in bad.stderr and "observations.0.value" in bad.stderr


def test_yaml_round_trip_of_fixture_is_plain(dataset):
    # The fixture itself must be plain YAML (no tags), or the negative tests above prove nothing.
    assert "!!" not in yaml.safe_dump(dataset, allow_unicode=True)


def test_ampersands_stars_and_bangs_in_text_are_not_yaml_syntax(dataset, write_yaml):
    dataset["observations"][0]["quote"] = "Bộ TT&TT: *quan trọng* & !!python/object"
    dataset["sources"][0]["publisher"] = "&a *a !tag"
    frames = load_frames(write_yaml(dataset))
    assert frames.observations.set_index("quote").index.str.contains("TT&TT").any()


def test_unquoted_dates_and_years_are_read_as_written(dataset, write_yaml):
    text = write_yaml(dataset).read_text(encoding="utf-8")
    text = text.replace("date: '2020-07-01'", "date: 2020-07-01").replace("date: '2022'", "date: 2022")
    assert "date: 2020-07-01" in text and "date: 2022\n" in text  # the fixture really has both forms now
    frames = load_frames(write_yaml(text, "unquoted.yaml"))
    assert {"2020-07-01", "2022"} <= set(frames.observations["date"])


# --- Each validation rule, broken once in tests/bad_datasets/base.yaml: message, line and field ---

OBS_NEW_AB = "{unit: new-ab, indicator: vc_endpoints, value: 313, date: '%s', source: s1, quote: 313 điểm cầu%s}"


def edited_base(tmp_path, *edits, append: str = ""):
    """base.yaml (one record per line) with `edits` (line, old, new) applied, written to tmp_path."""
    path = tmp_path / "edited.yaml"
    path.write_bytes(Case("edited", "a test's edit", (), edits=edits, append=append).content())
    return path


def at(path, line: int, field: str, message: str) -> str:
    return f"{path}:{line}: {field}: {message}"


def test_base_is_valid_before_any_edit(tmp_path):
    load_dataset(edited_base(tmp_path))


@pytest.mark.parametrize("edit, line, field, message", [
    pytest.param((13, "weight: dvc_total_count", "weight: ghost"), 13, "indicators.2.combine.weight",
                 "unknown indicator 'ghost' as weight", id="unknown-weight"),
    pytest.param((12, "min: 0,", "min: 0, parent: ghost,"), 12, "indicators.1.parent",
                 "unknown indicator 'ghost'", id="unknown-parent"),
    pytest.param((11, "min: 0,", "min: 0, published_rank: households,"), 11, "indicators.0.published_rank",
                 "'households' is not a rank indicator of the registry", id="published-rank-not-a-rank"),
    pytest.param((11, "min: 0,", "min: 0, published_rank: ghost_rank,"), 11, "indicators.0.published_rank",
                 "'ghost_rank' is not a rank indicator of the registry", id="published-rank-unknown"),
    pytest.param((15, "min: 0,", "min: 7, max: 5,"), 15, "indicators.4.min", "min 7 is above max 5", id="min-above-max"),
    pytest.param((19, " url: 'https://example.org/2',", ""), 19, "sources.1.url",
                 "a source needs a `url` or, for a stored article, a `file`", id="source-without-url-or-file"),
    pytest.param((35, "id: merger,", "id: a-agreement,"), 35, "events.1.id",
                 "duplicate id 'a-agreement' (first used at line 34)", id="duplicate-event-id"),
    pytest.param((40, "region: r1}", "region: r1}\n  - {code: same-c, admin_code: '21', name: {vi: C, en: C}, "
                                     "full_name: C, type: province, region: r1}"), 41, "units.4.code",
                 "duplicate code 'same-c' (first used at line 40)", id="duplicate-unit-code"),
    pytest.param((19, "language: vi}", "language: vi}\n  - {id: s1, title: Ba, url: 'https://example.org/3', "
                                       "publisher: P, accessed: '2026-11-22', language: vi}"), 20, "sources.2.id",
                 "duplicate id 's1' (first used at line 18)", id="duplicate-source-id"),
    pytest.param((40, "region: r1", "region: r9"), 40, "units.3.region", "unknown region 'r9'", id="unknown-region"),
    pytest.param((40, "region: r1}", "region: r1, valid_to: '2025-06-30', successor: same-c, "
                                     "merged_on: '2025-07-01'}"), 40, "units.3.successor",
                 "a unit cannot be its own successor", id="self-successor"),
    pytest.param((30, "value: 3,", "value: 2.5,"), 30, "observations.9.value",
                 "'dti_rank' is a rank: a whole number is expected (got 2.5)", id="non-integer-rank"),
    pytest.param((31, " out_of: 3,", ""), 31, "observations.10.out_of",
                 "a rank needs `out_of`: 3 (the units before 1/7/2025) or 2 (after)", id="rank-without-out-of"),
    pytest.param((34, "units: [old-a],", "units: [new-ab],"), 34, "events.0.date",
                 "2020-07-01 is outside the validity of unit 'new-ab' (2025-07-01 – nay/now)",
                 id="event-outside-validity"),
    pytest.param((34, "period: {start: 2020, end: 2025}", "period: {start: 2020, end: 2019}"), 34, "events.0.period",
                 "the period starts (2020) after it ends (2019)", id="event-period-ends-before-start"),
    pytest.param((31, "out_of: 3,", "out_of: 3, basis: 34,"), 31, "observations.10.basis",
                 "basis 34 disagrees with out_of 3", id="basis-disagrees-with-out-of"),
    pytest.param((21, "value: 213,", "value: 213, basis: 34,"), 21, "observations.0.basis",
                 "unit 'old-a' is one of the 63 provinces before 1/7/2025: it cannot carry a value on the "
                 "34-unit basis", id="basis-34-on-a-pre-merger-province"),
])
def test_one_broken_rule_is_one_problem_with_line_and_field(tmp_path, edit, line, field, message):
    path = edited_base(tmp_path, edit)
    assert problems_of(path) == [at(path, line, field, message)]


def test_valid_to_before_valid_from(tmp_path):
    path = edited_base(tmp_path, (39, "valid_from: '2025-07-01'}", "valid_from: '2025-07-01', valid_to: '2025-06-01'}"))
    assert at(path, 39, "units.2.valid_to", "valid_to 2025-06-01 is before valid_from 2025-07-01") in problems_of(path)


def test_basis_63_on_a_post_merger_unit(tmp_path):
    path = edited_base(tmp_path, (32, "quote: 50 điểm cầu}", "quote: 50 điểm cầu}\n  - "
                                  + OBS_NEW_AB % ("2025-09-26", ", basis: 63")))
    assert problems_of(path) == [at(path, 33, "observations.12.basis", "unit 'new-ab' is one of the 34 units after "
                                    "1/7/2025: it cannot carry a value on the 63-unit basis")]


def retro(tmp_path, basis: str):
    """base.yaml plus a 2024 value of new-ab (formed 1/7/2025), with `basis` (", basis: 34" or "")."""
    return edited_base(tmp_path, (32, "quote: 50 điểm cầu}", "quote: 50 điểm cầu}\n  - "
                                  + OBS_NEW_AB % ("2024", basis)))


def test_a_34_basis_value_dated_before_its_unit_existed_is_accepted(tmp_path):
    ds = load_dataset(retro(tmp_path, ", basis: 34"))
    assert [(o.unit, o.date, o.basis) for o in ds.observations[-1:]] == [("new-ab", "2024", 34)]


@pytest.mark.parametrize("basis, extra", [("", []), (", basis: 63", [
    "observations.12.basis: unit 'new-ab' is one of the 34 units after 1/7/2025: it cannot carry a value on the "
    "63-unit basis"])], ids=["no-basis", "basis-63"])
def test_a_value_dated_before_its_unit_existed_is_refused_without_basis_34(tmp_path, basis, extra):
    path = retro(tmp_path, basis)
    outside = ("observations.12.date: 2024 is outside the validity of unit 'new-ab' (2025-07-01 – nay/now); after a "
               "merger, record the value on the successor (a value the source measured on the 34 new units for an "
               "earlier year needs `basis: 34`)")
    assert problems_of(path) == [f"{path}:33: {p}" for p in extra + [outside]]


def test_duplicate_observation_counts_the_basis(tmp_path):
    same_c = "{unit: same-c, indicator: vc_endpoints, value: 50, date: '2020', source: s2, quote: 50 điểm cầu%s}"
    both = edited_base(tmp_path, (32, same_c % "", same_c % ", basis: 63" + "\n  - " + same_c % ", basis: 34"))
    load_dataset(both)  # one value per basis: an unchanged unit carries both
    twice = edited_base(tmp_path, (32, same_c % "", same_c % ", basis: 34" + "\n  - " + same_c % ", basis: 34"))
    assert problems_of(twice) == [at(twice, 33, "observations.12", "duplicate observation of 'vc_endpoints' for "
                                     "'same-c' on 2020 (basis 34) (also at line 32)")]


def test_readme_layout_names_every_module_of_lib():
    """docs/layout.md is the tree: every lib/ module once, and nothing that is not there."""
    block = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8").split("## Layout\n", 1)[1].split("```\n")[1]
    listed, folder = [], ""
    for line in block.splitlines():
        name = line.split()[0]
        if not line.startswith(" "):
            folder = name if name.endswith("/") else ""
        listed.append(folder + name if line.startswith(" ") else name)
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "lib").rglob("*.py") if p.name != "__init__.py")
    assert sorted(n for n in listed if n.startswith("lib/") and n.endswith(".py")) == modules
    assert all((ROOT / n).exists() for n in listed)
