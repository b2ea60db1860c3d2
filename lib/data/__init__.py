"""The data layer: data/provinces.yaml → read (safe YAML, lines) → checks → tidy frames.

- `read.py`    the file, read safely in one pass over libyaml's events, and the line of any field;
- `schema.py`  the pydantic models of each record (unknown keys refused);
- `checks.py`  the models, then one check per section (references, duplicates, bounds, dates, mergers);
- `frames.py`  the tidy pandas frames the pages read;
- `cache.py`   a compiled copy of the frames keyed by the YAML's bytes and the loader's version (cold starts).

The names below are the data layer's public face (`from lib.data import load_frames, Frames, …`).
Nothing here imports Streamlit.
"""

from lib.data.cache import load_frames_cached
from lib.data.checks import DateSpan, cross_check, load_dataset, parse_date, plot_date, validate
from lib.data.frames import Frames, load_frames, rows_by_id, to_frames
from lib.data.read import (
                           DEFAULT_MAX_BYTES,
                           DEFAULT_PATH,
                           ENV_MAX_BYTES,
                           ENV_PATH,
                           MAX_PROBLEMS,
                           ROOT,
                           DatasetError,
                           Problem,
                           RawDocument,
                           max_bytes_limit,
                           read_document,
                           resolve_path,
)

__all__ = [
    "DEFAULT_MAX_BYTES", "DEFAULT_PATH", "ENV_MAX_BYTES", "ENV_PATH", "MAX_PROBLEMS", "ROOT", "DatasetError",
    "DateSpan",
    "Frames", "Problem", "RawDocument", "cross_check", "load_dataset", "load_frames", "load_frames_cached",
    "max_bytes_limit",
    "parse_date", "plot_date", "read_document", "resolve_path", "rows_by_id", "to_frames", "validate",
]
