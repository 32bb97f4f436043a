"""One document in, one report record out: metadata, values, shortfalls, targets.

A pure function of the file's content, so it can run in any worker process
and its output can be cached by the file's sha256.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl import limits
from etl.extract import indicators, mentions, metadata, regions, sections, shortfalls, targets
from etl.extract.normalize import normalize
from etl.extract.read import Document, ReadError, read_document


def extract_text(text: str, source_file: str = "") -> dict[str, Any]:
    """Everything the product knows about one report's text."""
    norm = normalize(text)
    kind = metadata.doc_type(norm.text)
    region = regions.resolve(norm.text)
    reported = metadata.year_with_basis(norm.text)
    plans = [(0, len(norm.text))] if kind == "plan" else sections.plan_spans(norm.text)
    found = mentions.find_mentions(norm, plans)
    cap = limits.current().max_mentions
    if len(found) > cap:  # a data dump, not a report: refused before anything is combined
        raise ReadError(source_file or "<text>", f"too many figures: {len(found)} numbers with a unit (limit {cap})")
    zeros = mentions.find_zero_mentions(norm, plans)
    values = indicators.aggregate(found, zeros)
    return {
        "source_file": source_file,
        "province": region.province,
        "city": region.city,
        "district": region.district,
        "adcode": region.adcode,
        "year": reported.year,
        "year_basis": reported.basis,
        "year_hint": reported.hint,
        "doc_type": kind,
        "values": indicators.to_records(norm, values),
        "shortfalls": shortfalls.extract(norm) if kind == "report" else [],
        "targets": targets.extract(norm, plans),
    }


def extract_document(doc: Document, source_file: str | None = None) -> dict[str, Any]:
    """The report record of a document that has been read, with file facts."""
    report = extract_text(doc.text, source_file or doc.path.name)
    report.update(sha256=doc.sha256, size=doc.size, encoding=doc.encoding, format=doc.format)
    return report


def extract_file(path: Path | str) -> dict[str, Any]:
    """Read and extract one file (raises ``etl.extract.read.ReadError`` on bad input)."""
    return extract_document(read_document(path))
