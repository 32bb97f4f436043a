"""Per-page widget keys of the rankings and brief pages, in one place.

The URL-state helper of ``ui/filters.py`` can bind these (indicator, level,
tab, selected region) without hunting through the pages.
"""

from __future__ import annotations

RANKINGS = {
    "metric": "rk_metric",
    "year": "rk_year",
    "level": "rk_level",
    "tab": "rk_tab",
    "show_all": "rk_all",
    "chart": "rk_chart",
    "map": "rk_map",
    "slope": "rk_slope",
    "slope_tab": "rk_slope_tab",
}
BRIEF = {
    "bureau": "bureau",
    "year": "brief_year",
    "pdf": "brief_pdf",
}
