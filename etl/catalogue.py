"""The indicator catalogue, shortfall themes and target indicators from ``etl/spec``.

Read with the csv module (not DuckDB) so that corrections can validate an
indicator or theme without opening any database. The ids become view column
names (``v_compare``), so they are checked to be plain lower-case identifiers
that do not clash with the view's key columns.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent / "spec"

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

# Columns of v_compare that an indicator id must not shadow.
RESERVED = frozenset(
    {"province", "city", "district", "adcode", "year", "doc_type", "report_id", "source_file", "n_reports"}
)


def read_spec(name: str, spec_dir: Path = SPEC_DIR) -> list[dict[str, str]]:
    """Rows of one spec CSV, checked for well-formed unique ids."""
    with open(spec_dir / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    seen: set[str] = set()
    for row in rows:
        ident = (row.get("id") or "").strip()
        if not ID_PATTERN.fullmatch(ident) or ident in RESERVED:
            raise ValueError(f"{name}: bad id {ident!r}")
        if ident in seen:
            raise ValueError(f"{name}: duplicate id {ident!r}")
        seen.add(ident)
        row["id"] = ident
    return rows


@cache
def indicator_ids(spec_dir: Path = SPEC_DIR) -> frozenset[str]:
    """Ids of the indicator catalogue."""
    return frozenset(r["id"] for r in read_spec("indicators.csv", spec_dir))


@cache
def theme_ids(spec_dir: Path = SPEC_DIR) -> frozenset[str]:
    """Ids of the shortfall themes."""
    return frozenset(r["id"] for r in read_spec("shortfall_themes.csv", spec_dir))
