"""Which indicators a page shows, read from ``pages.yaml``.

Keeping the lists in a data file means adding an indicator to a page is an
edit to one YAML line, reviewed by people who know the reports, not code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

PAGES_FILE = Path(__file__).with_name("pages.yaml")


@lru_cache(maxsize=1)
def _pages() -> dict[str, dict[str, list[str]]]:
    with PAGES_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def indicator_ids(page: str, group: str = "indicators") -> tuple[str, ...]:
    """The indicator ids a page declares for one of its groups (empty if none)."""
    return tuple(_pages().get(page, {}).get(group) or ())


def all_declared() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every page's groups, for tests that check the ids exist in the warehouse."""
    return {page: {g: tuple(ids or ()) for g, ids in groups.items()} for page, groups in _pages().items()}
