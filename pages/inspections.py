"""Inspections: units inspected (random, joint, special), violations found and source-data checks,
by region and over the years. Which indicators appear is declared in ui/pages.yaml."""

from __future__ import annotations

from ui import bootstrap, components, filters, queries

bootstrap.require_entry()

src = queries.source()
f = filters.current()
shown = components.indicator_page("inspections", src, f)
if shown is not None:
    level, _ = shown
    components.group_section("inspections", "methods", src, f, level)
    components.group_section("inspections", "findings", src, f, level)
