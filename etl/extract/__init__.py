"""File → text → report record: the extraction half of the ETL.

Modules in the order data flows through them: ``read`` (file → text),
``normalize`` (matching text with offsets back to the original), ``metadata``
and ``regions`` (year, kind, place), ``sections``, ``tables``, ``numbers``,
``mentions`` (numbers → indicators), ``indicators`` (one value per indicator),
``shortfalls``, ``targets``, and ``record``, which puts one report together.
Patterns and lexicons live in ``etl/rules/*.yaml`` (loaded by ``rules``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract_document", "extract_file", "extract_text"]


def __getattr__(name: str) -> Any:
    """The extractor is imported on first use, not with the package: importing a helper module
    (``etl.extract.read`` for the build's folder listing) must not load every rule file
    (a third of a CPU-second, the most of a build that changes nothing)."""
    if name in __all__:
        from etl.extract import record

        return getattr(record, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
