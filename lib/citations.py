"""How a source is cited to a reader: publisher (or, when the page names none, the site), headline (or a
plain description), author, date, link, in the reader's language only.

Every place that shows a source uses these functions: the source line under a chart and on the printed chart,
the notes and the closing sources list of the briefing packs, the tables and downloads of the sources page,
the events table. No source id, stored-file path or curator note (`note`, `published_note`, `via`, `checks`
in the YAML) ever goes into these texts. `src` is one row of `Frames.sources` as a dict (missing text
fields are "").

A headline is the page's own, as printed. Without one, the source is described in square brackets (the
usual citation mark for words that are not the source's own): the curator's `description` in the reader's
language, else "Bài viết trên thanhnien.vn" / "Article on thanhnien.vn" from the link's site.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

import pandas as pd

from lib.data import parse_date, rows_by_id
from lib.i18n import fmt_date, t

SHORT_WORDS = 8  # a headline standing in for a missing publisher in a chart's source line: its first words


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def site(url: str) -> str:
    """The site a link points to, as a reader would name it: 'thanhnien.vn'."""
    try:
        host = urlsplit(_text(url)).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def who(src: Mapping, lang: str) -> str:
    """The publisher; the site when the page names none; else 'publisher not named' in `lang`."""
    return _text(src.get("publisher")) or site(src.get("url", "")) or t("cite_publisher_not_named", lang)


def description(src: Mapping, lang: str) -> str:
    """What the source is, in `lang`, when it prints no headline: the curator's words, else the kind and site."""
    text = _text(src.get(f"description_{lang}"))
    if text:
        return text
    host = site(src.get("url", ""))
    return t("cite_article_on", lang, site=host) if host else t("cite_article", lang)


def what(src: Mapping, lang: str) -> str:
    """The headline as printed; without one, '[a plain description]' in `lang` (never a URL slug)."""
    return _text(src.get("title")) or f"[{description(src, lang)}]"


@lru_cache(maxsize=8192)  # pure; a chart at commune scale cites thousands of dates, most of them repeated
def date_text(text: str, lang: str) -> str:
    """A dataset date ("2020", "2020-09", "2020-09-24") in `lang`'s format at its own precision."""
    try:
        span = parse_date(text)
    except ValueError:
        return text
    return fmt_date(pd.Timestamp(span.start), span.precision, lang)


def when(src: Mapping, lang: str) -> str:
    """The publication date in `lang`'s format at its own precision (24/09/2020, 2022), or 'undated'."""
    text = _text(src.get("published"))
    return date_text(text, lang) if text else t("cite_undated", lang)


def year(src: Mapping, lang: str) -> str:
    text = _text(src.get("published"))
    return text[:4] if text[:4].isdigit() else t("cite_undated", lang)


def link(src: Mapping, lang: str) -> str:
    """The public link, or the words saying the project keeps the article (never its file path)."""
    return _text(src.get("url")) or (t("stored_article", lang) if _text(src.get("file")) else "")


def citation(src: Mapping, lang: str) -> str:
    """'Báo Quảng Bình (QBĐT): Đẩy mạnh hợp tác … , tác giả Phan Phương (24/09/2020). https://…' — one line a
    reader can cite."""
    author = _text(src.get("author"))
    by = f", {t('cite_by', lang, author=author)}" if author else ""
    return f"{who(src, lang)}: {what(src, lang)}{by} ({when(src, lang)}). {link(src, lang)}".strip()


def short_name(src: Mapping, lang: str) -> str:
    """Whom a chart's source line names: the publisher or site; for a page that names neither, the first words
    of its headline (as a citation puts the title first when nobody is named). Never the author: a reporter
    is not a publisher, and "Khánh Ly (2020)" under a chart reads as if a person published the figure."""
    named = _text(src.get("publisher")) or site(src.get("url", ""))
    if named:
        return named
    words = (_text(src.get("title")) or description(src, lang)).split()
    if not words:
        return t("cite_publisher_not_named", lang)
    return " ".join(words[:SHORT_WORDS]) + ("…" if len(words) > SHORT_WORDS else "")


def short(src: Mapping, lang: str) -> str:
    """'Báo Quảng Bình (QBĐT) (2020)': the source line under a chart."""
    return f"{short_name(src, lang)} ({year(src, lang)})"


def by_id(sources: pd.DataFrame) -> dict[str, dict]:
    """The sources frame as {id: row dict}, built once per frame (lib.data.rows_by_id); read-only."""
    return rows_by_id(sources)


TABLE_COLUMNS = ("src_col_publisher", "src_col_title", "src_col_author", "src_col_published", "link",
                 "src_col_language", "src_col_confidence")


def table(sources: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sources as a reader's table (the sources page and the downloads' sources sheet): publisher,
    headline or description, author, date, link, language, confidence. No id, file or curator note."""
    rows = sources.to_dict("records")
    return pd.DataFrame({
        t("src_col_publisher", lang): [who(r, lang) for r in rows],
        t("src_col_title", lang): [what(r, lang) for r in rows],
        t("src_col_author", lang): [_text(r.get("author")) for r in rows],
        t("src_col_published", lang): [when(r, lang) for r in rows],
        t("link", lang): [link(r, lang) for r in rows],
        t("src_col_language", lang): [t(f"lang_name_{r.get('language')}", lang) for r in rows],
        t("src_col_confidence", lang): [t(f"confidence_{r.get('confidence') or 'high'}", lang) for r in rows],
    }, columns=[t(k, lang) for k in TABLE_COLUMNS])
