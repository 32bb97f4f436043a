"""The bureau brief's tables, shaped from its queries (kept free of Streamlit: unit-testable).

Every number keeps its quote; ranks say "12 / 239" (rank among how many
peers give the number) so a rank of 1 among 1 is not read as a win.
"""

from __future__ import annotations

import pandas as pd

from ui.fmt import MISSING, qualified

SCOPES = ("city", "province", "nation")


def rank_text(rank: object, n: object) -> str:
    """``3 / 17``, or ``—`` where the bureau does not give the number."""
    if rank is None or pd.isna(rank):
        return MISSING
    return f"{int(rank)} / {int(n)}"


def ranks_table(ranks: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """One row per metric the bureau gives: name, value, rank and percentile per scope, quote.

    Columns are ids (``metric``, ``name``, ``value``, ``city``, ``province``,
    ``nation``, ``pct_nation``, ``quote``, ``value_id``); the page localises headers.
    """
    cols = ["metric", "name", "value", "city", "province", "nation", "pct_nation", "quote", "value_id"]
    if ranks.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({
        "metric": ranks["metric"],
        "name": ranks["metric"].map(lambda m: names.get(m, m)),
        "value": [qualified(round(v, 2), q) for v, q in zip(ranks["value"], ranks["qualifier"], strict=True)],
        **{s: [rank_text(r, n) for r, n in zip(ranks[f"rank_{s}"], ranks[f"n_{s}"], strict=True)] for s in SCOPES},
        "pct_nation": ranks["pct_nation"].round(0),
        "quote": ranks["quote"].fillna(""),
        "value_id": ranks["value_id"],
    })
    order = {m: i for i, m in enumerate(names)}
    return out.assign(_o=out["metric"].map(lambda m: order.get(m, len(order)))).sort_values("_o") \
        .drop(columns="_o").reset_index(drop=True)[cols]


def history_table(values: pd.DataFrame, names: dict[str, str], report_only: bool = True) -> pd.DataFrame:
    """Indicator × year of one bureau's annual reports, each cell qualified (``≥20``; ``—`` not given)."""
    rows = values[values["doc_type"] == "report"] if report_only else values
    if rows.empty:
        return pd.DataFrame()
    rows = rows.assign(cell=[qualified(v, q) + (" ⚠" if len(f if f is not None else []) else "")
                             for v, q, f in zip(rows["value"], rows["qualifier"], rows["flags"], strict=True)])
    wide = rows.pivot_table(index="indicator", columns="year", values="cell", aggfunc="first")
    wide = wide.reindex([i for i in names if i in wide.index]).fillna(MISSING)
    wide.columns = [str(int(c)) for c in wide.columns]
    wide.insert(0, "name", [names.get(i, i) for i in wide.index])
    return wide.reset_index(drop=True)


def targets_table(targets: pd.DataFrame) -> pd.DataFrame:
    """Each plan target beside what the bureau's report of that year says (``—`` if it says nothing)."""
    if targets.empty:
        return pd.DataFrame(columns=["year", "indicator", "target", "target_quote", "actual", "actual_quote"])
    comparator = targets["comparator"].fillna("").replace({">=": "≥", "<=": "≤", "=": ""})
    return pd.DataFrame({
        "year": targets["year"].astype(int),
        "indicator": targets["indicator"],
        "target": comparator + targets["target"].map(lambda v: qualified(v, "exact")),
        "target_quote": targets["target_quote"].fillna(""),
        "actual": [qualified(v, q) + (" ⚠" if f else "") for v, q, f in
                   zip(targets["actual"], targets["actual_qualifier"], targets["flagged"], strict=True)],
        "actual_quote": targets["actual_quote"].fillna(""),
    })
