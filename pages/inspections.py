"""Inspections: units inspected (random, joint, special), violations found and source-data checks,
by region and over the years. Which indicators appear is declared in ui/pages.yaml."""

from __future__ import annotations

from ui import bootstrap, components

bootstrap.require_entry()
components.standard_page("inspections", sections=("methods", "findings"))
