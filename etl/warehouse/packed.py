"""Extracted rows from the pool workers to the loading process as Arrow, not as Python objects.

Why: a full build moves ~28,500 reports (~400 MB of text and ~310,000
value rows) from the workers to the one process that loads DuckDB. Sent as
pickled tuples, the parent unpickled every row (decoding each text from
UTF-8) and then built Arrow columns from them again (encoding each text back
to UTF-8): ~0.15 CPU-ms a report in the single loading process, on top of
the workers' pickling. Here each worker turns its chunk's rows into Arrow
tables itself and sends them as Arrow IPC bytes; the parent only maps the
bytes back to tables (no per-row Python work) and inserts them in bulk.

The columns and types are those of etl/warehouse/load.py, so a table is
exactly what :func:`etl.warehouse.load.arrow_table` would have built from
the same tuples in the parent (tests/test_build_packed.py checks the loaded
rows against :func:`etl.warehouse.pool.shape`'s tuples).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from etl.warehouse import load

if TYPE_CHECKING:
    import pyarrow as pa

    from etl.warehouse.pool import FileResult

#: (table, columns, Arrow type names) in the order a packed chunk carries them; reports without ``ingested_at``
#: (one value for the whole build, bound when inserting).
TABLES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("reports", load.REPORT_COLUMNS, load.REPORT_TYPES),
    ("values", load.VALUE_COLUMNS, load.VALUE_TYPES),
    ("shortfalls", load.SHORTFALL_COLUMNS, load.SHORTFALL_TYPES),
    ("targets", load.TARGET_COLUMNS, load.TARGET_TYPES),
)


def pack_rows(results: Sequence[FileResult]) -> tuple[bytes, ...]:
    """The rows of the successful ``results``, one Arrow IPC stream per table of :data:`TABLES`.

    Runs in the worker. A table without rows is sent as ``b""``.
    """
    ok = [r for r in results if r.ok and r.report is not None]
    rows: tuple[list[tuple], ...] = (
        [r.report for r in ok],
        [v for r in ok for v in r.values],
        [s for r in ok for s in r.shortfalls],
        [t for r in ok for t in r.targets],
    )
    return tuple(_ipc(load.arrow_table(columns, types, part)) if part else b"" for (_, columns, types), part
                 in zip(TABLES, rows, strict=True))


def _ipc(table: pa.Table) -> bytes:
    import pyarrow as pa  # imported on first use (etl/warehouse/load.py: arrow_type)

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@dataclass
class Rows:
    """Rows of many files by table name, ready for :func:`etl.warehouse.load.insert_results`."""

    tables: dict[str, pa.Table] = field(default_factory=dict)


class RowBuffer:
    """Packed chunks gathered in the parent until a batch is worth one bulk insert."""

    def __init__(self) -> None:
        self._parts: dict[str, list[pa.Table]] = {name: [] for name, _, _ in TABLES}
        self.files = 0  # files whose chunks were added since the last take()

    def add(self, packed: tuple[bytes, ...], files: int) -> None:
        """One chunk's packed tables (:func:`pack_rows`), covering ``files`` files."""
        import pyarrow as pa

        for (name, _, _), data in zip(TABLES, packed, strict=True):
            if data:
                self._parts[name].append(pa.ipc.open_stream(data).read_all())
        self.files += files

    def take(self) -> Rows:
        """Everything added so far, as one table per table name; the buffer starts empty again."""
        import pyarrow as pa

        out = Rows()
        for name, columns, types in TABLES:
            parts = self._parts[name]
            out.tables[name] = pa.concat_tables(parts) if parts else load.arrow_table(columns, types, [])
            self._parts[name] = []
        self.files = 0
        return out
