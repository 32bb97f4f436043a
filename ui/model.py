"""Plain data passed between the sidebar, the queries and the pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: ``doc_type`` filter value meaning "reports and plans alike".
ALL_DOCS = "all"


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; frozen so it can key ``st.cache_data``.

    ``None`` for a region level means "every value"; the year bounds are
    inclusive and ``None`` means unbounded.
    """

    year_min: int | None = None
    year_max: int | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    doc_type: str = "report"

    def as_dict(self) -> dict[str, Any]:
        """For the export's notes sheet."""
        return asdict(self)


@dataclass(frozen=True)
class Source:
    """Which warehouse file, at which version, a cached query reads.

    The version token is part of the cache key so a rebuilt warehouse is
    never answered from an old cache entry.
    """

    db: str
    version: str
