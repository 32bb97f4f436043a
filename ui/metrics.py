"""What can be ranked, mapped and profiled: indicators, ratios and shortfall shares.

A *metric* is one number per region and year. Indicators come from the
warehouse's catalogue (summed over bureaus); ratios and shortfall shares are
defined in ``etl/spec/ratios.csv`` with their parts, so adding a ratio is an
edit to that file, not to code. Metric ids are ``ind:<indicator>``,
``ratio:<ratio id>`` and ``theme:<theme>`` so one picker and one URL key can
hold any of them.

Kept free of Streamlit so the rules are unit-testable.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RATIOS_FILE = Path(__file__).resolve().parent.parent / "etl" / "spec" / "ratios.csv"


@dataclass(frozen=True)
class Ratio:
    """One row of ``ratios.csv``: numerator / denominator × per, computed per report."""

    id: str
    kind: str  # value_ratio | theme_share
    numerator: str
    denominator: str
    per: float
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    definition: str


@lru_cache(maxsize=1)
def ratios() -> tuple[Ratio, ...]:
    """Every ratio of the catalogue, in file order."""
    with RATIOS_FILE.open(encoding="utf-8") as fh:
        return tuple(
            Ratio(**{**row, "per": float(row["per"])})  # type: ignore[arg-type]
            for row in csv.DictReader(fh)
        )


def value_ratios() -> tuple[Ratio, ...]:
    """Ratios of two indicators (the per-report kind)."""
    return tuple(r for r in ratios() if r.kind == "value_ratio")


def theme_share() -> Ratio | None:
    """The shortfall-share definition (one metric per theme), if the catalogue has one."""
    return next((r for r in ratios() if r.kind == "theme_share"), None)


def ratio(ratio_id: str) -> Ratio:
    """One ratio by id (``KeyError`` if the catalogue has none)."""
    for r in ratios():
        if r.id == ratio_id:
            return r
    raise KeyError(ratio_id)


def parse(metric: str) -> tuple[str, str]:
    """``("ind", id)``, ``("ratio", id)`` or ``("theme", id)``; a bare id is an indicator."""
    kind, sep, ident = metric.partition(":")
    if not sep:
        return "ind", metric
    if kind not in ("ind", "ratio", "theme"):
        raise ValueError(f"unknown metric kind {kind!r}")
    return kind, ident


def metric_ids(indicators: list[str], themes: list[str]) -> list[str]:
    """Every metric in picker order: indicators, then ratios, then shortfall shares."""
    out = [f"ind:{i}" for i in indicators]
    out += [f"ratio:{r.id}" for r in value_ratios()]
    if theme_share() is not None:
        out += [f"theme:{t}" for t in themes]
    return out
