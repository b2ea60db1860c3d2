"""Download buttons for charts and the briefing pack (Streamlit UI over ``lib/export.py``).

Every file is built lazily: ``st.download_button(data=<callable>, on_click="ignore")`` runs the callable only when
the button is clicked, so a rerun costs nothing and does not start Chromium.

Failure policy (a download callable runs outside the script, so it cannot show ``st.error``):

- ``export_available(start=False)`` is the gate. When no Chromium is found, or an earlier start failed, the PNG/SVG
  buttons are replaced by an ``st.info`` in plain words; HTML (needs no browser) and Plotly's camera button remain.
- If an export still fails inside a callable (e.g. Chromium crashes after the page was drawn), the callable logs the
  error and returns a *valid file of the requested type* that says, in the chosen language, that the image could not
  be made and that the HTML version works (``placeholder_png`` / ``placeholder_svg``). In the briefing pack the chart
  image is replaced the same way and the titles, notes and sources are kept. Nothing raises, so no traceback and no
  bare "Failed to generate file" from Streamlit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

import streamlit as st

from lib.export import (
    ChartSpec,
    export_size,
    build_pdf,
    build_pptx,
    export_available,
    placeholder_png,
    placeholder_svg,
    safe_filename,
    to_html,
    to_png,
    to_svg,
    warm_up,
)
from lib.i18n import register, t

_LOG = logging.getLogger(__name__)

_TEXT: dict[str, dict[str, str]] = {
    "png": {"vi": "Tải PNG", "en": "Download PNG"},
    "svg": {"vi": "Tải SVG", "en": "Download SVG"},
    "html": {"vi": "Tải HTML", "en": "Download HTML"},
    "png_help": {"vi": "Ảnh {w}×{h} điểm ảnh, kèm tiêu đề, bộ lọc, nguồn và thời điểm số liệu.",
                 "en": "A {w}×{h} pixel image with the title, filters, source and as-of date."},
    "svg_help": {"vi": "Ảnh véc-tơ, phóng to không vỡ nét, chữ vẫn sửa được.",
                 "en": "A vector image: sharp at any size, text stays editable."},
    "html_help": {"vi": "Biểu đồ tương tác, mở được cả khi không có mạng.",
                  "en": "An interactive chart that opens even without internet."},
    "no_browser": {
        "vi": "Máy chủ chưa có trình duyệt Chromium nên chưa tải được ảnh PNG/SVG. "
              "Bạn vẫn tải được bản HTML, hoặc bấm nút máy ảnh ở góc biểu đồ để lưu ảnh PNG.",
        "en": "Image download (PNG/SVG) needs the Chromium browser on the server, which is missing. "
              "You can still download the HTML version, or use the camera button on the chart to save a PNG.",
    },
    "pack_pptx": {"vi": "Tải bộ báo cáo PowerPoint", "en": "Download briefing pack (PowerPoint)"},
    "pack_pdf": {"vi": "Tải bộ báo cáo PDF", "en": "Download briefing pack (PDF)"},
    "pack_help": {"vi": "Trang bìa, mỗi biểu đồ một trang kèm ghi chú, và danh sách nguồn.",
                  "en": "A title page, one page per chart with notes, and the list of sources."},
    "pack_no_browser": {"vi": "Máy chủ thiếu Chromium nên trong bộ báo cáo, ảnh biểu đồ được thay bằng một dòng "
                              "thông báo; tiêu đề, ghi chú và nguồn vẫn đầy đủ.",
                        "en": "The server has no Chromium, so the pack shows a short notice instead of each chart "
                              "image; titles, notes and sources are all there."},
    "pack_prefix": {"vi": "bao-cao-tom-tat", "en": "briefing-pack"},
}


register({f"dl_{key}": entry for key, entry in _TEXT.items()})  # one table of UI strings (lib.i18n)


def _t(key: str, lang: str) -> str:
    return t(f"dl_{key}", lang)


def _guarded(build: Callable[[], bytes], fallback: Callable[[], bytes], what: str) -> Callable[[], bytes]:
    """Wrap a file builder so a failure is logged and a plain fallback file is returned instead of raising."""

    def run() -> bytes:
        try:
            return build()
        except Exception:  # noqa: BLE001 - see the module docstring
            _LOG.exception("Export failed (%s); serving the fallback file", what)
            return fallback()

    return run


def _today() -> str:
    try:
        from zoneinfo import ZoneInfo

        now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    except Exception:  # noqa: BLE001 - no tz database: the server's local date is good enough
        now = datetime.now()
    return now.strftime("%d/%m/%Y")


def chart_downloads(spec: ChartSpec, lang: str) -> None:
    """PNG, SVG and HTML download buttons for one chart, in one row."""
    ok, _reason = export_available(start=False)
    if ok:
        warm_up()  # start Chromium in the background once per process, so the first click is quick
    else:
        st.info(_t("no_browser", lang), icon=":material/info:")

    with st.container(horizontal=True, gap="small", key=f"dl-{spec.key}"):
        if ok:
            st.download_button(
                _t("png", lang),
                data=_guarded(lambda: to_png(spec, lang), lambda: placeholder_png(spec, lang, scale=2),
                              f"png {spec.key}"),
                file_name=safe_filename(spec.filename_stem, ext="png"),
                mime="image/png",
                key=f"dl-png-{spec.key}",
                help=_t("png_help", lang).format(w=export_size(spec)[0], h=export_size(spec)[1]),
                on_click="ignore",
                icon=":material/image:",
            )
            st.download_button(
                _t("svg", lang),
                data=_guarded(lambda: to_svg(spec, lang), lambda: placeholder_svg(spec, lang), f"svg {spec.key}"),
                file_name=safe_filename(spec.filename_stem, ext="svg"),
                mime="image/svg+xml",
                key=f"dl-svg-{spec.key}",
                help=_t("svg_help", lang),
                on_click="ignore",
                icon=":material/draw:",
            )
        st.download_button(
            _t("html", lang),
            data=lambda: to_html(spec, lang),  # no browser needed; plotly.io.to_html only
            file_name=safe_filename(spec.filename_stem, ext="html"),
            mime="text/html",
            key=f"dl-html-{spec.key}",
            help=_t("html_help", lang),
            on_click="ignore",
            icon=":material/code:",
        )


def briefing_pack(specs: list[ChartSpec], *, title: str, subtitle: str, sources: list[str], lang: str,
                  key: str) -> None:
    """Two buttons that build the briefing pack (PowerPoint, PDF) for these charts when clicked."""
    ok, _reason = export_available(start=False)
    if ok:
        warm_up()
    elif specs:
        st.caption(_t("pack_no_browser", lang))

    specs = list(specs)
    sources = list(sources)
    stem = safe_filename(_t("pack_prefix", lang), subtitle, ext="")

    def pack_kwargs() -> dict:
        return dict(title=title, subtitle=subtitle, generated=_today(), sources=sources, lang=lang)

    with st.container(horizontal=True, gap="small", key=f"pack-{key}"):
        st.download_button(
            _t("pack_pptx", lang),
            data=lambda: build_pptx(specs, **pack_kwargs()),
            file_name=f"{stem}.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key=f"pack-pptx-{key}",
            help=_t("pack_help", lang),
            on_click="ignore",
            icon=":material/slideshow:",
            disabled=not specs,
        )
        st.download_button(
            _t("pack_pdf", lang),
            data=lambda: build_pdf(specs, **pack_kwargs()),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key=f"pack-pdf-{key}",
            help=_t("pack_help", lang),
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            disabled=not specs,
        )
