"""What a chart is, for its files: `ChartSpec`, the file names and the print sizes.

Light on purpose: the view layer (lib/views/) builds ChartSpecs on every rerun, so this module imports
neither plotly.io nor kaleido (the print layout is lib.export.layout, the renderer lib.export.render).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lib.i18n import slug

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Every exported image: 1200 × 675 CSS px (16:9, a slide), rendered at scale 2 (2400 px wide, print resolution).
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 675
EXPORT_SCALE = 2


@dataclass(frozen=True)
class ChartSpec:
    """A chart plus everything an exported file must say about it (all text already in the chosen language).

    Frozen: lib.ui.computed replays one spec to every session with the same filters, so a change is a copy
    (`dataclasses.replace(spec, filename_stem=…)`), never an edit of the shared one."""

    key: str  # stable id, e.g. "overview-ranking"; used for widget keys
    figure: go.Figure  # the on-screen figure (title + source annotation already set); never mutated here
    title: str  # indicator, unit, period
    filename_stem: str  # ASCII-safe, no extension
    filters: str  # the active filters as one line
    source: str  # the source line
    as_of: str  # the data's as-of dates as text
    notes: str = ""  # longer notes: sources with URLs, as-of dates
    note: str = ""  # how the figure was computed, in a sentence (shown under the chart, first in the notes)
    cited: tuple[str, ...] = ()  # each source behind the chart as a reader cites it (lib.citations.citation)
    message: str = ""  # one sentence: what the chart shows (printed above it in the packs)
    # its numbers for print: (header, rows), each a tuple of plain strings, () when none; or a function that
    # makes them, called once when a pack is built (the page never shows them): read them as `spec.numbers`
    table: tuple | Callable[[], tuple] = field(default=(), compare=False)
    alt: str = ""  # the text alternative (lib.views.describe): on the page for screen readers, SVG <desc>, PNG

    @property
    def numbers(self) -> tuple:
        """The chart's numbers for print ((header, rows), or ()), made once if `table` is a function."""
        if not callable(self.table):
            return self.table
        made = self.__dict__.get("_numbers")
        if made is None:
            made = self.table()
            object.__setattr__(self, "_numbers", made)  # a cache, not a change: the spec reads the same
        return made


# --- File names -----------------------------------------------------------------------------------------------------


def safe_filename(*parts: str, ext: str) -> str:
    """An ASCII-safe, readable file name: diacritics stripped, đ→d, lower case, other characters → "-", parts joined
    by "_".

    >>> safe_filename("Tỷ lệ DVCTT mức độ 4", "4 tỉnh", "2020-2024", ext="png")
    'ty-le-dvctt-muc-do-4_4-tinh_2020-2024.png'
    """
    slugs = [s for s in (slug(p) for p in parts if p is not None) if s]
    stem = "_".join(slugs)[:150].strip("-_") or "chart"
    ext = slug(ext)
    return f"{stem}.{ext}" if ext else stem


def plotly_config(spec: ChartSpec) -> dict:
    """Config for the interactive HTML download: Plotly's camera button uses the same file name and scale."""
    return {
        "toImageButtonOptions": {
            "format": "png",
            "filename": spec.filename_stem,
            "scale": EXPORT_SCALE,
        },
        "displaylogo": False,
    }


def screen_config() -> dict:
    """Config for ``st.plotly_chart`` on the page: no Plotly toolbar. On a phone it covered the legend, its
    camera's PNG would lack the title and the source line (page text here), and the download buttons under
    each chart give the complete printed chart; Streamlit's own full-screen button stays."""
    return {"displaylogo": False, "displayModeBar": False}
