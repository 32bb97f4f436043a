"""Bureau brief (区县画像): one bureau's indicators, ranks among peers, shortfalls and plan targets,
every number with its quote, printable on one page."""

from __future__ import annotations

from ui import bootstrap, brief

bootstrap.require_entry()
brief.render()
