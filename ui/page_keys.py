"""Per-page widget keys of the rankings and brief pages, in one place.

``metric``, ``year``, ``level`` and the ``*tab`` entries are URL parameter names: those choices go
through the URL-state helper of ``ui/filters.py`` (page-scoped, so the brief's
``year`` and the rankings' ``year`` are separate choices). The selected region
is the sidebar's place filter, which is in the URL already.
"""

from __future__ import annotations

RANKINGS = {
    "metric": "metric",
    "year": "year",
    "level": "level",
    "tab": "tab",
    "show_all": "rk_all",
    "chart": "rk_chart",
    "map": "rk_map",
    "slope": "rk_slope",
    "slope_tab": "change_tab",
}
BRIEF = {
    "bureau": "bureau",
    "year": "year",
    "pdf": "brief_pdf",
    "ranks_tab": "ranks_tab",
    "quotes": "brief_quotes",
}
