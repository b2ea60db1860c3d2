"""Shared fixtures: a tiny hand-made dataset (synthetic, for tests only) and a YAML writer."""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
# The app's compiled copies of the datasets the tests load (lib/data/cache.py) go to a folder of this run,
# not to the project's .cache/ (the browser tests' servers inherit it).
os.environ.setdefault("PROVINCES_CACHE_DIR", tempfile.mkdtemp(prefix="provinces-cache-"))


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's work units (pytest.ini: ``-n 2 --dist loadfile``): a test module goes whole to one worker,
    so its module-scoped fixtures (the bad-dataset corpus run, a loaded dataset, the exported downloads, the
    nginx cluster) are built once; the browser journeys of tests/e2e/test_browser.py go one test function (all
    its parameters) per unit, so they spread over the workers. A worker that runs a browser test starts its own
    servers and Chromium once (tests/e2e/conftest.py, session-scoped): both workers run browser tests, so
    neither waits for the other at the end. (Four workers on two cores overloaded the machine: load 15–22,
    browser timeouts.) (xdist's own ``--dist
    loadgroup`` marks do not reach the scheduler under pytest 9: it renames ``item._nodeid``, which pytest 9 no
    longer reads.)"""
    if config.getvalue("dist") != "loadfile":
        return None  # another --dist given on the command line: xdist's own
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndJourneys(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path == "tests/e2e/test_browser.py":
                return nodeid.split("[", 1)[0]  # one journey (all its parameters) per unit
            return path

    return ModulesAndJourneys(config, log)


def tiny_dataset() -> dict:
    """Two old provinces merged into one new unit on 1/7/2025, plus one unchanged province."""
    src = {"publisher": "Test publisher", "accessed": "2026-11-22", "language": "vi"}
    return {
        "schema_version": 1,
        "dataset": {"title": {"vi": "Thử", "en": "Test"}, "curated_by": "tests", "updated": "2026-11-22"},
        "regions": [{"id": "r1", "name": {"vi": "Vùng 1", "en": "Region 1"}}],
        "indicators": [
            {"id": "vc_endpoints", "title": {"vi": "Số điểm cầu", "en": "Endpoints"},
             "unit": {"vi": "điểm cầu", "en": "endpoints"}, "kind": "count", "higher_is_better": True,
             "combine": {"rule": "sum"}, "decimals": 0, "min": 0, "max": None,
             "description": {"vi": "Điểm cầu", "en": "Endpoints"}},
            {"id": "dvc_total_count", "title": {"vi": "Số DVCTT", "en": "Online services"},
             "unit": {"vi": "dịch vụ", "en": "services"}, "kind": "count", "higher_is_better": True,
             "combine": {"rule": "sum"}, "decimals": 0, "min": 0,
             "description": {"vi": "DVCTT", "en": "Services"}},
            {"id": "dvc_level4_share", "title": {"vi": "Tỷ lệ DVCTT mức độ 4", "en": "Level-4 share"},
             "unit": {"vi": "%", "en": "%"}, "kind": "percent", "higher_is_better": True,
             "combine": {"rule": "weighted_mean", "weight": "dvc_total_count"}, "decimals": 1, "min": 0, "max": 100,
             "description": {"vi": "Tỷ lệ", "en": "Share"}},
            {"id": "household_internet_share", "title": {"vi": "Hộ có Internet", "en": "Households online"},
             "unit": {"vi": "%", "en": "%"}, "kind": "percent", "higher_is_better": True,
             "combine": {"rule": "weighted_mean", "weight": "households"}, "decimals": 1, "min": 0, "max": 100,
             "description": {"vi": "Tỷ lệ hộ", "en": "Share of households"}},
            {"id": "households", "title": {"vi": "Số hộ", "en": "Households"},
             "unit": {"vi": "hộ", "en": "households"}, "kind": "count", "higher_is_better": True,
             "combine": {"rule": "sum"}, "decimals": 0, "min": 0,
             "description": {"vi": "Số hộ", "en": "Households"}},
            {"id": "dti_rank", "title": {"vi": "Xếp hạng DTI", "en": "DTI rank"},
             "unit": {"vi": "hạng", "en": "rank"}, "kind": "rank", "higher_is_better": False,
             "combine": {"rule": "none"}, "decimals": 0, "min": 1, "max": 63,
             "description": {"vi": "Hạng", "en": "Rank"}},
        ],
        "sources": [
            {"id": "s1", "title": "Bài báo một", "url": "https://example.org/1", "published": "2020-07-01", **src},
            {"id": "s2", "title": "Bài báo hai", "url": "https://example.org/2", "published": "2022", **src},
        ],
        "observations": [
            {"unit": "old-a", "indicator": "vc_endpoints", "value": 213, "date": "2020-07-01", "source": "s1",
             "quote": "gồm 213 điểm cầu"},
            {"unit": "old-b", "indicator": "vc_endpoints", "value": 100, "date": "2020-09-24", "source": "s1",
             "quote": "100 điểm cầu"},
            {"unit": "old-a", "indicator": "dvc_level4_share", "value": 30, "date": "2020-07-01", "source": "s1",
             "quote": "30% dịch vụ công trực tuyến mức độ 4"},
            {"unit": "old-b", "indicator": "dvc_level4_share", "value": 60, "date": "2020-09-24", "source": "s1",
             "quote": "60% mức độ 4"},
            {"unit": "old-a", "indicator": "dvc_total_count", "value": 100, "date": "2020-07-01", "source": "s1",
             "quote": "100 dịch vụ"},
            {"unit": "old-b", "indicator": "dvc_total_count", "value": 300, "date": "2020-09-24", "source": "s1",
             "quote": "300 dịch vụ"},
            {"unit": "old-a", "indicator": "household_internet_share", "value": 80, "date": "2023", "source": "s2",
             "quote": "80%"},
            {"unit": "old-b", "indicator": "household_internet_share", "value": 70, "date": "2023", "source": "s2",
             "quote": "70%"},
            # A rank is out of a unit count the dataset knows: 3 units before 1/7/2025 here (63 in the real data).
            {"unit": "old-a", "indicator": "dti_rank", "value": 1, "out_of": 3, "date": "2022", "source": "s2",
             "quote": "1/3 A"},
            {"unit": "old-b", "indicator": "dti_rank", "value": 3, "out_of": 3, "date": "2022", "source": "s2",
             "quote": "3/3 B"},
            {"unit": "same-c", "indicator": "dti_rank", "value": 2, "out_of": 3, "date": "2022", "source": "s2",
             "quote": "2/3 C"},
            {"unit": "same-c", "indicator": "vc_endpoints", "value": 50, "date": "2020", "source": "s2",
             "quote": "50 điểm cầu"},
        ],
        "events": [
            {"id": "a-agreement", "date": "2020-07-01", "kind": "agreement",
             "title": {"vi": "Ký thỏa thuận", "en": "Agreement signed"}, "units": ["old-a"], "partner": "VNPT",
             "period": {"start": 2020, "end": 2025}, "source": "s1", "quote": "ký kết thỏa thuận"},
            {"id": "merger", "date": "2025-07-01", "kind": "merger", "title": {"vi": "Sáp nhập", "en": "Merger"},
             "units": ["old-a", "old-b", "new-ab"], "source": "s1", "quote": "hợp nhất"},
        ],
        "units": [
            {"code": "old-a", "admin_code": "44", "name": {"vi": "Quảng Ả", "en": "Quang A"}, "full_name": "Tỉnh Quảng Ả",
             "type": "province", "region": "r1", "valid_from": None, "valid_to": "2025-06-30",
             "successor": "new-ab", "merged_on": "2025-07-01", "merger_source": "s1"},
            {"code": "old-b", "admin_code": "45", "name": {"vi": "Bình Bé", "en": "Binh Be"}, "full_name": "Tỉnh Bình Bé",
             "type": "province", "region": "r1", "valid_from": None, "valid_to": "2025-06-30",
             "successor": "new-ab", "merged_on": "2025-07-01", "merger_source": "s1"},
            {"code": "new-ab", "admin_code": "44", "name": {"vi": "Quảng Ả", "en": "Quang A"},
             "full_name": "Tỉnh Quảng Ả", "type": "province", "region": "r1", "valid_from": "2025-07-01"},
            {"code": "same-c", "admin_code": "20", "name": {"vi": "Cẩm Cờ", "en": "Cam Co"}, "full_name": "Tỉnh Cẩm Cờ",
             "type": "province", "region": "r1"},
        ],
    }


@pytest.fixture
def dataset() -> dict:
    return copy.deepcopy(tiny_dataset())


@pytest.fixture(scope="module")
def real():
    """The shipped dataset's frames, once per test module (a module may define its own)."""
    from lib.data import DEFAULT_PATH, load_frames

    return load_frames(DEFAULT_PATH)


@pytest.fixture
def tiny(dataset, write_yaml):
    """The tiny dataset's frames."""
    from lib.data import load_frames

    return load_frames(write_yaml(dataset))


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    def write(data: dict | str, name: str = "data.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path
    return write


def widget(at, kind: str, name: str):
    """The sidebar filter `name` ('f_units', 'f_view', 'f_ind', 'f_preset') of an AppTest run: one widget
    per language (lib.ui._widget_key), so it is found by its key's prefix."""
    return next(e for e in getattr(at, kind) if e.key and e.key.startswith(name + "__"))
