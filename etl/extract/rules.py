"""Load the declarative rules (``etl/rules/*.yaml``) and the spec catalogue.

Everything that names an indicator, a theme, a keyword or a label lives in
those files; code reads them through here, once per process.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ETL_DIR = Path(__file__).resolve().parent.parent
RULES_DIR = ETL_DIR / "rules"
SPEC_DIR = ETL_DIR / "spec"


@cache
def load(name: str) -> dict[str, Any]:
    """One rules file by stem (``indicators``, ``mentions``, ``document`` …).

    Read with libyaml's safe loader (the same documents as ``yaml.safe_load``, built in C): the pure
    Python parser took ~0.08 CPU-s of every build and every process that extracts.
    """
    with open(RULES_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=yaml.CSafeLoader)


@cache
def spec_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a spec CSV (``indicators``, ``shortfall_themes``, ``target_indicators``)."""
    with open(SPEC_DIR / f"{name}.csv", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def indicator_ids() -> list[str]:
    """Catalogue order, which the pages and exports follow."""
    return [row["id"] for row in spec_rows("indicators")]


def any_word(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern whose ``search`` finds a match exactly where ``any(w in s for w in words)`` holds.

    Why: a lexicon of twenty words tested with ``in`` is twenty Python-level
    calls per number; the pattern is one scan in C (and never matches when the
    lexicon is empty, as ``any`` of nothing is false)."""
    words = list(words)
    return re.compile("|".join(map(re.escape, words)) if words else "(?!)")
