"""Checks of what the values mean (issue 24): a valid YAML whose content cannot be true.

- the bounds an indicator's kind implies, where the indicator declares none: a percent stays within
  0–100, a count and a rank are never negative (a rank starts at 1), an index declares its range;
- combining rules that keep those bounds: a percent or an index is never summed (its combined value
  would leave 0–100, or the index's range: 110 %, a DTI of 2,28), so every derived value of the 34-unit
  view stays within its indicator's bounds as its inputs do (sums of counts, weighted means);
- the 63-province basis ends on 30/06/2025: a value on it dated later is refused;
- unit names: composed Unicode (NFC, as typed), Latin letters only (a Cyrillic 'а' looks like 'a');
- a source's publisher or title that names a web site must name the site its URL opens.

Control characters, noncharacters, bidirectional controls and invisible-only text are refused while the
file is read (lib.data.read), for every field. One function, `check_meaning`, run by `cross_check`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lib.data.read import quoted

if TYPE_CHECKING:
    from lib.data.checks import Checks

LAST_DAY_OF_63 = dt.date(2025, 6, 30)
_KIND_LOW = {"percent": 0.0, "count": 0.0, "rank": 1.0}
_KIND_HIGH = {"percent": 100.0}
# A web site's name as a source's text may give it: vnexpress.net, www.most.gov.vn, baochinhphu.vn…
_HOST = re.compile(r"(?i)(?<![\w.@-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
                   r"(?:vn|com|net|org|gov|edu|info|io|int))(?![\w-])")
_FOREIGN_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def kind_bounds(kind: str, lo: float | None, hi: float | None) -> tuple[float | None, float | None]:
    """The bounds a value of this kind must keep: the declared ones, closed by the kind where left open."""
    lo = _KIND_LOW.get(kind) if lo is None else lo
    hi = _KIND_HIGH.get(kind) if hi is None else hi
    return lo, hi


def check_meaning(c: Checks) -> None:
    check_kind_bounds(c)
    check_combine_rules(c)
    check_basis_dates(c)
    check_unit_names(c)
    check_link_hosts(c)


def _num(x: float) -> str:
    return f"{x:.15g}"


def check_kind_bounds(c: Checks) -> None:
    """The bounds of the kind, on the sides the indicator leaves open (the declared ones: checks._check_value)."""
    for i, ind in enumerate(c.ds.indicators):
        if ind.kind == "index" and (ind.min is None or ind.max is None):
            c.add(("indicators", i, "min" if ind.min is None else "max"), "an index needs its range: declare "
                  "both `min` and `max` (the DTI runs from 0 to 1)")
    for i, obs in enumerate(c.ds.observations):
        ind = c.indicators.get(obs.indicator)
        if ind is None or isinstance(obs.value, bool) or ind.kind not in ("percent", "count", "rank"):
            continue
        lo = _KIND_LOW[ind.kind] if ind.min is None else None
        hi = _KIND_HIGH.get(ind.kind) if ind.max is None and ind.kind != "rank" else None
        if (lo is not None and obs.value < lo) or (hi is not None and obs.value > hi):
            unit = " %" if ind.kind == "percent" else ""
            c.add(("observations", i, "value"), f"{_num(obs.value)}{unit} is outside what a {ind.kind} can be "
                  f"({_num(_KIND_LOW[ind.kind])} – {_num(_KIND_HIGH[ind.kind]) if ind.kind in _KIND_HIGH else '∞'})")


def check_combine_rules(c: Checks) -> None:
    for i, ind in enumerate(c.ds.indicators):
        if ind.combine.rule == "sum" and ind.kind in ("percent", "index"):
            c.add(("indicators", i, "combine", "rule"), f"a {ind.kind} cannot be summed (the sum of two shares "
                  "or two scores leaves their range): use weighted_mean with a count as weight, or none")


def check_basis_dates(c: Checks) -> None:
    for i, obs in enumerate(c.ds.observations):
        basis = obs.basis or (obs.out_of if obs.out_of == 63 else None)
        unit = c.units.get(obs.unit)
        if basis != 63 or unit is None or unit.valid_from or unit.valid_to:
            continue  # (a unit that started or ended on 1/7/2025: its basis and validity are checked already)
        span = c._parsed.get(obs.date)  # parsed (once) by check_observations
        if span is not None and span.start > LAST_DAY_OF_63:
            c.add(("observations", i, "date"), f"a value on the 63-province basis is dated {obs.date}, after "
                  "30/06/2025, when the 63 provinces ended: record it on the 34-unit basis")


def _foreign_letter(text: str) -> str | None:
    for ch in text:
        if ord(ch) > 0x24F and ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith(_FOREIGN_SCRIPTS):
                return f"{ch!r} (U+{ord(ch):04X} {name})"
    return None


def check_unit_names(c: Checks) -> None:
    for i, unit in enumerate(c.ds.units):
        fields = [(("name", "vi"), unit.name.vi), (("name", "en"), unit.name.en), (("full_name",), unit.full_name)]
        fields += [(("aliases", j), a) for j, a in enumerate(unit.aliases)]
        for loc, text in fields:
            if not unicodedata.is_normalized("NFC", text):
                c.add(("units", i, *loc), f"{quoted(text)} is written in decomposed Unicode (NFD: letters and "
                      "accents apart), which search and sorting treat as another name: save it composed (NFC)")
            foreign = _foreign_letter(text)
            if foreign:
                c.add(("units", i, *loc), f"{quoted(text)} contains the letter {foreign}, which looks like a "
                      "Latin letter: Vietnamese names are written in Latin letters")


def _same_site(named: str, host: str) -> bool:
    named, host = named.lower().removeprefix("www."), host.lower().removeprefix("www.")
    return host == named or host.endswith("." + named) or named.endswith("." + host)


def check_link_hosts(c: Checks) -> None:
    for i, src in enumerate(c.ds.sources):
        if not src.url:
            continue
        host = urlsplit(src.url).hostname or ""
        for name in ("publisher", "title"):
            text = getattr(src, name)
            m = _HOST.search(text) if text else None
            if m and not _same_site(m.group(1), host):
                c.add(("sources", i, name), f"the {name} names the site {m.group(1)}, but the link opens {host}: "
                      "a reader would trust one and land on the other; give the link of the site named")
