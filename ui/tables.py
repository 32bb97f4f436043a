"""Pure pandas shaping between the queries and the charts/exports.

Kept free of Streamlit so the rules that matter (missing is not zero,
qualifiers survive sums, change needs both years) are unit-testable.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ui.fmt import MISSING, combine_qualifiers, is_missing, qualified, region_label

REPORT_KEYS = ["report_id", "province", "city", "district", "year", "doc_type", "source_file"]


def with_region(df: pd.DataFrame) -> pd.DataFrame:
    """Add a ``region`` column (most specific known place) and a ``label`` (region and year)."""
    out = df.copy()
    out["region"] = [region_label(row) for row in out.to_dict("records")] if len(out) else []
    years = out["year"].astype("Int64").astype(str).replace("<NA>", "?") if len(out) else []
    out["label"] = out["region"] + " " + years if len(out) else []
    return out


def is_missing_list(flags: object) -> bool:
    """A merged-in ``flags`` cell is NaN for reports without the value."""
    return isinstance(flags, float)


def indicator_frame(reports: pd.DataFrame, values: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One row per filtered report for one indicator; ``value`` is NaN where the report is silent.

    Starting from the reports (not the values) is what lets a chart show a
    silent report as missing instead of dropping it or drawing a zero.
    """
    cols = ["report_id", "value", "qualifier", "basis", "quote", "value_id", "start_pos", "end_pos", "flags"]
    mine = values.loc[values["indicator"] == indicator, cols] if len(values) else pd.DataFrame(columns=cols)
    out = with_region(reports[[c for c in REPORT_KEYS if c in reports.columns]]).merge(
        mine, on="report_id", how="left"
    )
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out["display"] = [
        qualified(v, q) + (" ⚠" if f is not None and not is_missing_list(f) and len(f) else "")
        for v, q, f in zip(out["value"], out["qualifier"], out["flags"], strict=True)
    ]
    out["missing"] = out["value"].isna()
    return out.sort_values(["region", "year"]).reset_index(drop=True)


def totals(reports: pd.DataFrame, values: pd.DataFrame, indicator_ids: Sequence[str]) -> pd.DataFrame:
    """Per indicator: sum over the filtered reports that give it, its qualifier and coverage.

    ``given`` of ``reports`` tells the reader how much of the total is known;
    with no report giving it the total is missing, not zero.
    """
    n_reports = len(reports)
    rows = []
    for ind in indicator_ids:
        mine = values[values["indicator"] == ind] if len(values) else values
        given = int(mine["report_id"].nunique()) if len(mine) else 0
        total = float(mine["value"].sum()) if given else float("nan")
        qualifier = combine_qualifiers(list(mine["qualifier"])) if given else "exact"
        flagged = int(sum(1 for f in mine["flags"] if f is not None and len(f))) if given else 0
        rows.append(
            {"indicator": ind, "total": total, "qualifier": qualifier, "given": given, "reports": n_reports,
             "flagged": flagged, "display": qualified(total, qualifier)}
        )
    return pd.DataFrame(rows, columns=["indicator", "total", "qualifier", "given", "reports", "flagged", "display"])


def wide(reports: pd.DataFrame, values: pd.DataFrame, indicator_ids: Sequence[str],
         names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Report × indicator tables: numbers (for sorting) and display strings (``≥20``, ``—``).

    Both share index and columns: the report columns (``label`` is region and
    year) then the indicators' display names in ``indicator_ids`` order.
    """
    base = with_region(reports[[c for c in REPORT_KEYS if c in reports.columns]])
    base = base.sort_values(["province", "city", "region", "year"]).reset_index(drop=True)
    numbers = base[["report_id", "province", "city", "region", "year", "doc_type", "source_file", "label"]].copy()
    shown = numbers.copy()
    for ind in indicator_ids:
        mine = values[values["indicator"] == ind].set_index("report_id") if len(values) else None
        col = names.get(ind, ind)
        if mine is None or mine.empty:
            numbers[col] = float("nan")
            shown[col] = MISSING
            continue
        v = numbers["report_id"].map(mine["value"])
        q = numbers["report_id"].map(mine["qualifier"])
        numbers[col] = pd.to_numeric(v, errors="coerce")
        shown[col] = [qualified(a, b) for a, b in zip(numbers[col], q, strict=True)]
    return numbers, shown


def changes(values: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Change over the previous year, per region, document type and indicator.

    Only where the same region has the same indicator in year-1: a gap year or
    a silent report gives no change rather than a made-up one.
    """
    cols = ["region", "doc_type", "indicator", "name", "year", "value", "previous", "change", "change_pct",
            "display", "previous_display"]
    if values.empty:
        return pd.DataFrame(columns=cols)
    v = with_region(values)
    v = v[["province", "city", "region", "doc_type", "indicator", "year", "value", "qualifier"]].dropna(
        subset=["year", "value"]
    )
    prev = v.assign(year=v["year"] + 1).rename(columns={"value": "previous", "qualifier": "prev_qualifier"})
    keys = ["province", "city", "region", "doc_type", "indicator", "year"]
    both = v.merge(prev, on=keys, how="inner")
    if both.empty:
        return pd.DataFrame(columns=cols)
    both["change"] = both["value"] - both["previous"]
    both["change_pct"] = [
        (c / p * 100.0) if p not in (0, 0.0) else float("nan")
        for c, p in zip(both["change"], both["previous"], strict=True)
    ]
    both["name"] = both["indicator"].map(lambda i: names.get(i, i))
    both["display"] = [qualified(a, b) for a, b in zip(both["value"], both["qualifier"], strict=True)]
    both["previous_display"] = [
        qualified(a, b) for a, b in zip(both["previous"], both["prev_qualifier"], strict=True)
    ]
    return both[cols].sort_values(["region", "indicator", "year"]).reset_index(drop=True)


def funnel_reports(reports: pd.DataFrame, values: pd.DataFrame, steps: Sequence[str]) -> pd.DataFrame:
    """Reports that give every funnel step, one row per report × step in step order."""
    if values.empty or not steps:
        return pd.DataFrame(columns=["report_id", "label", "indicator", "value", "qualifier", "display",
                                     "value_id"])
    mine = values[values["indicator"].isin(steps)]
    complete = mine.groupby("report_id")["indicator"].nunique()
    keep = set(complete[complete == len(steps)].index)
    rows = with_region(mine[mine["report_id"].isin(keep)])
    rows["step"] = rows["indicator"].map({s: i for i, s in enumerate(steps)})
    rows["display"] = [qualified(a, b) for a, b in zip(rows["value"], rows["qualifier"], strict=True)]
    return rows.sort_values(["label", "step"])[
        ["report_id", "label", "indicator", "value", "qualifier", "display", "value_id"]
    ].reset_index(drop=True)


def shortfall_matrix(reports: pd.DataFrame, shortfalls: pd.DataFrame,
                     themes: pd.DataFrame, name_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Report (region, year) × theme: statement counts and the statements joined for hover.

    Two reports can share a label (a report and a plan of one district-year,
    or several of unknown region), so rows are grouped by label, not looked up.
    """
    labels = with_region(reports)
    theme_names = dict(zip(themes["theme"], themes[name_col], strict=True))
    index = list(dict.fromkeys(labels["label"]))
    label_of = dict(zip(labels["report_id"], labels["label"], strict=True))
    rows = pd.DataFrame({
        "label": shortfalls["report_id"].map(label_of) if len(shortfalls) else pd.Series(dtype=object),
        "col": shortfalls["theme"].map(lambda t: theme_names.get(t, t)) if len(shortfalls) else pd.Series(dtype=object),
        "text": shortfalls["text"].astype(str) if len(shortfalls) else pd.Series(dtype=object),
    }).dropna(subset=["label"])
    columns = list(theme_names.values()) + sorted(set(rows["col"]) - set(theme_names.values()))
    grouped = rows.groupby(["label", "col"], sort=False)["text"]
    counts = grouped.size().unstack(fill_value=0).reindex(index=index, columns=columns, fill_value=0)
    texts = grouped.agg("<br>".join).unstack(fill_value="").reindex(index=index, columns=columns, fill_value="")
    return counts.astype(int), texts


def silent_reports(reports: pd.DataFrame, shortfalls: pd.DataFrame) -> pd.DataFrame:
    """Reports that state no shortfall at all."""
    said = set(shortfalls["report_id"]) if len(shortfalls) else set()
    return with_region(reports[~reports["report_id"].isin(said)]).reset_index(drop=True)


def capacity(reports: pd.DataFrame, values: pd.DataFrame, capacity_ids: Sequence[str],
             workload_ids: Sequence[str], names: dict[str, str]) -> pd.DataFrame:
    """Enforcement staff/posts beside workload, per report, with workload per certified person."""
    ids = list(capacity_ids) + list(workload_ids)
    numbers, shown = wide(reports, values, ids, names)
    out = shown[["region", "year", "doc_type"] + [names.get(i, i) for i in ids]].copy()
    if capacity_ids and workload_ids:
        staff = numbers[names.get(capacity_ids[0], capacity_ids[0])]
        work = numbers[names.get(workload_ids[0], workload_ids[0])]
        ratio = work / staff.where(staff > 0)
        out["ratio"] = [MISSING if is_missing(r) else f"{r:,.1f}" for r in ratio]
    return out
