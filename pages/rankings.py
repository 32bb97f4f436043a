"""Rankings & map: one indicator, ratio or shortfall share for one year across the regions of a level,
as sorted bars, a table and a choropleth; the change over the years among like regions."""

from __future__ import annotations

from ui import bootstrap, rankings

bootstrap.require_entry()
rankings.render()
