"""Outreach page on the seed warehouse."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_indicator_page


def test_outreach_page(open_page, seed_db: Path) -> None:
    assert_indicator_page(open_page, seed_db, "pages/outreach.py", "outreach")
