"""A fingerprint of the extraction code, so that a changed extractor re-extracts everything.

Incremental builds skip files whose sha256 is unchanged. That is only right
while the extractor is the same: after a rule or code change the stored rows
are stale. The build stores this fingerprint in ``build_info`` and re-extracts
every file when it differs, as if ``--full`` had been given. It hashes the
extraction half of the ``etl`` package (``etl/extract/``, the rules and the
indicator spec), so changing the loader or the views does not re-extract,
while a new extractor module is covered without anyone updating a list.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

# The parts of the etl package that decide what the extractor returns.
EXTRACTION_PARTS = ("extract", "rules", "spec")


def extractor_fingerprint(package: Path = PACKAGE) -> str:
    """sha256 over the names and bytes of the extraction code and rules (16 hex digits)."""
    digest = hashlib.sha256()
    for part in EXTRACTION_PARTS:
        for path in sorted((package / part).rglob("*")):
            rel = path.relative_to(package)
            if not path.is_file() or "__pycache__" in rel.parts or path.suffix == ".pyc":
                continue
            digest.update(rel.as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
