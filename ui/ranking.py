"""Like-with-like aggregation of one metric (``queries.metric_reports``): rankings, map values,
year-over-year changes.

The rules, in one place so every chart, table, map and headline follows them:

- a flagged value (or a ratio with a flagged part) is never summed, ranked or
  mapped; it is counted in ``flagged`` so the page can say "另有1个可疑值未计入";
- a region whose name at the chosen level is unknown is never a row;
- an indicator is summed over the region's reports; a ratio is computed per
  report from reports giving both parts and summarised by the median; a
  shortfall share is the mean over the region's reports of 0/100;
- beside each sum, the median and quartiles across the region's bureaus, since
  a sum over more bureaus is not more work;
- a change over the years is computed only over the bureaus that give the
  metric in both years, and a change involving a bound keeps it (``≥``).

Kept free of Streamlit so the rules are unit-testable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui import levels
from ui.fmt import qualified

#: Region columns that identify a bureau (one district's statistics bureau).
BUREAU = list(levels.LEVELS)
#: How many characters of an adcode name a region at each level.
ADCODE_DIGITS = {"province": 2, "city": 4, "district": 6}
COLUMNS = ["value", "qualifier", "given", "flagged", "reports", "bureaus", "median", "q1", "q3",
           "value_id", "quote", "adcode", "display"]


def known(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """Rows whose region is known down to ``level`` (unknown places are never a bar or a map cell)."""
    keep = pd.Series(True, index=rows.index)
    for column in levels.columns(level):
        keep &= rows[column].notna() & (rows[column].astype(str) != "unknown") & (rows[column].astype(str) != "")
    return rows[keep]


def usable(rows: pd.DataFrame) -> pd.Series:
    """Which rows enter a sum, rank or median: a value, not flagged."""
    return rows["value"].notna() & ~rows["flagged"].astype(bool)


def region_adcode(adcode: object, level: str) -> str | None:
    """The adcode of the ``level`` region containing a district's adcode (``441803`` → ``440000``)."""
    text = str(adcode or "")
    if len(text) != 6 or not text.isdigit():
        return None
    digits = ADCODE_DIGITS[level]
    return text[:digits] + "0" * (6 - digits)


#: How a region's usable report rows make its value, per metric kind (see the module docstring).
AGGREGATE = {"ind": "sum", "ratio": "median", "theme": "mean"}


def sum_qualifiers(rows: pd.DataFrame, group: list[str]) -> pd.Series:
    """Per group, the qualifier of its rows combined (``ui.fmt.combine_qualifiers``), vectorised:
    a national district ranking has thousands of groups."""
    q = rows["qualifier"].fillna("exact")
    flags = pd.DataFrame({"al": q == "at_least", "am": q == "at_most", "ap": q == "approx"}, index=rows.index)
    has = flags.groupby([rows[c] for c in group]).any()
    out = np.select([~(has["al"] | has["am"] | has["ap"]), has["al"] & ~has["am"] & ~has["ap"],
                     has["am"] & ~has["al"] & ~has["ap"]], ["exact", "at_least", "at_most"], "approx")
    return pd.Series(out, index=has.index)


def by_region(rows: pd.DataFrame, level: str, kind: str, year: int | None = None) -> pd.DataFrame:
    """One row per known region at ``level`` with the metric's value and how it was reached.

    ``rows`` come from ``queries.metric_reports``. Regions whose reports give
    no usable value keep a row with ``value`` NaN ("not stated", never 0).
    """
    group = levels.columns(level)
    rows = known(rows, level)
    if year is not None:
        rows = rows[rows["year"] == year]
    if rows.empty:
        return pd.DataFrame(columns=[*group, *COLUMNS])
    ok = usable(rows)
    out = rows.groupby(group, sort=True).agg(reports=("report_id", "nunique"), adcode=("adcode", "first"))
    out["adcode"] = [region_adcode(a, level) for a in out["adcode"]]
    out["flagged"] = (rows["value"].notna() & rows["flagged"].astype(bool)).groupby(
        [rows[c] for c in group]).sum().reindex(out.index).fillna(0).astype(int)
    good = rows[ok]
    # per bureau first: the median and quartiles across bureaus sit beside the region's sum
    bureau_key = [c for c in BUREAU if c in rows.columns]
    per_bureau = good.groupby(bureau_key, sort=False)["value"].agg("sum" if kind == "ind" else "median")
    per_bureau = per_bureau.reset_index()
    by = per_bureau.groupby(group)["value"]
    spread = pd.DataFrame({"bureaus": by.count(), "median": by.median(), "q1": by.quantile(0.25),
                           "q3": by.quantile(0.75)})
    if len(good):
        grouped = good.groupby(group)
        value = grouped["value"].agg(AGGREGATE[kind])
        given = grouped["report_id"].nunique()
        qual = sum_qualifiers(good, group)
        single = grouped.agg(value_id=("value_id", "first"), quote=("quote", "first"), n=("report_id", "size"))
    else:
        value = given = qual = pd.Series(dtype=object)
        single = pd.DataFrame(columns=["value_id", "quote", "n"])
    out["value"] = value.reindex(out.index).astype(float)
    out["given"] = given.reindex(out.index).fillna(0).astype(int)
    out["qualifier"] = qual.reindex(out.index).fillna("exact")
    out = out.join(spread, how="left")
    out["bureaus"] = out["bureaus"].fillna(0).astype(int)
    one = single["n"].reindex(out.index) == 1
    out["value_id"] = single["value_id"].reindex(out.index).where(one)
    out["quote"] = single["quote"].reindex(out.index).where(one)
    if kind == "theme":
        out["qualifier"] = "exact"
    out["display"] = [qualified(round(v, 1) if kind != "ind" else v, q) for v, q in
                      zip(out["value"], out["qualifier"], strict=True)]
    return out.reset_index()[[*group, *COLUMNS]]


def ranked(regions: pd.DataFrame) -> pd.DataFrame:
    """Regions with a value, largest first, with their rank (ties share the smaller rank)."""
    given = regions[regions["value"].notna()].sort_values("value", ascending=False, kind="stable")
    return given.assign(rank=given["value"].rank(method="min", ascending=False).astype(int)).reset_index(drop=True)


def top_bottom(ordered: pd.DataFrame, n: int, selected: str | None = None, label: str = "label") -> pd.DataFrame:
    """The first and last ``n`` of a ranking (all of it when short), plus the selected region wherever it is."""
    if len(ordered) <= 2 * n:
        return ordered
    keep = np.zeros(len(ordered), dtype=bool)
    keep[:n] = True
    keep[-n:] = True
    if selected is not None:
        keep |= (ordered[label] == selected).to_numpy()
    return ordered[keep]


def change_qualifier(new: str | None, old: str | None) -> str:
    """The qualifier of ``new - old``: a larger lower bound minus an exact count is a lower bound,
    an exact count minus a lower bound an upper bound, anything else with a bound only approximate."""
    new, old = new or "exact", old or "exact"
    if new == "exact" and old == "exact":
        return "exact"
    if new == "at_least" and old == "exact":
        return "at_least"
    if new == "exact" and old == "at_least":
        return "at_most"
    if new == "at_most" and old == "exact":
        return "at_most"
    if new == "exact" and old == "at_most":
        return "at_least"
    return "approx"


def year_over_year(rows: pd.DataFrame, level: str, kind: str, first: int, last: int) -> pd.DataFrame:
    """Per region: the metric in ``first`` and ``last`` over only the bureaus that give it (usable)
    in both years, and the change, qualified.

    Columns: region columns, first, last, first_q, last_q, bureaus, change, change_q, change_pct, display.
    """
    group = levels.columns(level)
    rows = known(rows, level)
    rows = rows[usable(rows) & rows["year"].isin([first, last])]
    cols = [*group, "first", "last", "first_q", "last_q", "bureaus", "change", "change_q", "change_pct", "display"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    bureau_key = [c for c in BUREAU if c in rows.columns]
    years_given = rows.groupby(bureau_key)["year"].nunique()
    both = years_given[years_given == 2].index
    rows = rows.set_index(bureau_key).loc[lambda d: d.index.isin(both)].reset_index()
    if rows.empty:
        return pd.DataFrame(columns=cols)
    keyed = [*group, "year"]
    value = rows.groupby(keyed)["value"].agg(AGGREGATE[kind]).unstack("year")
    qual = sum_qualifiers(rows, keyed).unstack("year") if kind != "theme" else \
        pd.DataFrame("exact", index=value.index, columns=value.columns)
    out = pd.DataFrame({"first": value[first], "last": value[last], "first_q": qual[first], "last_q": qual[last]})
    out["bureaus"] = rows.drop_duplicates(bureau_key).groupby(group).size().reindex(out.index).astype(int)
    out["change"] = out["last"] - out["first"]
    out["change_q"] = [change_qualifier(b, a) for b, a in zip(out["last_q"], out["first_q"], strict=True)]
    out["change_pct"] = out["change"] / out["first"].where(out["first"] != 0) * 100.0
    out["display"] = [("+" if c > 0 and q == "exact" else "") + qualified(round(c, 1), q)
                      for c, q in zip(out["change"], out["change_q"], strict=True)]
    return out.reset_index()[cols]
