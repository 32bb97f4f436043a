"""Outreach: events, person-times reached, people trained, materials and units notified.
Which indicators appear is declared in ui/pages.yaml."""

from __future__ import annotations

from ui import bootstrap, components, filters, queries

bootstrap.require_entry()

src = queries.source()
f = filters.current()
shown = components.indicator_page("outreach", src, f)
if shown is not None:
    level, _ = shown
    components.group_section("outreach", "activity", src, f, level)
