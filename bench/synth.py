"""Synthetic benchmark datasets in the real schema (lib/data/schema.py), clearly marked as not real.

Every dataset says so in its title ("SYNTHETIC BENCHMARK DATA — not real"), its sources' publisher is
"synthetic", its URLs point at example.invalid, and the files are written to a temporary directory only
(never into data/). Generation is deterministic (fixed seed per size).

Shape of a dataset of ``n`` units (the 63-unit view), like the real 2025 reorganisation:
- about 11/63 of the units are unchanged (valid throughout);
- the others are old units (valid_to 2025-06-30, `successor`, merged_on 2025-07-01) merged in groups of
  2 or 3 into new units (valid_from 2025-07-01), so the 34-unit view's combining code runs;
- every old/unchanged unit has one observation per indicator per year (n × indicators × years);
  new units also have a few own observations dated after the merger;
- indicators: percent (weighted_mean with a count as weight), count (sum), rank (none, with out_of),
  index (none) and, with 12 indicators, a yes/no milestone;
- events (agreements with partner and period, reviews, launches, one merger event per new unit) and sources.

The YAML is written as one JSON-style flow mapping per record (JSON is valid YAML), which is fast to
write and parses like the real file's flow-style observation lines.
"""

from __future__ import annotations

import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lib.combine import LAST_DAY_BEFORE, MERGER_DATE
from lib.i18n import strip_marks

SYNTH_TITLE = "SYNTHETIC BENCHMARK DATA — not real"
SYNTH_PUBLISHER = "synthetic"


@dataclass(frozen=True)
class Size:
    name: str
    units: int  # units of the 63-unit view (old + unchanged)
    indicators: int
    years: int


SIZES = [
    Size("synth-63", 63, 12, 10),
    Size("synth-700", 700, 10, 5),
    Size("synth-3321", 3321, 10, 5),
]

REGIONS = [
    ("r-north", "Vùng Bắc (tổng hợp)", "North (synthetic)"),
    ("r-delta", "Vùng Đồng bằng (tổng hợp)", "Delta (synthetic)"),
    ("r-central", "Vùng Trung Bộ (tổng hợp)", "Central (synthetic)"),
    ("r-highlands", "Vùng Tây Nguyên (tổng hợp)", "Highlands (synthetic)"),
    ("r-southeast", "Vùng Đông Nam (tổng hợp)", "South East (synthetic)"),
    ("r-mekong", "Vùng Cửu Long (tổng hợp)", "Mekong (synthetic)"),
]

# (id, kind, rule, weight, decimals, min, max, higher_is_better, title_vi, title_en, unit_vi, unit_en)
INDICATORS = [
    ("dvc_level4_share", "percent", "weighted_mean", "dvc_total_count", 1, 0, 100, True,
     "Tỷ lệ DVCTT mức độ 4 (tổng hợp)", "Level-4 online services share (synthetic)", "%", "%"),
    ("dvc_total_count", "count", "sum", None, 0, 0, None, True,
     "Số dịch vụ công trực tuyến (tổng hợp)", "Online public services (synthetic)", "dịch vụ", "services"),
    ("households", "count", "sum", None, 0, 0, None, True,
     "Số hộ gia đình (tổng hợp)", "Households (synthetic)", "hộ", "households"),
    ("household_internet_share", "percent", "weighted_mean", "households", 1, 0, 100, True,
     "Tỷ lệ hộ có Internet (tổng hợp)", "Households online (synthetic)", "%", "%"),
    ("vc_endpoints", "count", "sum", None, 0, 0, None, True,
     "Số điểm cầu truyền hình (tổng hợp)", "Video-conference endpoints (synthetic)", "điểm cầu", "endpoints"),
    ("dti_rank", "rank", "none", None, 0, 1, None, False,
     "Xếp hạng DTI (tổng hợp)", "DTI rank (synthetic)", "hạng", "rank"),
    ("digitisation_rate", "percent", "weighted_mean", "dvc_total_count", 2, 0, 100, True,
     "Tỷ lệ số hóa hồ sơ (tổng hợp)", "Digitised case files (synthetic)", "%", "%"),
    ("online_application_rate", "percent", "weighted_mean", "dvc_total_count", 2, 0, 100, True,
     "Tỷ lệ hồ sơ trực tuyến (tổng hợp)", "Applications filed online (synthetic)", "%", "%"),
    ("digital_enterprises", "count", "sum", None, 0, 0, None, True,
     "Số doanh nghiệp công nghệ số (tổng hợp)", "Digital enterprises (synthetic)", "doanh nghiệp", "enterprises"),
    ("dti_index", "index", "none", None, 3, 0, 1, True,
     "Chỉ số DTI (tổng hợp)", "DTI score (synthetic)", "", ""),
    ("ioc_live", "milestone", "none", None, 0, None, None, True,
     "Đã có IOC (tổng hợp)", "IOC in operation (synthetic)", "", ""),
    ("special_network_share", "percent", "weighted_mean", "households", 1, 0, 100, True,
     "Tỷ lệ cơ quan nối mạng chuyên dùng (tổng hợp)", "Agencies on the special network (synthetic)", "%", "%"),
]

PARTNERS = ["VNPT", "Viettel", "FPT", "MobiFone"]
SYLLABLES = ["Quảng", "Bình", "Hà", "Lạng", "Sơn", "Đà", "Nẵng", "Nam", "Trị", "Thái", "Nguyên", "Cần", "Thơ",
             "Đồng", "Tháp", "Phú", "Yên", "Kiên", "Giang", "Hưng", "Long", "An", "Bắc", "Ninh", "Tây", "Lâm"]
def _name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)} {i:04d}"


def _groups(count: int) -> list[int]:
    """Split `count` old units into merger groups of 2 (every fourth group of 3)."""
    sizes, left, k = [], count, 0
    while left > 0:
        s = 3 if (k % 4 == 3 and left >= 5) or left == 3 else 2
        s = min(s, left)
        if left - s == 1:  # never leave a lone unit
            s += 1
        sizes.append(s)
        left -= s
        k += 1
    return sizes


def _sources(n_sources: int, years: list[int]) -> list[dict]:
    out = []
    for s in range(n_sources):
        year = years[s % len(years)]
        out.append({
            "id": f"synth-src-{s:04d}", "publisher": SYNTH_PUBLISHER,
            "title": f"{SYNTH_TITLE}: nguồn giả lập số {s} / synthetic source {s}",
            "url": f"https://example.invalid/synthetic/{s:04d}", "published": f"{year}-{(s % 12) + 1:02d}",
            "accessed": "2026-11-22", "language": "vi" if s % 3 else "en",
            **({"confidence": "low", "confidence_note": "synthetic low-confidence source"} if s % 11 == 5 else {}),
        })
    return out


def _unit(code: str, idx: int, name: str, region: str, **extra) -> dict:
    return {"code": code, "admin_code": f"{idx % 100:02d}", "name": {"vi": name, "en": strip_marks(name)},
            "full_name": f"Tỉnh {name}", "type": "province", "region": region, **extra}


def _units(rng: random.Random, n_old: int, n_same: int, merger_src: str):
    """(units, old codes, unchanged codes, [(new code, its predecessors)])."""
    units, old_codes, same_codes, new_units = [], [], [], []
    idx = 0
    for g, gsize in enumerate(_groups(n_old)):
        new_code = f"syn-new-{g:04d}"
        region = REGIONS[g % len(REGIONS)][0]
        preds = []
        for _ in range(gsize):
            code = f"syn-{idx:04d}"
            name = _name(rng, idx)
            units.append(_unit(code, idx, name, region, aliases=[f"T. {name}"], valid_from=None,
                               valid_to=LAST_DAY_BEFORE, successor=new_code, merged_on=MERGER_DATE,
                               merger_source=merger_src, note="synthetic"))
            preds.append(code)
            idx += 1
        old_codes += preds
        units.append(_unit(new_code, g, _name(rng, 9000 + g), region, valid_from=MERGER_DATE, valid_to=None,
                           note="synthetic"))
        new_units.append((new_code, preds))
    for _ in range(n_same):
        code = f"syn-{idx:04d}"
        name = _name(rng, idx)
        units.append(_unit(code, idx, name, REGIONS[idx % len(REGIONS)][0], valid_from=None, valid_to=None,
                           note="synthetic") | {"full_name": f"Thành phố {name}", "type": "city"})
        same_codes.append(code)
        idx += 1
    return units, old_codes, same_codes, new_units


def _value(rng: random.Random, iid: str, kind: str, rank: int, n: int, y: int, years: list[int]) -> dict:
    if kind == "percent":
        return {"value": round(rng.uniform(5, 99), 1)}
    if kind == "count":
        return {"value": rng.randint(10, 200_000 if iid == "households" else 3000)}
    if kind == "rank":
        return {"value": rank, "out_of": n}
    if kind == "index":
        return {"value": round(rng.uniform(0.2, 0.9), 3)}
    return {"value": rng.random() < (y - years[0] + 1) / (len(years) + 1)}  # milestone


def _observation(rng: random.Random, ind: tuple, code: str, k: int, y: int, *, old: bool, rank: int, n: int,
                 years: list[int], n_sources: int) -> dict:
    iid, kind = ind[0], ind[1]
    # A rank out of the 63 provinces, or an old province's value, is dated before the merger (lib.data.meaning).
    month = rng.randint(1, 6 if ((old or kind == "rank") and y == 2025) else 12)
    r = rng.random()
    day = rng.randint(1, 28)
    date = str(y) if r < 0.3 else f"{y}-{month:02d}" if r < 0.6 else f"{y}-{month:02d}-{day:02d}"
    o = {"unit": code, "indicator": iid, **_value(rng, iid, kind, rank, n, y, years)}
    o["date"] = date
    o["source"] = f"synth-src-{(k // 10 + y) % n_sources:04d}"
    o["quote"] = f"giá trị giả lập / synthetic value {iid} {code} {y}"
    if kind == "percent" and rng.random() < 0.02:
        o["qualifier"] = ">"
    if rng.random() < 0.05:
        o["confidence"] = "low"
    if rng.random() < 0.03:
        o["note"] = "synthetic note"
    return o


def _observations(rng: random.Random, inds: list, years: list[int], view63: list[str], old_set: set[str],
                  n_sources: int) -> list[dict]:
    n = len(view63)
    out = []
    for ind in inds:
        for y in years:
            ranks = list(range(1, n + 1))
            rng.shuffle(ranks)
            out += [_observation(rng, ind, code, k, y, old=code in old_set, rank=ranks[k], n=n, years=years,
                                 n_sources=n_sources) for k, code in enumerate(view63)]
    return out


def _own_values(rng: random.Random, inds: list, new_units: list, n_sources: int) -> list[dict]:
    """New units' own values after the merger (a few indicators, half the units): these win over derived ones."""
    own = [i for i in inds if i[1] in ("percent", "count")][:3]
    out = []
    for g, (code, _) in enumerate(new_units):
        if g % 2:
            continue
        for ind in own:
            out.append({
                "unit": code, "indicator": ind[0],
                "value": round(rng.uniform(5, 99), 1) if ind[1] == "percent" else rng.randint(10, 5000),
                "date": "2025-12-15", "source": f"synth-src-{g % n_sources:04d}",
                "quote": f"giá trị giả lập / synthetic value {ind[0]} {code} 2025",
            })
    return out


def _unit_event(rng: random.Random, k: int, code: str, years: list[int], n_sources: int) -> dict | None:
    if k % 3 == 0:
        start = rng.choice(years[:-1]) if len(years) > 1 else years[0]
        return {
            "id": f"synth-agreement-{k:04d}", "date": f"{start}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if start < 2025 else f"{start}-0{rng.randint(1, 6)}-15",
            "kind": "agreement", "title": {"vi": f"Thỏa thuận giả lập {k}", "en": f"Synthetic agreement {k}"},
            "units": [code], "partner": PARTNERS[k % len(PARTNERS)],
            "period": {"start": start, "end": start + 5}, "source": f"synth-src-{k % n_sources:04d}",
            "quote": "synthetic agreement",
        }
    if k % 3 == 1:
        y = rng.choice(years[:-1]) if len(years) > 1 else years[0]
        return {
            "id": f"synth-event-{k:04d}", "date": f"{y}-{rng.randint(1, 12):02d}",
            "kind": "review" if k % 2 else "launch",
            "title": {"vi": f"Sự kiện giả lập {k}", "en": f"Synthetic event {k}"}, "units": [code],
            "partner": PARTNERS[k % len(PARTNERS)], "source": f"synth-src-{k % n_sources:04d}",
            "quote": "synthetic event",
        }
    return None


def _events(rng: random.Random, view63: list[str], years: list[int], new_units: list, n_sources: int,
            merger_src: str) -> list[dict]:
    events = [e for k, code in enumerate(view63) if (e := _unit_event(rng, k, code, years, n_sources))]
    for g, (code, preds) in enumerate(new_units):
        events.append({
            "id": f"synth-merger-{g:04d}", "date": MERGER_DATE, "kind": "merger",
            "title": {"vi": f"Sáp nhập giả lập {g}", "en": f"Synthetic merger {g}"}, "units": preds + [code],
            "source": merger_src, "quote": "synthetic merger",
        })
    return events


def _indicator(i: tuple) -> dict:
    return {
        "id": i[0], "title": {"vi": i[8], "en": i[9]}, "unit": {"vi": i[10], "en": i[11]}, "kind": i[1],
        "higher_is_better": i[7], "combine": {"rule": i[2], **({"weight": i[3]} if i[3] else {})},
        "decimals": i[4], "min": i[5], "max": i[6],
        "description": {"vi": f"{i[8]} — dữ liệu giả lập", "en": f"{i[9]} — synthetic data"},
    }


def build(size: Size, seed: int = 20251122) -> dict:
    """The dataset as a dict in the real schema (what `yaml.safe_load` of a real file returns)."""
    rng = random.Random(seed + size.units)
    inds = INDICATORS[: size.indicators]
    ind_ids = {i[0] for i in inds}
    for i in inds:  # every weight must be in the subset
        assert i[3] is None or i[3] in ind_ids, i
    years = list(range(2025 - size.years + 1, 2026))
    n_same = max(1, round(size.units * 11 / 63))
    n_sources = max(12, size.units // 10)
    merger_src = "synth-src-0000"
    units, old_codes, same_codes, new_units = _units(rng, size.units - n_same, n_same, merger_src)
    view63 = old_codes + same_codes
    observations = _observations(rng, inds, years, view63, set(old_codes), n_sources)
    observations += _own_values(rng, inds, new_units, n_sources)
    return {
        "schema_version": 1,
        "dataset": {"title": {"vi": SYNTH_TITLE, "en": SYNTH_TITLE},
                    "curated_by": "bench/synth.py (synthetic, generated by code)", "updated": "2026-11-22"},
        "regions": [{"id": r, "name": {"vi": vi, "en": en}} for r, vi, en in REGIONS],
        "indicators": [_indicator(i) for i in inds],
        "sources": _sources(n_sources, years),
        "observations": observations,
        "events": _events(rng, view63, years, new_units, n_sources, merger_src),
        "units": units,
    }


def _line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def to_yaml(data: dict) -> str:
    """YAML text: block sections, one flow mapping (JSON) per record, like data/provinces.yaml."""
    out = [f"# {SYNTH_TITLE}. Generated by bench/synth.py for the performance benchmark.",
           "# Every unit, value and source in this file is made up.",
           f"schema_version: {data['schema_version']}",
           f"dataset: {_line(data['dataset'])}"]
    for section in ("regions", "indicators", "sources", "observations", "events", "units"):
        out.append(f"{section}:")
        out.extend(f"  - {_line(rec)}" for rec in data[section])
    return "\n".join(out) + "\n"


def write(size: Size, directory: Path) -> Path:
    path = Path(directory) / f"{size.name}.yaml"
    path.write_text(to_yaml(build(size)), encoding="utf-8")
    return path


def write_all(directory: Path | None = None, sizes: list[Size] | None = None) -> dict[str, Path]:
    """Write every size into `directory` (a new temp dir by default, never data/)."""
    directory = Path(directory or tempfile.mkdtemp(prefix="provinces-bench-"))
    return {s.name: write(s, directory) for s in (sizes or SIZES)}


if __name__ == "__main__":  # python -m bench.synth [DIR]: write the files and print their sizes
    import sys

    for name, p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else None).items():
        print(f"{name}: {p} ({p.stat().st_size:,} bytes)")
