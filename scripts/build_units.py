"""Regenerate the `units:` block of data/provinces.yaml from the `vietnamadminunits` package.

The 63 provinces (until 30 June 2025) and the 34 units (from 1 July 2025, Resolution 202/2025/QH15)
and the old-to-new mapping all come from `vietnamadminunits` (MIT), which carries the 2025
reorganisation. Nothing here is guessed: a province the package does not map stops the script.

Usage: python scripts/build_units.py [--check]   (--check exits 1 if the YAML block is stale)
"""

from __future__ import annotations

import json
import sqlite3
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.combine import LAST_DAY_BEFORE, MERGER_DATE  # noqa: E402 - the merger's dates, defined once
from lib.i18n import slug, strip_marks  # noqa: E402 - the one folding and slug of the code base

DATASET = ROOT / "data" / "provinces.yaml"
BEGIN = "# --- BEGIN GENERATED UNITS (scripts/build_units.py; do not edit by hand) ---"
END = "# --- END GENERATED UNITS ---"
MERGER_SOURCE = "nq202_2025_qh15"

# The six socio-economic regions of the national master plan (Nghị quyết 81/2023/QH15), keyed by the
# pre-2025 province's short name. A post-2025 unit takes the region of the predecessor whose name it keeps.
REGIONS: dict[str, list[str]] = {
    "trung-du-mien-nui-phia-bac": [
        "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Yên Bái", "Thái Nguyên",
        "Lạng Sơn", "Bắc Giang", "Phú Thọ", "Điện Biên", "Lai Châu", "Sơn La", "Hòa Bình",
    ],
    "dong-bang-song-hong": [
        "Hà Nội", "Vĩnh Phúc", "Bắc Ninh", "Quảng Ninh", "Hải Dương", "Hải Phòng", "Hưng Yên",
        "Thái Bình", "Hà Nam", "Nam Định", "Ninh Bình",
    ],
    "bac-trung-bo-duyen-hai-mien-trung": [
        "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Nam",
        "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận",
    ],
    "tay-nguyen": ["Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng"],
    "dong-nam-bo": ["Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh"],
    "dong-bang-song-cuu-long": [
        "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang",
        "Kiên Giang", "Cần Thơ", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
    ],
}
# Other spellings that sources use, so curators and the search box find the unit.
ALIASES = {
    "Huế": ["Thừa Thiên Huế", "Thừa Thiên - Huế", "TP. Huế"],
    "Hồ Chí Minh": ["TP. Hồ Chí Minh", "TP.HCM", "Thành phố Hồ Chí Minh", "Sài Gòn"],
    "Hà Nội": ["TP. Hà Nội"],
    "Đà Nẵng": ["TP. Đà Nẵng"],
    "Hải Phòng": ["TP. Hải Phòng"],
    "Cần Thơ": ["TP. Cần Thơ"],
    "Bà Rịa - Vũng Tàu": ["Bà Rịa-Vũng Tàu"],
}
ENGLISH = {"Hà Nội": "Hanoi", "Hồ Chí Minh": "Ho Chi Minh City", "Huế": "Hue"}


def _read_package() -> tuple[dict, dict, dict]:
    data = resources.files("vietnamadminunits") / "data"
    with sqlite3.connect(str(data / "dataset.db")) as conn:
        q = "SELECT DISTINCT province, provinceShort, provinceCode, provinceKey FROM {}"
        legacy = {r[3]: r for r in conn.execute(q.format("admin_units_legacy"))}
        new = {r[3]: r for r in conn.execute(q.format("admin_units"))}
    mapping = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    return legacy, new, mapping


def _region_of(short: str) -> str:
    for region, names in REGIONS.items():
        if short in names:
            return region
    raise SystemExit(f"no region known for {short!r}: add it to REGIONS (never guess)")


def build_units() -> list[dict]:
    """The unit records: unchanged units once, merged ones as old + new with successor links."""
    legacy, new, mapping = _read_package()
    mapped_old = [k for olds in mapping.values() for k in olds]
    if sorted(mapped_old) != sorted(legacy) or len(mapping) != 34 or len(legacy) != 63:
        raise SystemExit("vietnamadminunits mapping is not a clean 63 -> 34 partition; stopping")

    def record(row: tuple, **extra) -> dict:
        full, short, code, _key = row
        rec = {
            "code": None,
            "admin_code": code,
            "name": {"vi": short, "en": ENGLISH.get(short, strip_marks(short))},
            "full_name": full,
            "type": "city" if full.startswith("Thành phố") else "province",
            "region": _region_of(short),
        }
        if short in ALIASES:
            rec["aliases"] = ALIASES[short]
        rec.update(extra)
        return rec

    units: list[dict] = []
    for new_key, old_keys in sorted(mapping.items(), key=lambda kv: new[kv[0]][2]):
        new_row = new[new_key]
        if old_keys == [new_key] or (len(old_keys) == 1 and legacy[old_keys[0]][1] == new_row[1]):
            rec = record(legacy[old_keys[0]], valid_from=None, valid_to=None)
            rec["code"] = slug(new_row[1])
            rec["note"] = "Không sáp nhập năm 2025 / not merged in 2025"
            units.append(rec)
            continue
        new_code = slug(new_row[1]) + "-2025"
        keeps_name = [k for k in old_keys if legacy[k][1] == new_row[1]]
        if len(keeps_name) != 1:
            raise SystemExit(f"cannot tell which predecessor {new_row[1]} keeps its name from")
        for old_key in old_keys:
            rec = record(legacy[old_key], valid_from=None, valid_to=LAST_DAY_BEFORE,
                         successor=new_code, merged_on=MERGER_DATE, merger_source=MERGER_SOURCE)
            rec["code"] = slug(legacy[old_key][1])
            units.append(rec)
        rec = record(new_row, valid_from=MERGER_DATE, valid_to=None)
        rec["code"] = new_code
        rec["region"] = _region_of(legacy[keeps_name[0]][1])
        units.append(rec)
    return units


def _yaml_scalar(value) -> str:
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)  # JSON strings are valid YAML double-quoted scalars


def render(units: list[dict]) -> str:
    lines = [BEGIN, "units:"]
    for u in units:
        first = True
        for key, value in u.items():
            prefix = "  - " if first else "    "
            first = False
            if isinstance(value, dict):
                inner = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items())
                lines.append(f"{prefix}{key}: {{{inner}}}")
            elif isinstance(value, list):
                lines.append(f"{prefix}{key}: [{', '.join(_yaml_scalar(v) for v in value)}]")
            else:
                lines.append(f"{prefix}{key}: {_yaml_scalar(value)}")
    lines.append(END)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    block = render(build_units())
    text = DATASET.read_text(encoding="utf-8") if DATASET.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        updated = head + block + tail
    else:
        updated = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    if "--check" in argv:
        stale = updated != text
        print("units block is stale: run scripts/build_units.py" if stale else "units block is up to date")
        return 1 if stale else 0
    DATASET.write_text(updated, encoding="utf-8")
    print(f"wrote {DATASET.relative_to(ROOT)}: {block.count(chr(10) + '  - ')} units")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
