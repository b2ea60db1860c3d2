"""The single-chart files (PNG, SVG, HTML, and the placeholders that stand in for an image that could not
be made) and the renderer behind PNG and SVG.

Static images come from kaleido 1.x driving the system Chromium (see TOOLING-NOTES §3). `Renderer` is the
one place that talks to kaleido:

- one kaleido "sync server" per process, started lazily and at most once (`Renderer._ensure_started`);
- every export holds the renderer's lock, because kaleido's server hands results back in queue order and
  concurrent callers (Streamlit runs one thread per session) would otherwise receive each other's images;
- kaleido is never allowed to download a browser: only ``BROWSER_PATH`` or a Chromium already on the machine.

kaleido's server is global to the process, so there is one `RENDERER`; `export_available` and `warm_up`
ask it. HTML needs no browser (plotly.io.to_html only). No Streamlit here.
"""

from __future__ import annotations

import contextlib
import html
import io
import itertools
import logging
import os
import shutil
import struct
import threading
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from lib.export.layout import FONT_BOLD, FONT_FAMILY, FONT_REGULAR, export_figure, prefixed, wrap
from lib.export.spec import EXPORT_HEIGHT, EXPORT_SCALE, EXPORT_WIDTH, ChartSpec, plotly_config
from lib.i18n import t

_LOG = logging.getLogger(__name__)
# With the server running, plotly warns that its kaleido options are ignored: they are, on purpose.
_KOPTS_WARNING = "The kopts argument is ignored"
warnings.filterwarnings("ignore", message=_KOPTS_WARNING)
NO_BROWSER = "No Chromium or Chrome browser was found on the server (looked for /usr/bin/chromium)."


def find_browser() -> str | None:
    """The Chromium/Chrome to use, or None. Sets ``BROWSER_PATH`` so kaleido never looks elsewhere (or downloads)."""
    candidates = itertools.chain(  # lazily: asked on every run, and a search of PATH per name is not free
        (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"),
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "chrome")))
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            os.environ["BROWSER_PATH"] = path
            return path
    return None


class Renderer:
    """kaleido's sync server, started once, and the lock that serialises every export through it."""

    PROBE_TIMEOUT_S = 60.0  # a browser that fails to launch would block forever: the first probe gives up after this

    def __init__(self, browser: Callable[[], str | None] = find_browser):
        self._browser = browser
        self._lock = threading.Lock()  # serialises every kaleido call (see the module docstring)
        self._start_lock = threading.Lock()  # guards the once-only server start
        self._started = False
        self._error: str | None = None  # why the server could not start (then it is never tried again)
        self._warm_started = False

    def available(self, *, start: bool = True) -> tuple[bool, str]:
        """Whether PNG/SVG export works here, and if not why (plain English for the logs; the UI shows its own text).

        With ``start=True`` the server is started if needed (about 3–5 s the first time in a process).
        With ``start=False`` it only checks that a browser exists and that no earlier start failed: never blocks.
        """
        if self._error:
            return False, self._error
        if self._browser() is None:
            return False, NO_BROWSER
        if not start:
            return True, ""
        try:
            self._ensure_started()
        except RuntimeError as exc:
            return False, str(exc)
        return True, ""

    def warm_up(self) -> None:
        """Start the server in a background thread, once, so the first click is fast."""
        if self._warm_started:  # every chart of every run asks: no lock once it is done (a convoy under load)
            return
        with self._start_lock:
            if self._warm_started:
                return
            self._warm_started = True

        def run() -> None:
            with contextlib.suppress(RuntimeError):  # already logged; available() reports it
                self._ensure_started()

        threading.Thread(target=run, name="kaleido-warm-up", daemon=True).start()

    def to_image(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
        """The figure as PNG or SVG bytes; RuntimeError without a working browser."""
        self._ensure_started()
        with self._lock, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_KOPTS_WARNING)
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)

    def _thread_alive(self) -> bool:
        try:
            import kaleido

            thread = getattr(kaleido._global_server, "_thread", None)  # noqa: SLF001 - no public health check
            return thread is None or thread.is_alive()
        except Exception:  # noqa: BLE001
            return True

    def _ensure_started(self) -> None:
        """Start kaleido's sync server once and check it with a tiny export; raise RuntimeError if not."""
        if self._started:
            if self._thread_alive():
                return
            self._error = "The kaleido rendering thread stopped (Chromium may have crashed)."
            self._started = False
        if self._error:
            raise RuntimeError(self._error)
        with self._start_lock:
            if self._started:
                return
            if self._error:
                raise RuntimeError(self._error)
            try:
                if self._browser() is None:
                    raise RuntimeError(NO_BROWSER)
                import kaleido

                # mathjax=False: no CDN request from an offline server. plotly.js comes from the plotly package.
                kaleido.start_sync_server(mathjax=False, timeout=60, silence_warnings=True)
                self._probe()
                self._started = True
            except Exception as exc:  # noqa: BLE001
                _LOG.warning("Static image export is unavailable: %s", exc)
                self._error = str(exc) if isinstance(exc, RuntimeError) else f"kaleido failed to start: {exc}"
                raise RuntimeError(self._error) from exc

    def _probe(self) -> None:
        """A 20 × 20 export in a thread with a timeout: a server whose browser failed to launch blocks forever."""
        result: dict[str, object] = {}

        def probe() -> None:
            try:
                with self._lock:
                    result["png"] = pio.to_image(go.Figure(), format="png", width=20, height=20, scale=1)
            except Exception as exc:  # noqa: BLE001
                result["error"] = exc

        thread = threading.Thread(target=probe, name="kaleido-probe", daemon=True)
        thread.start()
        thread.join(self.PROBE_TIMEOUT_S)
        if thread.is_alive():
            raise RuntimeError(f"Chromium did not answer within {self.PROBE_TIMEOUT_S:.0f} s.")
        if "error" in result:
            raise RuntimeError(f"Chromium could not render a test image: {result['error']}")


RENDERER = Renderer()  # kaleido's server is one per process: so is its renderer


def export_available(*, start: bool = True) -> tuple[bool, str]:
    """Whether PNG/SVG export works here, and if not why (see Renderer.available)."""
    return RENDERER.available(start=start)


def warm_up() -> None:
    """Start Chromium in the background once per process, so the first click is quick."""
    RENDERER.warm_up()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its header."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.size


# --- Single-chart files ---------------------------------------------------------------------------------------------


def to_png(spec: ChartSpec, lang: str, scale: float = EXPORT_SCALE, *,
           width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT) -> bytes:
    """PNG of the print figure, ``width*scale`` × ``height*scale`` pixels. Raises RuntimeError without a browser."""
    fig = export_figure(spec, lang, width=width, height=height)
    return png_with_description(RENDERER.to_image(fig, "png", width, int(fig.layout.height), scale), spec, lang)


def to_svg(spec: ChartSpec, lang: str, *, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT) -> bytes:
    """SVG of the print figure (text stays text). Raises RuntimeError without a browser."""
    fig = export_figure(spec, lang, width=width, height=height)
    return svg_with_description(RENDERER.to_image(fig, "svg", width, int(fig.layout.height), 1), spec, lang)


def svg_with_description(svg: bytes, spec: ChartSpec, lang: str) -> bytes:
    """The SVG with its text alternative: <title> (the chart's title) and <desc> (lib.views.describe) as the
    root's first children, which screen readers and image viewers read, and the language it is in."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    end = text.find(">", start)
    if start < 0 or end < 0:
        return svg
    head = text[start:end]
    self_closing = head.endswith("/")
    lang_attr = "" if " xml:lang=" in head else f' xml:lang="{html.escape(lang)}"'
    inner = f"<title>{html.escape(spec.title)}</title><desc>{html.escape(spec.alt or spec.title)}</desc>"
    if self_closing:
        return svg
    return (text[:end] + lang_attr + ">" + inner + text[end + 1:]).encode("utf-8")


def png_with_description(png: bytes, spec: ChartSpec, lang: str) -> bytes:
    """The PNG with iTXt chunks "Title" and "Description" (UTF-8, the reader's language) after its header:
    the PNG standard's place for an image's text alternative."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return png
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, then the IHDR chunk (length, type, 13 bytes, CRC)
    chunks = b"".join(_itxt(key, text, lang) for key, text in (("Title", spec.title),
                                                                ("Description", spec.alt or spec.title)))
    return png[:ihdr_end] + chunks + png[ihdr_end:]


def _itxt(keyword: str, text: str, lang: str) -> bytes:
    data = keyword.encode("latin-1") + b"\0\0\0" + lang.encode("ascii") + b"\0\0" + text.encode("utf-8")
    body = b"iTXt" + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


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
    for line in wrap(spec.title, chars)[:3]:
        draw.text((x, y), line, fill="#111111", font=font(FONT_BOLD, 20))
        y += int(28 * scale)
    y += int(40 * scale)
    for key in ("export_failed", "export_failed_hint"):
        draw.text((x, y), t(key, lang), fill="#8a1c1c", font=font(FONT_REGULAR, 18))
        y += int(30 * scale)
    y = h - int(60 * scale)
    for line in [prefixed(spec.source, t("export_source", lang)), prefixed(spec.as_of, t("export_as_of", lang))]:
        if line:
            draw.text((x, y), line[:160], fill="#444444", font=font(FONT_REGULAR, 12))
            y += int(18 * scale)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def placeholder_svg(spec: ChartSpec, lang: str) -> bytes:
    """A plain SVG that says the chart could not be rendered."""
    lines = [spec.title, t("export_failed", lang), t("export_failed_hint", lang),
             prefixed(spec.source, t("export_source", lang))]
    texts = "".join(
        f'<text x="40" y="{50 + 36 * i}" font-family="{FONT_FAMILY}" font-size="{20 if i == 0 else 16}">'
        f"{html.escape(t, quote=False)}</text>"
        for i, t in enumerate(lines) if t
    )
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{EXPORT_WIDTH}" height="{EXPORT_HEIGHT}">'
            f'<rect width="100%" height="100%" fill="white"/>{texts}</svg>').encode()


def png_or_placeholder(spec: ChartSpec, lang: str) -> tuple[bytes, str]:
    """The chart's PNG and its alt text; if it cannot be rendered, the placeholder and an alt text that says so."""
    try:
        return to_png(spec, lang), spec.alt or f"{spec.title}. {spec.filters}"
    except Exception:  # noqa: BLE001 - a pack without one image beats no pack
        _LOG.exception("PNG export failed for %s; using a placeholder image", spec.key)
        return placeholder_png(spec, lang, scale=EXPORT_SCALE), f"{spec.title}. {t('export_failed', lang)}"
