"""The data files behind the pages: every declared indicator exists, every label has both languages."""

from __future__ import annotations

from pathlib import Path

from conftest import seed_frame

from ui import catalog, i18n


def test_declared_indicators_exist(seed_db: Path) -> None:
    known = set(seed_frame(seed_db, "SELECT indicator FROM indicators")["indicator"])
    for page, groups in catalog.all_declared().items():
        for group, ids in groups.items():
            assert set(ids) <= known, (page, group, set(ids) - known)


def test_labels_have_both_languages() -> None:
    labels = i18n._labels()
    missing = [key for key, entry in labels.items() if not (entry.get("zh") and entry.get("en"))]
    assert not missing
