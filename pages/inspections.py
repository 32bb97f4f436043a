"""Inspections: the indicators listed for this page in ui/pages.yaml, by region and over years."""

from __future__ import annotations

from ui import components, filters, queries

components.indicator_page("inspections", queries.source(), filters.current())
