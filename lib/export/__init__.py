"""Chart export: the chart description, the print layout, the renderer (PNG/SVG/HTML) and the briefing packs.

- `spec.py`    ChartSpec, file names, the camera button's config, the print sizes (light: no plotly.io, no kaleido);
- `layout.py`  the print figure: title, filters, source line and as-of dates around the chart; its size;
- `render.py`  the renderer around kaleido (one server, one lock) and the single-chart files;
- `packs.py`   the PowerPoint and PDF briefing packs.

The names below can be imported from ``lib.export``; each submodule is imported only when one of its names
is first asked for, so ``from lib.export.spec import ChartSpec`` (the view layer) stays light.
No Streamlit here: the buttons are lib/downloads.py.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "spec": ("EXPORT_HEIGHT", "EXPORT_SCALE", "EXPORT_WIDTH", "ChartSpec", "plotly_config", "safe_filename",
             "screen_config"),
    "layout": ("FONT_FAMILY", "export_figure", "export_height", "export_size", "notes_text"),
    "render": ("RENDERER", "Renderer", "export_available", "placeholder_png", "placeholder_svg", "to_html",
               "to_png", "to_svg", "warm_up"),
    "packs": ("build_pdf", "build_pptx"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'lib.export' has no attribute {name!r}")
    return getattr(importlib.import_module(f"lib.export.{module}"), name)
