"""A build's tables hold exactly the rows the extractor's shaped tuples say, whichever way they travel.

The pool workers send their rows to the loading process as Arrow tables
(etl/warehouse/packed.py) rather than as the tuples of
:func:`etl.warehouse.pool.shape`. Here the seeds plus a few hundred synthetic
reports (fixed seed) are built through the pool and in-process, and every
row of reports, values, shortfalls and targets is compared with the tuples
:func:`etl.warehouse.pool.extract_chunk` makes of the same files: a column
shifted, a type narrowed, a list or NULL lost, a row dropped or doubled fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from build_helpers import copy_seeds, query, quiet
from extract_reference import synth_sample

from etl.warehouse import load
from etl.warehouse.build import build
from etl.warehouse.pool import extract_chunk
from etl.warehouse.scan import scan

pytestmark = pytest.mark.usefixtures("pinned_fingerprint")

TABLES = {
    "reports": load.REPORT_COLUMNS,
    "values": load.VALUE_COLUMNS,
    "shortfalls": load.SHORTFALL_COLUMNS,
    "targets": load.TARGET_COLUMNS,
}


def _norm(row: tuple) -> tuple:
    """Lists as tuples, so rows can be sorted and compared."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in row)


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted((_norm(r) for r in rows), key=repr)


def _table(db: Path, table: str) -> list[tuple]:
    cols = ", ".join(f'"{c}"' for c in TABLES[table])
    return _sorted(query(db, f'SELECT {cols} FROM "{table}"'))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple]]]:
    """A raw folder (seeds + synthetic reports, some broken) and the rows ``extract_chunk`` makes of it."""
    base = tmp_path_factory.mktemp("packed")
    raw = synth_sample(base / "synth")
    copy_seeds(raw)
    found = scan(raw)
    results = extract_chunk(found.primary)
    ok = [r for r in results if r.ok]
    assert len(ok) > 250 and len(ok) < len(results), "the sample should hold good and broken files"
    expected = {
        "reports": _sorted([r.report for r in ok]),
        "values": _sorted([v for r in ok for v in r.values]),
        "shortfalls": _sorted([s for r in ok for s in r.shortfalls]),
        "targets": _sorted([t for r in ok for t in r.targets]),
    }
    assert all(expected[t] for t in TABLES), "every table should get rows"
    return raw, expected


@pytest.mark.parametrize("jobs", [2, 1])
def test_built_tables_equal_the_shaped_rows(corpus: tuple[Path, dict[str, Any]], tmp_path: Path, jobs: int) -> None:
    raw, expected = corpus
    db = tmp_path / "warehouse.duckdb"
    summary = build(raw, db, full=True, jobs=jobs, log=quiet)

    assert summary.loaded == len(expected["reports"])
    for table in TABLES:
        assert _table(db, table) == expected[table], f"{table} differs from the shaped rows (jobs={jobs})"
    stamps = query(db, "SELECT DISTINCT r.ingested_at = b.built_at FROM reports r, build_info b")
    assert stamps == [(True,)], "every report carries the build's time"
