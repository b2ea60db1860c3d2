"""Every file a reader can download, in one registry, and the one rule that names them.

A button (lib.downloads.download) takes its label, help, MIME type, extension and icon from its `Format`; a file's
name is `file_name(start, lang, *parts)`: the start in the reader's language (FILE_STARTS: ASCII, "xep-hang" /
"ranking"), then what the file holds (the chart's title, the units, the period), diacritics stripped. A new format
is one entry here plus the function that builds its bytes. What goes into the CSV and the Excel (formula-like
text neutralised) is lib.tables's one check.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.export.spec import safe_filename

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Format:
    ext: str
    mime: str
    icon: str
    label: str  # the button's words (lib/strings.yaml key)
    help: str | None = None  # its tooltip (key); may take {w} and {h}
    browser: bool = False  # drawn by Chromium (lib.export.render): without it the button is not offered


FORMATS: dict[str, Format] = {
    # one chart
    "png": Format("png", "image/png", ":material/image:", "dl_png", "dl_png_help", browser=True),
    "svg": Format("svg", "image/svg+xml", ":material/draw:", "dl_svg", "dl_svg_help", browser=True),
    "html": Format("html", "text/html", ":material/code:", "dl_html", "dl_html_help"),
    # a page's charts: the briefing pack
    "pack-pptx": Format("pptx", PPTX, ":material/slideshow:", "dl_pack_pptx", "dl_pack_help"),
    "pack-pdf": Format("pdf", "application/pdf", ":material/picture_as_pdf:", "dl_pack_pdf", "dl_pack_help"),
    # one unit: the province profile's brief
    "brief-pdf": Format("pdf", "application/pdf", ":material/picture_as_pdf:", "profile_brief_pdf",
                        "profile_brief_help"),
    "brief-pptx": Format("pptx", PPTX, ":material/slideshow:", "profile_brief_pptx", "profile_brief_help"),
    # the values behind the filters, with their sources
    "csv": Format("csv", "text/csv", ":material/table:", "download_csv"),
    "xlsx": Format("xlsx", XLSX, ":material/table_view:", "download_xlsx"),
}

FILE_STARTS = {  # ASCII: the start of each file's name, (Vietnamese, English)
    "overview-ranking": ("xep-hang", "ranking"), "overview-movement": ("dien-bien", "movement"),
    "compare-bars": ("so-sanh-cot", "compare-bars"), "compare-heatmap": ("ban-do-nhiet", "heatmap"),
    "compare-radar": ("radar", "radar"), "compare-subindices": ("chi-so-thanh-phan", "sub-indices"),
    "compare-scatter": ("tuong-quan", "scatter"), "timeline-lines": ("dong-thoi-gian", "timeline"),
    "timeline-gantt": ("thoa-thuan", "agreements"), "overview-map": ("ban-do", "map"),
    "pack": ("bao-cao-tom-tat", "briefing-pack"), "brief": ("ban-tom-tat", "brief"), "data": ("du-lieu", "data"),
}


def file_start(key: str, lang: str) -> str:
    vi, en = FILE_STARTS.get(key, (key, key))
    return vi if lang == "vi" else en


def file_stem(start: str, lang: str, *parts: str) -> str:
    """The file's name without its extension: the start in `lang`, then the parts (ASCII, '_' between)."""
    return safe_filename(file_start(start, lang), *parts, ext="")


def file_name(stem: str, fmt: str) -> str:
    return safe_filename(stem, ext=FORMATS[fmt].ext)
