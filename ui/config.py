"""Where the dashboard finds its warehouse and raw reports.

Both paths can be overridden by environment variables so that tests, the
screenshot script and a deployment can point the same code at another
warehouse without touching the repository's ``data/`` folder.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Environment variable naming the DuckDB warehouse file the dashboard reads.
ENV_DB = "STATS_DB"
#: Environment variable naming the folder of raw reports a first start builds from.
ENV_RAW = "STATS_RAW"


def db_path() -> Path:
    """The warehouse file: ``$STATS_DB`` or ``data/warehouse.duckdb``."""
    return Path(os.environ.get(ENV_DB) or ROOT / "data" / "warehouse.duckdb")


def raw_path() -> Path:
    """The raw reports folder: ``$STATS_RAW`` or ``data/raw``."""
    return Path(os.environ.get(ENV_RAW) or ROOT / "data" / "raw")
