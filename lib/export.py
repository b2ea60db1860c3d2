"""Chart export: PNG/SVG/HTML files and the briefing pack (PowerPoint and PDF).

Pure Python: no Streamlit here, so it can be tested and used from scripts. The UI lives in ``lib/downloads.py``.

Static images come from kaleido 1.x driving the system Chromium (see TOOLING-NOTES §3):

- one kaleido "sync server" per process, started lazily and at most once (``_ensure_server``);
- every export holds ``_EXPORT_LOCK``, because kaleido's server hands results back in queue order and concurrent
  callers (Streamlit runs one thread per session) would otherwise receive each other's images;
- kaleido is never allowed to download a browser: we only use ``BROWSER_PATH`` or a Chromium already on the machine.
"""

from __future__ import annotations

import html
import io
import logging
import math
import os
import re
import shutil
import textwrap
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from lib.i18n import t

_LOG = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------------------------
# Constants and labels
# --------------------------------------------------------------------------------------------------------------------

EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 675
EXPORT_SCALE = 2
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"



# --------------------------------------------------------------------------------------------------------------------
# The chart description passed around by the pages
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class ChartSpec:
    """A chart plus everything an exported file must say about it (all text already in the chosen language)."""

    key: str  # stable id, e.g. "overview-ranking"; used for widget keys
    figure: go.Figure  # the on-screen figure (title + source annotation already set); never mutated here
    title: str  # indicator, unit, period
    filename_stem: str  # ASCII-safe, no extension
    filters: str  # the active filters as one line
    source: str  # the source line
    as_of: str  # the data's as-of dates as text
    notes: str = ""  # longer notes: sources with URLs, as-of dates


# --------------------------------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9_]+", "-", text)  # "_" survives so an existing stem keeps its part separators
    return re.sub(r"-*_[-_]*", "_", text).strip("-_")


def safe_filename(*parts: str, ext: str) -> str:
    """An ASCII-safe, readable file name: diacritics stripped, đ→d, lower case, other characters → "-", parts joined
    by "_".

    >>> safe_filename("Tỷ lệ DVCTT mức độ 4", "4 tỉnh", "2020-2024", ext="png")
    'ty-le-dvctt-muc-do-4_4-tinh_2020-2024.png'
    """
    slugs = [s for s in (_ascii_slug(p) for p in parts if p is not None) if s]
    stem = "_".join(slugs)[:150].strip("-_") or "chart"
    ext = _ascii_slug(ext)
    return f"{stem}.{ext}" if ext else stem


def plotly_config(spec: ChartSpec) -> dict:
    """Config for ``st.plotly_chart`` so Plotly's own camera button uses the same file name and scale."""
    return {
        "toImageButtonOptions": {
            "format": "png",
            "filename": spec.filename_stem,
            "scale": EXPORT_SCALE,
        },
        "displaylogo": False,
    }


# --------------------------------------------------------------------------------------------------------------------
# The print figure
# --------------------------------------------------------------------------------------------------------------------


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for para in str(text or "").split("\n"):
        lines.extend(textwrap.wrap(para, width=width, break_long_words=True, break_on_hyphens=False) or [""])
    return [line for line in lines if line.strip()] or []


def _prefixed(text: str, prefix: str) -> str:
    """``"Nguồn: …"`` unless the text already starts with that label."""
    text = (text or "").strip()
    if not text or text.lower().startswith(prefix.lower()):
        return text
    return f"{prefix}: {text}"


# --- measuring text with the same font Chromium uses for the export (DejaVu Sans) ---------------------------------

_TAG_RE = re.compile(r"<[^>]+>")


@lru_cache(maxsize=16)
def _pil_font(size: int, bold: bool = False):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size)
    except OSError:
        return None


def _text_w(text: str, size: float = 12, bold: bool = False) -> float:
    """Width in CSS px of one line of text in DejaVu Sans (an over-estimate for Arial/Liberation, which are narrower)."""
    text = html.unescape(_TAG_RE.sub("", str(text)))
    font = _pil_font(int(round(size)), bold)
    if font is None:
        return 0.62 * size * len(text)
    return float(font.getlength(text))


def _wrap_px(text: str, max_px: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``max_px`` pixels (explicit newlines kept; over-long words broken)."""
    lines: list[str] = []
    for para in str(text or "").split("\n"):
        line = ""
        for word in para.split():
            candidate = f"{line} {word}" if line else word
            if _text_w(candidate, size, bold) <= max_px:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _text_w(word, size, bold) > max_px and len(word) > 1:  # a URL longer than the line
                cut = max(1, int(len(word) * max_px / _text_w(word, size, bold)) - 1)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    return lines


def _is_cartesian(trace) -> bool:
    try:
        return "xaxis" in trace._valid_props  # noqa: SLF001 - plotly has no public "is cartesian" test
    except AttributeError:
        return False


def _str_values(values) -> list[str]:
    if values is None:
        return []
    try:
        return [str(v) for v in values if isinstance(v, str)]
    except TypeError:
        return []


def _legend_shown(fig: go.Figure) -> bool:
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    shown = [t for t in fig.data if t.showlegend is not False]
    return len(shown) >= 2 or any(t.type == "pie" for t in fig.data)


def _has_colorbar(fig: go.Figure) -> bool:
    scale_types = {"choropleth", "choroplethmap", "choroplethmapbox", "heatmap", "contour", "histogram2d",
                   "histogram2dcontour", "densitymap", "densitymapbox", "surface"}
    for t in fig.data:
        if t.type in scale_types and getattr(t, "showscale", None) is not False and not getattr(t, "coloraxis", None):
            return True
        marker = getattr(t, "marker", None)
        if marker is not None and getattr(marker, "showscale", None):
            return True
    used = {getattr(t, "coloraxis", None) or getattr(getattr(t, "marker", None), "coloraxis", None) for t in fig.data}
    return any(ax and fig.layout[ax].showscale is not False for ax in used)


_PAD = 24  # canvas padding (px) for the title, filters and footer


def export_height(spec: ChartSpec, height: int = EXPORT_HEIGHT) -> int:
    """The print figure's height: the page's, or the screen chart's plus the header and footer if taller."""
    return max(height, int(spec.figure.layout.height or 0) + 120)


def export_size(spec: ChartSpec, scale: float = EXPORT_SCALE) -> tuple[int, int]:
    """The PNG's real size in pixels, for the download's help text (a 63-province ranking is tall)."""
    return int(EXPORT_WIDTH * scale), int(export_height(spec) * scale)


def export_figure(spec: ChartSpec, lang: str, *, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT) -> go.Figure:
    """A new figure sized for print that carries the title, the filters, the source line and the as-of date.

    ``spec.figure`` is deep-copied, never changed. Annotations placed below the plot area (the on-screen source line)
    are replaced by this function's footer so the source is not printed twice. A horizontal legend is moved just above
    the footer.

    Plotly cannot pin an annotation to the canvas, only to the plot area, and it grows margins for long tick labels and
    legends. So the margins are *measured* here (DejaVu Sans metrics for category labels and legend names) and set
    generously enough that Plotly has no reason to grow them, which keeps the footer exactly where it is put.
    """
    fig = go.Figure(spec.figure)  # deep copy (plotly copies the data and layout)
    # A chart drawn taller on screen than the print page (a ranking of 63 provinces) keeps its height,
    # so that every label stays readable.
    height = export_height(spec, height)
    base_size = float(fig.layout.font.size or 12)
    text_px = width - 2 * _PAD

    title_lines = _wrap_px(spec.title, text_px, 18, bold=True)[:3] or [" "]
    filter_lines = _wrap_px(_prefixed(spec.filters, t("export_filters", lang)), text_px, 13)[:2]
    footer_lines = _wrap_px(_prefixed(spec.source, t("export_source", lang)), text_px, 11)[:3]
    if spec.as_of:
        footer_lines += _wrap_px(_prefixed(spec.as_of, t("export_as_of", lang)), text_px, 11)[:2]
    footer_h = 15 * len(footer_lines)

    # ---- horizontal space ---------------------------------------------------------------------------------------
    cartesian = [t for t in fig.data if _is_cartesian(t)]
    old = fig.layout.margin
    margin_l = float(old.l or 0)
    margin_r = float(old.r or 0)
    if cartesian:
        yfont = float(fig.layout.yaxis.tickfont.size or base_size)
        ylabels = [s for t in cartesian for s in _str_values(t.y)] + _str_values(fig.layout.yaxis.ticktext)
        ytick_w = max((_text_w(s, yfont) for s in ylabels), default=0) if ylabels else 5 * 0.62 * yfont
        ytitle = 26 if fig.layout.yaxis.title.text else 0
        margin_l = max(margin_l, _PAD + ytitle + ytick_w + 12)
    else:
        margin_l = max(margin_l, _PAD)
    margin_r = max(margin_r, _PAD + 6)

    legend = fig.layout.legend
    show_legend = _legend_shown(fig)
    legend_inside = (legend.x is not None and 0 <= legend.x <= 1 and legend.y is not None and 0 <= legend.y <= 1)
    legend_font = float(legend.font.size or base_size)
    names = [str(t.name) for t in fig.data if t.name and t.showlegend is not False]
    legend_title = str(legend.title.text or "")
    horizontal_legend = show_legend and not legend_inside and legend.orientation == "h"
    if show_legend and not legend_inside and not horizontal_legend:
        legend_w = max([_text_w(n, legend_font) for n in names] + [_text_w(legend_title, legend_font)], default=0)
        margin_r = max(margin_r, _PAD + 0.02 * (width - margin_l - margin_r) + 40 + legend_w + 14)
    if _has_colorbar(fig):
        margin_r = max(margin_r, _PAD + 110)
    plot_w = max(width - margin_l - margin_r, 50)

    # ---- vertical space ---------------------------------------------------------------------------------------
    # Title and filters are one Plotly title (pinned to the canvas top); every line takes ~23.5 px (1.3 × 18 px).
    header_lines = len(title_lines) + len(filter_lines)
    margin_t = max(float(old.t or 0), 9 + 23.5 * header_lines + 22)

    legend_h = 0.0
    if horizontal_legend:
        per_row = text_px - (_text_w(legend_title, legend_font) + 10 if legend_title else 0)
        items = [40 + _text_w(n, legend_font) + 10 for n in names]
        rows, used = 1, 0.0
        for w in items:
            if used and used + w > per_row:
                rows, used = rows + 1, 0.0
            used += w
        legend_h = rows * (legend_font + 10) + 6

    axis_room = 10.0
    if cartesian:
        xfont = float(fig.layout.xaxis.tickfont.size or base_size)
        xlabels = list(dict.fromkeys(s for t in cartesian for s in _str_values(t.x)))
        max_w = max((_text_w(s, xfont) for s in xlabels), default=0.0)
        angle = fig.layout.xaxis.tickangle
        if isinstance(angle, (int, float)):
            a = math.radians(abs(angle))
            tick_h = max_w * math.sin(a) + xfont * math.cos(a)
        elif not xlabels or max_w + 10 <= plot_w / len(xlabels):
            tick_h = xfont + 6  # labels fit side by side
        elif plot_w / len(xlabels) >= 2.2 * xfont:
            tick_h = 0.5 * max_w + xfont  # Plotly tilts them by 30°
        else:
            tick_h = max_w + 6  # Plotly turns them by 90°
        axis_room = 14 + tick_h + (32 if fig.layout.xaxis.title.text else 0)
    margin_b = max(float(old.b or 0), axis_room + legend_h + footer_h + 16)
    plot_h = max(height - margin_t - margin_b, 50)

    # ---- footer (annotations are placed in plot-area fractions, so convert from pixels) ------------------------
    kept = [
        a for a in (fig.layout.annotations or ())
        if not ((a.yref in (None, "paper")) and a.y is not None
                and (a.y < 0 or (a.y == 0 and (a.yshift or 0) < 0)))
    ]
    footer = go.layout.Annotation(
        text="<br>".join(html.escape(line, quote=False) for line in footer_lines),
        xref="paper", yref="paper",
        x=-(margin_l - _PAD) / plot_w, xanchor="left",
        y=-(margin_b - 8) / plot_h, yanchor="bottom",
        align="left", showarrow=False,
        font=dict(size=11, color="#444444", family=FONT_FAMILY),
    )
    fig.layout.annotations = [*kept, footer] if footer_lines else kept

    if horizontal_legend:
        fig.update_layout(legend=dict(xref="container", yref="container", x=_PAD / width, xanchor="left",
                                      y=(8 + footer_h + 6) / height, yanchor="bottom"))

    header_html = "<br>".join(
        [f"<b>{html.escape(line, quote=False)}</b>" for line in title_lines]
        + [f'<span style="font-size:13px;color:#555555">{html.escape(line, quote=False)}</span>'
           for line in filter_lines]
    )
    fig.update_layout(
        width=width,
        height=height,
        autosize=False,
        paper_bgcolor="white",
        plot_bgcolor=fig.layout.plot_bgcolor or "white",  # keeps the heatmap's grey "no data" cells
        font=dict(family=FONT_FAMILY, color="#222222"),
        # Measured: with yanchor="top" Plotly draws a multi-line title 13 px too high, so move it down by that much.
        # (Plotly's separate title.subtitle is not used: its second line overlaps the first.)
        title=dict(
            text=header_html,
            subtitle=dict(text=""),  # drop an on-screen subtitle: the filters line replaces it
            x=_PAD / width, xanchor="left", xref="container",
            y=1 - (14 + (13 if header_lines > 1 else 0)) / height, yanchor="top", yref="container",
            font=dict(size=18, color="#111111", family=FONT_FAMILY),
            pad=dict(l=0, t=0, b=0, r=0),
        ),
        margin=dict(t=margin_t, b=margin_b, l=margin_l, r=margin_r, autoexpand=True),
    )
    # The default template's grey plot area would vanish on white; keep a light grid where none was set.
    fig.for_each_xaxis(lambda ax: ax.update(gridcolor="#e6e6e6") if ax.gridcolor is None else None)
    fig.for_each_yaxis(lambda ax: ax.update(gridcolor="#e6e6e6") if ax.gridcolor is None else None)
    return fig


# --------------------------------------------------------------------------------------------------------------------
# kaleido management
# --------------------------------------------------------------------------------------------------------------------

_EXPORT_LOCK = threading.Lock()  # serialises every kaleido call (see module docstring)
_START_LOCK = threading.Lock()  # guards the once-only server start
_server_state: dict[str, object] = {"started": False, "error": None}
_PROBE_TIMEOUT_S = 60.0

warnings.filterwarnings("ignore", message="The kopts argument is ignored")


def _find_browser() -> str | None:
    """The Chromium/Chrome to use, or None. Sets ``BROWSER_PATH`` so kaleido never looks elsewhere (or downloads)."""
    candidates = [os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "chrome")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            os.environ["BROWSER_PATH"] = path
            return path
    return None


def _server_thread_alive() -> bool:
    try:
        import kaleido

        thread = getattr(kaleido._global_server, "_thread", None)  # noqa: SLF001 - no public health check
        return thread is None or thread.is_alive()
    except Exception:  # noqa: BLE001
        return True


def _ensure_server() -> None:
    """Start kaleido's sync server once per process and check it with a tiny export; raise RuntimeError if not."""
    if _server_state["started"]:
        if not _server_thread_alive():
            _server_state["error"] = "The kaleido rendering thread stopped (Chromium may have crashed)."
            _server_state["started"] = False
        else:
            return
    if _server_state["error"]:
        raise RuntimeError(str(_server_state["error"]))
    with _START_LOCK:
        if _server_state["started"]:
            return
        if _server_state["error"]:
            raise RuntimeError(str(_server_state["error"]))
        try:
            if _find_browser() is None:
                raise RuntimeError("No Chromium or Chrome browser was found on the server (looked for /usr/bin/chromium).")
            import kaleido

            # mathjax=False: no CDN request from an offline server. plotly.js comes from the plotly package.
            kaleido.start_sync_server(mathjax=False, timeout=60, silence_warnings=True)
            # A server whose browser failed to launch would block forever, so probe it in a thread with a timeout.
            result: dict[str, object] = {}

            def probe() -> None:
                try:
                    with _EXPORT_LOCK:
                        result["png"] = pio.to_image(go.Figure(), format="png", width=20, height=20, scale=1)
                except Exception as exc:  # noqa: BLE001
                    result["error"] = exc

            thread = threading.Thread(target=probe, name="kaleido-probe", daemon=True)
            thread.start()
            thread.join(_PROBE_TIMEOUT_S)
            if thread.is_alive():
                raise RuntimeError(f"Chromium did not answer within {_PROBE_TIMEOUT_S:.0f} s.")
            if "error" in result:
                raise RuntimeError(f"Chromium could not render a test image: {result['error']}")
            _server_state["started"] = True
        except Exception as exc:  # noqa: BLE001
            _LOG.warning("Static image export is unavailable: %s", exc)
            _server_state["error"] = str(exc) if isinstance(exc, RuntimeError) else f"kaleido failed to start: {exc}"
            raise RuntimeError(str(_server_state["error"])) from exc


def export_available(*, start: bool = True) -> tuple[bool, str]:
    """Whether PNG/SVG export works here, and if not why (plain English for the logs; the UI shows its own text).

    With ``start=True`` (default) the kaleido server is started if needed (about 3–5 s the first time in a process).
    With ``start=False`` it only checks that a browser exists and that no earlier start failed: never blocks.
    """
    if _server_state["error"]:
        return False, str(_server_state["error"])
    if _find_browser() is None:
        return False, "No Chromium or Chrome browser was found on the server (looked for /usr/bin/chromium)."
    if not start:
        return True, ""
    try:
        _ensure_server()
    except RuntimeError as exc:
        return False, str(exc)
    return True, ""


_warm_started = False
_warm_lock = threading.Lock()


def warm_up() -> None:
    """Start the kaleido server in a background thread, once per process, so the first click is fast."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True

    def run() -> None:
        try:
            _ensure_server()
        except RuntimeError:
            pass  # already logged; export_available() reports it

    threading.Thread(target=run, name="kaleido-warm-up", daemon=True).start()


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its header."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.size


def _to_image(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    _ensure_server()
    with _EXPORT_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)


# --------------------------------------------------------------------------------------------------------------------
# Single-chart files
# --------------------------------------------------------------------------------------------------------------------


def to_png(spec: ChartSpec, lang: str, scale: float = EXPORT_SCALE, *,
           width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT) -> bytes:
    """PNG of the print figure, ``width*scale`` × ``height*scale`` pixels. Raises RuntimeError without a browser."""
    fig = export_figure(spec, lang, width=width, height=height)
    return _to_image(fig, "png", width, int(fig.layout.height), scale)


def to_svg(spec: ChartSpec, lang: str, *, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT) -> bytes:
    """SVG of the print figure (text stays text). Raises RuntimeError without a browser."""
    fig = export_figure(spec, lang, width=width, height=height)
    return _to_image(fig, "svg", width, int(fig.layout.height), 1)


def to_html(spec: ChartSpec, lang: str) -> bytes:
    """A self-contained interactive HTML page (plotly.js inlined, opens offline). Needs no browser on the server."""
    fig = export_figure(spec, lang)
    page = pio.to_html(
        fig,
        include_plotlyjs=True,
        include_mathjax=False,
        full_html=True,
        config=plotly_config(spec),
        validate=False,
    )
    head = f'<meta charset="utf-8" /><title>{html.escape(spec.title)}</title>'
    page = page.replace("<html>", f'<html lang="{html.escape(lang)}">', 1)
    page = page.replace('<meta charset="utf-8" />', head, 1)
    return page.encode("utf-8")


def placeholder_png(spec: ChartSpec, lang: str, *, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT,
                    scale: float = 1) -> bytes:
    """A plain PNG that says the chart could not be rendered (title, message, source). Needs only Pillow."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(width * scale), int(height * scale)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)

    def font(path: Path, size: int):
        try:
            return ImageFont.truetype(str(path), int(size * scale))
        except OSError:
            return ImageFont.load_default()

    y = int(30 * scale)
    x = int(40 * scale)
    chars = max(30, int((width - 80) / 11))
    for line in _wrap(spec.title, chars)[:3]:
        draw.text((x, y), line, fill="#111111", font=font(FONT_BOLD, 20))
        y += int(28 * scale)
    y += int(40 * scale)
    for key in ("export_failed", "export_failed_hint"):
        draw.text((x, y), t(key, lang), fill="#8a1c1c", font=font(FONT_REGULAR, 18))
        y += int(30 * scale)
    y = h - int(60 * scale)
    for line in [_prefixed(spec.source, t("export_source", lang)), _prefixed(spec.as_of, t("export_as_of", lang))]:
        if line:
            draw.text((x, y), line[:160], fill="#444444", font=font(FONT_REGULAR, 12))
            y += int(18 * scale)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def placeholder_svg(spec: ChartSpec, lang: str) -> bytes:
    """A plain SVG that says the chart could not be rendered."""
    lines = [spec.title, t("export_failed", lang), t("export_failed_hint", lang),
             _prefixed(spec.source, t("export_source", lang))]
    texts = "".join(
        f'<text x="40" y="{50 + 36 * i}" font-family="{FONT_FAMILY}" font-size="{20 if i == 0 else 16}">'
        f"{html.escape(t, quote=False)}</text>"
        for i, t in enumerate(lines) if t
    )
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{EXPORT_WIDTH}" height="{EXPORT_HEIGHT}">'
            f'<rect width="100%" height="100%" fill="white"/>{texts}</svg>').encode("utf-8")


def _png_or_placeholder(spec: ChartSpec, lang: str) -> bytes:
    try:
        return to_png(spec, lang)
    except Exception:  # noqa: BLE001 - a pack without one image beats no pack
        _LOG.exception("PNG export failed for %s; using a placeholder image", spec.key)
        return placeholder_png(spec, lang, scale=EXPORT_SCALE)


def _notes_text(spec: ChartSpec, lang: str) -> str:
    """The speaker notes / PDF notes: filters, source, as-of date, then the long notes."""
    parts = [
        _prefixed(spec.filters, t("export_filters", lang)),
        _prefixed(spec.source, t("export_source", lang)),
        _prefixed(spec.as_of, t("export_as_of", lang)),
    ]
    text = "\n".join(p for p in parts if p)
    if spec.notes.strip():
        text += f"\n\n{t('export_notes', lang)}:\n{spec.notes.strip()}"
    return text


# --------------------------------------------------------------------------------------------------------------------
# Briefing pack: PowerPoint
# --------------------------------------------------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def _chunk_sources(sources: list[str], max_lines: int, chars_per_line: int) -> list[list[str]]:
    """Split the source list into pages of at most ``max_lines`` wrapped lines (a long item gets a page of its own)."""
    pages: list[list[str]] = [[]]
    used = 0
    for src in sources:
        n = max(1, len(_wrap(src, chars_per_line)))
        if pages[-1] and used + n > max_lines:
            pages.append([])
            used = 0
        pages[-1].append(src)
        used += n
    return pages


def _add_runs_with_links(paragraph, text: str, size_pt: float) -> None:
    from pptx.util import Pt

    pos = 0
    for m in _URL_RE.finditer(text):
        if m.start() > pos:
            run = paragraph.add_run()
            run.text = text[pos:m.start()]
            run.font.size = Pt(size_pt)
        run = paragraph.add_run()
        run.text = m.group(0)
        run.font.size = Pt(size_pt)
        run.hyperlink.address = m.group(0)
        pos = m.end()
    if pos < len(text) or not text:
        run = paragraph.add_run()
        run.text = text[pos:]
        run.font.size = Pt(size_pt)


def build_pptx(specs: list[ChartSpec], *, title: str, subtitle: str, generated: str, sources: list[str],
               lang: str) -> bytes:
    """A 16:9 deck: title slide, one slide per chart (image + speaker notes), then the sources slide(s)."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout_title, layout_title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    font_name = "Arial"  # present on every PowerPoint install and has Vietnamese

    # Title slide.
    slide = prs.slides.add_slide(layout_title)
    slide.shapes.title.text = title
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.9), Inches(2.0)
    slide.shapes.title.width, slide.shapes.title.height = Inches(11.5), Inches(1.6)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.9), Inches(3.8), Inches(11.5), Inches(1.6)
    sub.text_frame.text = subtitle
    p = sub.text_frame.add_paragraph()
    p.text = f"{t('export_generated', lang)}: {generated}"
    for para in sub.text_frame.paragraphs:
        for run in para.runs:
            run.font.size = Pt(22)
            run.font.name = font_name

    # One slide per chart.
    for spec in specs:
        slide = prs.slides.add_slide(layout_title_only)
        head = slide.shapes.title
        head.left, head.top, head.width, head.height = Inches(0.5), Inches(0.2), Inches(12.33), Inches(0.9)
        head.text = spec.title
        for para in head.text_frame.paragraphs:
            for run in para.runs:
                run.font.size = Pt(24)
                run.font.name = font_name
        png = _png_or_placeholder(spec, lang)
        w_px, h_px = _png_size(png)
        pic_h = Inches(6.2)
        pic_w = Emu(int(pic_h * w_px / h_px))  # a tall chart (63-province ranking) keeps its proportions
        pic = slide.shapes.add_picture(io.BytesIO(png), int((prs.slide_width - pic_w) / 2), Inches(1.15),
                                       width=pic_w, height=pic_h)
        pic._element.nvPicPr.cNvPr.set("descr", f"{spec.title}. {spec.filters}")  # noqa: SLF001 - alt text
        slide.notes_slide.notes_text_frame.text = _notes_text(spec, lang)

    # Sources slide(s).
    src_list = [s for s in sources if s and s.strip()] or [t("export_none", lang)]
    pages = _chunk_sources(src_list, max_lines=16, chars_per_line=120)
    for i, page in enumerate(pages):
        slide = prs.slides.add_slide(layout_title_only)
        head = slide.shapes.title
        head.left, head.top, head.width, head.height = Inches(0.5), Inches(0.2), Inches(12.33), Inches(0.9)
        head.text = t("export_sources" if i == 0 else "export_sources_cont", lang)
        box = slide.shapes.add_textbox(Inches(0.6), Inches(1.2), Inches(12.1), Inches(5.9))
        tf = box.text_frame
        tf.word_wrap = True
        for j, src in enumerate(page):
            para = tf.paragraphs[0] if j == 0 else tf.add_paragraph()
            _add_runs_with_links(para, f"• {src}", 14)
            para.space_after = Pt(4)
            for run in para.runs:
                run.font.name = font_name

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# Briefing pack: PDF
# --------------------------------------------------------------------------------------------------------------------


def build_pdf(specs: list[ChartSpec], *, title: str, subtitle: str, generated: str, sources: list[str],
              lang: str) -> bytes:
    """An A4 landscape PDF with the same content as ``build_pptx`` (notes printed under each chart)."""
    from fpdf import FPDF

    class _PDF(FPDF):
        continued_title: str | None = None  # printed at the top of pages the sources list runs onto

        def header(self) -> None:  # noqa: D401 - fpdf2 hook
            if self.continued_title:
                self.set_font("DejaVu", "B", 16)
                self.cell(0, 9, self.continued_title, new_x="LMARGIN", new_y="NEXT")
                self.ln(2)
                self.set_font("DejaVu", size=10)

        def footer(self) -> None:  # noqa: D401 - fpdf2 hook
            self.set_y(-10)
            self.set_font("DejaVu", size=8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, f"{title} · {t('export_generated', lang)}: {generated}", align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"{t('export_page', lang)} {self.page_no()}/{{nb}}", align="R")

    pdf = _PDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("provinces dashboard")
    pdf.add_font("DejaVu", fname=str(FONT_REGULAR))
    pdf.add_font("DejaVu", style="B", fname=str(FONT_BOLD))
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=14)
    epw = pdf.w - pdf.l_margin - pdf.r_margin
    bottom = pdf.h - 14

    # Title page.
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("DejaVu", "B", 26)
    pdf.multi_cell(epw, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", size=15)
    pdf.multi_cell(epw, 8, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", size=12)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(epw, 7, f"{t('export_generated', lang)}: {generated}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    # One page per chart; the image shrinks so that the notes fit on the same page.
    ratio = EXPORT_HEIGHT / EXPORT_WIDTH
    for spec in specs:
        pdf.add_page()
        pdf.start_section(spec.title)  # PDF outline (bookmarks)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(epw, 7, spec.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        notes = _notes_text(spec, lang)
        pdf.set_font("DejaVu", size=9)
        note_lines = pdf.multi_cell(epw, 4.6, notes, dry_run=True, output="LINES") if notes else []
        notes_h = 4.6 * len(note_lines)
        png = _png_or_placeholder(spec, lang)
        w_px, h_px = _png_size(png)
        ratio = h_px / w_px  # this chart's own proportions
        img_h = min(epw * ratio, bottom - pdf.get_y() - notes_h - 4)
        img_h = max(img_h, 90.0)
        img_w = min(img_h / ratio, epw)
        img_h = img_w * ratio
        pdf.image(io.BytesIO(png), x=pdf.l_margin + (epw - img_w) / 2, y=pdf.get_y(), w=img_w, h=img_h,
                  alt_text=f"{spec.title}. {spec.filters}")
        pdf.set_y(pdf.get_y() + img_h + 3)
        if notes:
            pdf.set_font("DejaVu", size=9)
            pdf.set_text_color(50, 50, 50)
            pdf.multi_cell(epw, 4.6, notes, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)

    # Sources page(s): fpdf2 continues on a new page when the list is long.
    pdf.add_page()
    pdf.start_section(t("export_sources", lang))
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(epw, 9, t("export_sources", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.continued_title = t("export_sources_cont", lang)
    pdf.set_font("DejaVu", size=10)
    src_list = [s for s in sources if s and s.strip()] or [t("export_none", lang)]
    for src in src_list:
        pos = 0
        pdf.write(5.2, "• ")
        for m in _URL_RE.finditer(src):
            pdf.write(5.2, src[pos:m.start()])
            pdf.set_text_color(20, 70, 160)
            pdf.write(5.2, m.group(0), link=m.group(0))
            pdf.set_text_color(0, 0, 0)
            pos = m.end()
        pdf.write(5.2, src[pos:])
        pdf.ln(7)

    return bytes(pdf.output())
