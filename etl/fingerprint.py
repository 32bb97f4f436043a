"""A fingerprint of the extraction code, so that a changed extractor re-extracts everything.

Incremental builds skip files whose sha256 is unchanged. That is only right
while the extractor is the same: after a rule or code change the stored rows
are stale. The build stores this fingerprint in ``build_info`` and re-extracts
every file when it differs, as if ``--full`` had been given. It hashes every
file of the ``etl`` package except the warehouse-side modules listed below
(changing the loader or the views does not change what is extracted). The
list errs on the side of re-extracting: a new extractor module is covered
without anyone updating it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# Modules that do not influence what the extractor returns.
NOT_EXTRACTION = frozenset(
    {
        "__main__.py",
        "build.py",
        "catalogue.py",
        "cli_extract.py",
        "corrections.py",
        "dask_engine.py",
        "dataset.py",
        "duck.py",
        "evaluate.py",
        "fingerprint.py",
        "load.py",
        "scan.py",
        "schema.sql",
        "views.py",
        "views.sql",
        "warehouse.py",
    }
)


def extractor_fingerprint(package: Path = PACKAGE) -> str:
    """sha256 over the names and bytes of the extraction code and rules (16 hex digits)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix == ".pyc":
            continue
        if (len(rel.parts) == 1 and rel.name in NOT_EXTRACTION) or rel.parts[0] == "synth":
            continue  # the synthetic-corpus generator does not extract anything
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
