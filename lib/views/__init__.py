"""What each page shows, as plain functions of (frames, view observations, filter state): one module per page
(overview, compare, timeline, profile, sources) and `shared` for what they share; `targets` and `describe`
serve several pages. Pages call these and only render the result, so the logic is tested without Streamlit.

This package also re-exports the page modules' functions (`views.ranking_spec`), for the tests and the
downloads that read several pages at once.
"""

from __future__ import annotations

from lib.views.compare import (  # noqa: F401
    child_indicators,
    compare_specs,
    latest_normalised,
    scatter_spec,
    scatter_years,
    subindex_spec,
    widest_other,
)
from lib.views.overview import (  # noqa: F401
    MOVEMENT_MIN_SHARE,
    map_figure_of,
    map_spec,
    movement_spec,
    official_34_table,
    overview_ranking,
    published_rank_of,
    rank_change_text,
    ranking_spec,
    ranks_printed,
    standing,
    value_change_text,
)
from lib.views.shared import (  # noqa: F401
    DATES_SHOWN,
    NAMES_SHOWN,
    PRINT_TABLE_ROWS,
    _same_basis,
    as_of_text,
    chart_file_name,
    cited_sources,
    coverage_note,
    derived_text,
    filters_line,
    in_period,
    indicator_titles,
    labels_for,
    make_spec,
    md_labels,
    merger_notes,
    not_combinable_notes,
    notes_text,
    numbers_table,
    pack_texts,
    plot_labels,
    reads,
    targets_of,
)
from lib.views.sources import (  # noqa: F401
    coverage_matrix,
    data_table,
    dataset_counts,
    display_table,
    localise_sources,
    sources_table,
    web_links_only,
)
from lib.views.timeline import (  # noqa: F401
    agreements_in,
    events_of,
    events_table,
    numbered_events,
    timeline_inputs,
    timeline_specs,
    timeline_units,
)
