"""How numbers read on screen and in exports.

A report that says "20余场" gave at least 20, not 20: the qualifier travels
with the number everywhere it is shown (``≥20``). A value the report does not
give is missing, shown as "—", never 0.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

QUALIFIER_SYMBOLS = {"exact": "", "at_least": "≥", "approx": "≈", "at_most": "≤"}
MISSING = "—"


def is_missing(value: Any) -> bool:
    """True for None/NaN/NA: the report does not give this number."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, grouping: bool = True) -> str:
    """A number without spurious decimals; thousands separators on screen, none in exports."""
    if is_missing(value):
        return MISSING
    v = float(value)
    sep = "," if grouping else ""
    if math.isfinite(v) and v == int(v):
        return f"{int(v):{sep}}"
    return f"{v:{sep}.2f}".rstrip("0").rstrip(".")


def qualified(value: Any, qualifier: str | None, grouping: bool = True) -> str:
    """``≥20`` for at_least, ``≈20`` for approx, ``≤20`` for at_most, ``—`` if missing."""
    if is_missing(value):
        return MISSING
    symbol = QUALIFIER_SYMBOLS.get(qualifier or "exact", "")
    return f"{symbol}{number(value, grouping)}"


def export_cell(value: Any, qualifier: str | None) -> Any:
    """An export cell: a plain number when exact (Excel can sum it), ``≥20`` text when
    qualified, empty when the report does not give the value."""
    if is_missing(value):
        return None
    if (qualifier or "exact") == "exact":
        v = float(value)
        return int(v) if math.isfinite(v) and v == int(v) else v
    return qualified(value, qualifier, grouping=False)


def combine_qualifiers(qualifiers: list[str | None]) -> str:
    """The qualifier of a sum: at_least parts make the total at least, and so on.

    Mixing lower and upper bounds (or any approximation) only allows "about".
    """
    kinds = {q or "exact" for q in qualifiers} - {"exact"}
    if not kinds:
        return "exact"
    if kinds == {"at_least"}:
        return "at_least"
    if kinds == {"at_most"}:
        return "at_most"
    return "approx"


def region_label(row: Any) -> str:
    """The most specific known place name of a report (district, else city, else province)."""
    for column in ("district", "city", "province"):
        name = row.get(column) if hasattr(row, "get") else None
        if name and not is_missing(name) and name != "unknown":
            return str(name)
    return "unknown"
