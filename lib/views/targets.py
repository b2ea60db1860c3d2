"""The state's targets on the pages: the compare page's table (each selected unit against each target on an
indicator it has values of), the sources page's list of targets with their legal text and link, and the same
table for the briefing packs. The rules of a status are lib.targets'; this module only selects and words."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import citations as cite
from lib.data import Frames
from lib.filters import FilterState
from lib.i18n import fmt_date, t
from lib.targets import target_text, targets_table


def compare_table(vobs: pd.DataFrame, frames: Frames, state: FilterState,
                  today: dt.date | None = None) -> pd.DataFrame:
    """The selected units against the targets of the indicators they have values of, judged on the view's
    own values (63 provinces or 34 units, never mixed)."""
    basis = state.basis
    obs = vobs[vobs["basis"].isna() | (vobs["basis"] == basis)]
    return targets_table(frames, list(state.units), state.lang, obs=obs, today=today, only_with_data=True)


def left_out_count(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> int:
    """How many targets the compare table leaves out (no selected unit has a value of their indicator)."""
    have = set(vobs.loc[vobs["unit"].isin(state.units), "indicator"])
    return int((~frames.targets["indicator"].isin(have)).sum())


SOURCE_COLUMNS = ("target_src_document", "target_src_title", "target_src_clause", "target_src_wording",
                  "target_col_target", "target_col_indicator", "target_col_scope", "src_col_confidence",
                  "target_src_quote", "target_src_source", "link")


def sources_table(frames: Frames, lang: str) -> pd.DataFrame:
    """Every target with its legal text: document, title, clause, wording, target, indicator, scope, confidence,
    the words quoted, the source that printed them and its link."""
    metas = frames.indicators.set_index("id")
    sources = cite.by_id(frames.sources)
    rows = []
    for tg in frames.targets.sort_values(["doc_date", "id"], kind="stable").to_dict("records"):
        meta = {"id": tg["indicator"], **metas.loc[tg["indicator"]].to_dict()}
        src = sources.get(tg["source"], {})
        precision = {4: "year", 7: "month"}.get(len(tg["doc_date"]), "day")
        rows.append([
            f"{tg['doc_number']} ({fmt_date(tg['doc_date'], precision, lang)})",
            tg[f"doc_title_{lang}"], tg["clause"], tg[f"wording_{lang}"],
            f"{target_text(tg, meta, lang)} ({int(tg['year'])})", meta[f"title_{lang}"],
            t("target_national" if tg["scope"] == "national" else "target_province", lang),
            t(f"target_conf_{tg['confidence']}", lang), tg["quote"],
            cite.short(src, lang) if src else tg["source"], cite.link(src, lang) if src else "",
        ])
    return pd.DataFrame(rows, columns=[t(c, lang) for c in SOURCE_COLUMNS])


def pack_lines(frames: Frames, state: FilterState, today: dt.date | None = None) -> list[str]:
    """The compare table as lines for the briefing packs: 'Hà Nam — Tỷ lệ …: ≥ 80 % (QĐ 942), 2025 — Giá trị gần
    nhất: 68,54 % (2024) — không có số liệu — Khoảng cách …: −11,46 % — mục tiêu quốc gia, …'."""
    basis = state.basis
    obs = frames.observations[frames.observations["basis"].isna() | (frames.observations["basis"] == basis)]
    table = targets_table(frames, list(state.units), state.lang, obs=obs, today=today, only_with_data=True)
    cols = list(table.columns)
    return [f"{r[0]} — {r[1]}: {r[2]}, {r[3]} — {cols[4]}: {r[4]} — {r[5]} — {cols[6]}: {r[6]} — {r[7]}"
            for r in table.itertuples(index=False, name=None)]
