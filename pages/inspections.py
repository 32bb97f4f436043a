"""Inspections: the indicators listed for this page in ui/pages.yaml, by region and over years."""

from __future__ import annotations

from ui import bootstrap, components, filters, queries

bootstrap.require_entry()

components.indicator_page("inspections", queries.source(), filters.current())
