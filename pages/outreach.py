"""Outreach: events, person-times reached, people trained, materials and units notified.
Which indicators appear is declared in ui/pages.yaml."""

from __future__ import annotations

from ui import bootstrap, components

bootstrap.require_entry()
components.standard_page("outreach", sections=("activity",))
