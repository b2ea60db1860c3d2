"""Download buttons for charts and the briefing pack (Streamlit UI over ``lib/export/``).

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
from collections.abc import Callable
from datetime import datetime

import streamlit as st

from lib.export.layout import export_size
from lib.export.packs import build_pdf, build_pptx
from lib.export.render import export_available, placeholder_png, placeholder_svg, to_html, to_png, to_svg, warm_up
from lib.export.spec import EXPORT_SCALE, ChartSpec, safe_filename
from lib.i18n import t

_LOG = logging.getLogger(__name__)


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
        st.info(t("dl_no_browser", lang), icon=":material/info:")

    with st.container(horizontal=True, gap="small", key=f"dl-{spec.key}"):
        if ok:
            st.download_button(
                t("dl_png", lang),
                data=_guarded(lambda: to_png(spec, lang), lambda: placeholder_png(spec, lang, scale=EXPORT_SCALE),
                              f"png {spec.key}"),
                file_name=safe_filename(spec.filename_stem, ext="png"),
                mime="image/png",
                key=f"dl-png-{spec.key}",
                help=t("dl_png_help", lang).format(w=export_size(spec)[0], h=export_size(spec)[1]),
                on_click="ignore",
                icon=":material/image:",
            )
            st.download_button(
                t("dl_svg", lang),
                data=_guarded(lambda: to_svg(spec, lang), lambda: placeholder_svg(spec, lang), f"svg {spec.key}"),
                file_name=safe_filename(spec.filename_stem, ext="svg"),
                mime="image/svg+xml",
                key=f"dl-svg-{spec.key}",
                help=t("dl_svg_help", lang),
                on_click="ignore",
                icon=":material/draw:",
            )
        st.download_button(
            t("dl_html", lang),
            data=lambda: to_html(spec, lang),  # no browser needed; plotly.io.to_html only
            file_name=safe_filename(spec.filename_stem, ext="html"),
            mime="text/html",
            key=f"dl-html-{spec.key}",
            help=t("dl_html_help", lang),
            on_click="ignore",
            icon=":material/code:",
        )


def pack_stem(key: str, subtitle: str, lang: str) -> str:
    """Each page's pack its own file name: 'bao-cao-tom-tat_tong-quan_…' (overview), '…_so-sanh_…' (compare)."""
    from lib.navigation import page_by_name

    return safe_filename(t("dl_pack_prefix", lang), page_by_name(key).url_path, subtitle, ext="")


def briefing_pack(specs: list[ChartSpec], *, title: str, subtitle: str, sources: list[str], lang: str,
                  key: str, targets: list[str] | None = None) -> None:
    """Two buttons that build the briefing pack (PowerPoint, PDF) for these charts when clicked."""
    ok, _reason = export_available(start=False)
    if ok:
        warm_up()
    elif specs:
        st.caption(t("dl_pack_no_browser", lang))

    specs = list(specs)
    sources = list(sources)
    stem = pack_stem(key, subtitle, lang)

    def pack_kwargs() -> dict:
        return dict(title=title, subtitle=subtitle, generated=_today(), sources=sources, lang=lang,
                    targets=list(targets or []))

    formats = (("pptx", build_pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                ":material/slideshow:"),
               ("pdf", build_pdf, "application/pdf", ":material/picture_as_pdf:"))
    with st.container(horizontal=True, gap="small", key=f"pack-{key}"):
        for ext, build, mime, icon in formats:
            st.download_button(
                t(f"dl_pack_{ext}", lang),
                data=lambda build=build: build(specs, **pack_kwargs()),  # built only when clicked
                file_name=f"{stem}.{ext}", mime=mime, key=f"pack-{ext}-{key}", help=t("dl_pack_help", lang),
                on_click="ignore", icon=icon, disabled=not specs,
            )
