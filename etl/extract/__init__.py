"""File → text → report record: the extraction half of the ETL.

Modules in the order data flows through them: ``read`` (file → text),
``normalize`` (matching text with offsets back to the original), ``metadata``
and ``regions`` (year, kind, place), ``sections``, ``tables``, ``numbers``,
``mentions`` (numbers → indicators), ``indicators`` (one value per indicator),
``shortfalls``, ``targets``, and ``record``, which puts one report together.
Patterns and lexicons live in ``etl/rules/*.yaml`` (loaded by ``rules``).
"""

from etl.extract.record import extract_document, extract_file, extract_text

__all__ = ["extract_document", "extract_file", "extract_text"]
