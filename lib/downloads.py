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

from lib.export.formats import FORMATS, file_name, file_stem
from lib.export.layout import export_size
from lib.export.packs import build_pdf, build_pptx
from lib.export.render import export_available, placeholder_png, placeholder_svg, to_html, to_png, to_svg, warm_up
from lib.export.spec import EXPORT_SCALE, ChartSpec
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


def download(fmt: str, data: Callable[[], bytes], *, stem: str, lang: str, key: str, disabled: bool = False,
             **help_args) -> None:
    """One download button of the registry's format `fmt` (lib.export.formats): its words, icon, MIME type and
    the file's extension from there; the file is built only when clicked."""
    f = FORMATS[fmt]
    st.download_button(t(f.label, lang), data=data, file_name=file_name(stem, fmt), mime=f.mime, key=key,
                       help=t(f.help, lang, **help_args) if f.help else None, on_click="ignore", icon=f.icon,
                       disabled=disabled)


def chart_downloads(spec: ChartSpec, lang: str) -> None:
    """PNG, SVG and HTML download buttons for one chart, in one row."""
    ok, _reason = export_available(start=False)
    if ok:
        warm_up()  # start Chromium in the background once per process, so the first click is quick
    else:
        st.info(t("dl_no_browser", lang), icon=":material/info:")

    builds = {
        "png": _guarded(lambda: to_png(spec, lang), lambda: placeholder_png(spec, lang, scale=EXPORT_SCALE),
                        f"png {spec.key}"),
        "svg": _guarded(lambda: to_svg(spec, lang), lambda: placeholder_svg(spec, lang), f"svg {spec.key}"),
        "html": lambda: to_html(spec, lang),  # no browser needed; plotly.io.to_html only
    }
    w, h = export_size(spec)
    with st.container(horizontal=True, gap="small", key=f"dl-{spec.key}"):
        for fmt, build in builds.items():
            if ok or not FORMATS[fmt].browser:
                download(fmt, build, stem=spec.filename_stem, lang=lang, key=f"dl-{fmt}-{spec.key}", w=w, h=h)


def pack_stem(key: str, subtitle: str, lang: str) -> str:
    """Each page's pack its own file name: 'bao-cao-tom-tat_tong-quan_…' (overview), '…_so-sanh_…' (compare)."""
    from lib.navigation import page_by_name

    return file_stem("pack", lang, page_by_name(key).url_path, subtitle)


def briefing_pack(specs: list[ChartSpec], *, title: str, subtitle: str, sources: list[str], lang: str,
                  key: str, targets: list[str] | Callable[[], list[str]] | None = None) -> None:
    """Two buttons that build the briefing pack (PowerPoint, PDF) for these charts when clicked (`targets`: the
    lines, or a function that makes them then)."""
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
                    targets=list((targets() if callable(targets) else targets) or []))

    with st.container(horizontal=True, gap="small", key=f"pack-{key}"):
        for fmt, build in (("pack-pptx", build_pptx), ("pack-pdf", build_pdf)):
            download(fmt, lambda build=build: build(specs, **pack_kwargs()),  # built only when clicked
                     stem=stem, lang=lang, key=f"pack-{FORMATS[fmt].ext}-{key}", disabled=not specs)
