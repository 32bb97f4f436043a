"""Pure pandas shaping between the queries and the charts/exports.

The queries hand over sums by region level (``queries.rollup``: a few hundred
rows even for the whole country); this module adds the labels and display
strings and reshapes them for charts and tables. Kept free of Streamlit so
the rules that matter (missing is not zero, qualifiers survive sums, a change
needs both years) are unit-testable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ui import levels
from ui.fmt import MISSING, QUALIFIER_SYMBOLS, combine_qualifiers, number, qualified
from ui.ranking import change_qualifier

#: Up to this many rows :func:`with_region` works row by row in plain Python: a page's lists (50
#: links, 1,000 statements) paid ~0.2 ms for each of a dozen whole-column operations, more than
#: their rows cost; an export's 300,000 rows are labelled faster by those operations.
ROWS_IN_PYTHON = 20_000


def with_region(df: pd.DataFrame) -> pd.DataFrame:
    """Add a ``region`` column (most specific known place) and a ``label`` (region and year; missing
    where the year is)."""
    out = df.copy()
    places = [c for c in ("province", "city", "district") if c in out.columns]
    if len(out) > ROWS_IN_PYTHON:
        region = pd.Series("unknown", index=out.index, dtype=object)
        for column in places:  # coarse to fine: the finest known name wins
            known = out[column].notna() & (out[column].astype(str) != "unknown")
            region = region.where(~known, out[column].astype(str))
        out["region"] = region
        # (a missing year's "<NA>" is missing again in pandas 3's strings: the label is missing then)
        out["label"] = out["region"] + " " + out["year"].astype("Int64").astype(str).replace("<NA>", "?")
        return out
    regions = ["unknown"] * len(out)
    for column in places:  # coarse to fine: the finest known name wins
        missing = out[column].isna().tolist()
        for i, (name, gone) in enumerate(zip(out[column].tolist(), missing, strict=True)):
            if not gone and str(name) != "unknown":
                regions[i] = str(name)
    out["region"] = pd.Series(regions, index=out.index, dtype=object)
    years = zip(regions, out["year"].tolist(), out["year"].isna().tolist(), strict=True)
    out["label"] = pd.Series([None if gone else f"{r} {int(y)}" for r, y, gone in years], index=out.index, dtype="str")
    return out


def _display(value: float, qualifier: str, flagged: int) -> str:
    """A sum as shown: qualified (``≥20``, ``—``), with ``⚠`` when a part of it is flagged."""
    return qualified(value, qualifier) + (" ⚠" if flagged else "")


def _displays(values: pd.Series, qualifiers: pd.Series, flagged: pd.Series) -> pd.Series:
    """:func:`_display` of every row by whole columns: each distinct number is formatted once and
    the missing test is one ``notna``, where a call per row cost ~20 ms for the country's rows."""
    given = values.notna()
    texts = {v: number(v) for v in values[given].unique()}
    symbols = qualifiers.astype(object).fillna("exact").replace("", "exact").map(QUALIFIER_SYMBOLS).fillna("")
    shown = (symbols + values.map(texts).astype(object).fillna("")).where(given, MISSING)
    return shown + np.where(flagged.fillna(0).astype(bool), " ⚠", "")


def shape(sums: pd.DataFrame, level: str, clickable: bool = True) -> pd.DataFrame:
    """Label the groups of a ``queries.rollup`` frame and add what charts show.

    ``value`` is the sum (NaN where no report of the group gives it),
    ``display`` the qualified sum (``≥20``, ``—``; ``⚠`` when a part is flagged),
    ``key`` what a click on the point resolves to (see :mod:`ui.levels`), unless
    ``clickable`` is false.
    """
    # Regions the text does not name come last: they are no place to compare.
    out = sums.assign(_unknown=sums[levels.columns(level)[-1]].eq("unknown")) if len(sums) else sums.copy()
    if len(out):
        out = out.sort_values("_unknown", kind="stable").drop(columns="_unknown").reset_index(drop=True)
    out["label"] = levels.labels(out, level) if len(out) else pd.Series(dtype=object)
    out["value"] = pd.to_numeric(out["total"], errors="coerce")
    out["missing"] = out["given"] == 0
    out["display"] = _displays(out["value"], out["qualifier"], out["flagged"]) if len(out) else pd.Series(dtype=object)
    if clickable:  # tables have nothing to click; 10,000 keys cost a tenth of a second
        out["key"] = levels.click_keys(out, level)
    return out


def totals(sums: pd.DataFrame, indicator_ids: Sequence[str]) -> pd.DataFrame:
    """The headline rows, as ``queries.rollup`` over no group gives them, from its sums by group.

    Every report is in exactly one group and every group has a row per indicator, so the
    sums of ``reports``, ``given``, ``flagged`` and ``total`` over the groups are those over
    all reports, and the groups' qualifiers combine into the total's (``combine_qualifiers``,
    the rule of the SQL). ``total`` is NaN where no report gives the number. Rows come in
    indicator order, as the query sorts them; an indicator page saves its second rollup.
    """
    mine = sums[sums["indicator"].isin(list(indicator_ids))]
    grouped = mine.groupby("indicator", sort=True)
    out = pd.DataFrame({
        "reports": grouped["reports"].sum(),
        "given": grouped["given"].sum(),
        "total": grouped["total"].sum(min_count=1).astype(float),
        "qualifier": grouped["qualifier"].agg(lambda q: combine_qualifiers(list(q))),
        "flagged": grouped["flagged"].sum(),
    }).reset_index()
    out["value_id"] = out["quote"] = None
    return out[["reports", "indicator", "given", "total", "qualifier", "flagged", "value_id", "quote"]]


def bar_years(frame: pd.DataFrame, max_bars: int = levels.MAX_BARS) -> list[int]:
    """The years a bar chart draws: all of them while they fit, else the latest year that has data.

    The trend chart beside it shows the other years.
    """
    given = frame[~frame["missing"]]
    years = sorted({int(y) for y in given["year"].dropna()})
    if not years or given["label"].nunique() * len(years) <= max_bars:
        return years
    return years[-1:]


def total_by_year(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """One series for all groups: per year (and document type), the sum of the groups' sums.

    A trend of forty lines is unreadable; their total, with how many reports
    give it, is what a reader can take in.
    """
    rows = []
    for (year, doc_type, indicator), part in frame.groupby(["year", "doc_type", "indicator"], sort=True):
        given = part[~part["missing"]]
        total = float(given["value"].sum()) if len(given) else float("nan")
        qualifier = combine_qualifiers(list(given["qualifier"])) if len(given) else "exact"
        row = {"year": year, "doc_type": doc_type, "indicator": indicator, "label": label,
               "reports": int(part["reports"].sum()), "given": int(part["given"].sum()), "value": total,
               "qualifier": qualifier, "flagged": int(part["flagged"].sum()), "value_id": None}
        row["missing"] = row["given"] == 0
        row["display"] = _display(total, qualifier, row["flagged"])
        row["key"] = levels.click_key("all", row, [indicator])
        rows.append(row)
    return pd.DataFrame(rows, columns=["year", "doc_type", "indicator", "label", "reports", "given", "value",
                                       "qualifier", "flagged", "value_id", "missing", "display", "key"])


def trend_frame(frame: pd.DataFrame, total_label: str, max_lines: int = levels.MAX_LINES) -> pd.DataFrame:
    """The trend chart's rows: one line per group while they fit, else their total."""
    if frame["label"].nunique() <= max_lines:
        return frame
    return total_by_year(frame, total_label)


def _partial(frame: pd.DataFrame) -> pd.Series:
    """Sums that some but not all reports of their group give."""
    return (frame["given"] > 0) & (frame["given"] < frame["reports"])


def _grid(frame: pd.DataFrame, keys: list[str], indicator_ids: Sequence[str],
          ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Where each row of a long frame goes in its group × indicator table.

    Returns the table's rows (``keys`` and ``reports`` of each group, in order of first
    appearance, as ``drop_duplicates`` keeps them), and for the ``frame`` rows whose
    indicator is one of ``indicator_ids`` (``taken``) their table row and column. The keys
    are factorised once: an unstack and a reindex per spread column did it again each time,
    half the table's cost on an indicator page. :func:`wide`, :func:`wide_numbers` and
    :func:`marks` all place their cells by it, so numbers and marks line up cell for cell.
    Two rows for one cell raise, as ``unstack`` did.
    """
    codes = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    base = frame.iloc[np.unique(codes, return_index=True)[1]][[*keys, "reports"]].reset_index(drop=True)
    column = frame["indicator"].map({ind: k for k, ind in enumerate(indicator_ids)})
    taken = column.notna().to_numpy()
    rows, cols = codes[taken], column.to_numpy()[taken].astype(np.int64)
    if np.unique(rows * max(len(indicator_ids), 1) + cols).size < rows.size:
        raise ValueError("Index contains duplicate entries, cannot reshape")
    return base, rows, cols, taken


def _numbers(frame: pd.DataFrame, base: pd.DataFrame, cells: tuple[np.ndarray, np.ndarray, np.ndarray],
             indicator_ids: Sequence[str], header: list[str]) -> pd.DataFrame:
    """``base`` beside each indicator's ``value`` per group (NaN where the group has no row)."""
    rows, cols, taken = cells
    values = np.full((len(base), len(indicator_ids)), np.nan)
    values[rows, cols] = frame["value"].to_numpy(dtype=float, na_value=np.nan)[taken]
    return pd.concat([base, pd.DataFrame(values, columns=header)], axis=1)


def wide_numbers(frame: pd.DataFrame, indicator_ids: Sequence[str], names: dict[str, str],
                 group: Sequence[str]) -> pd.DataFrame:
    """The numbers half of :func:`wide`, for a page that shows them through :func:`marks`
    (the compare table) and so has no use for the display strings (two thirds of its cost)."""
    base, rows, cols, taken = _grid(frame, ["label", *group], indicator_ids)
    return _numbers(frame, base, (rows, cols, taken), indicator_ids, [names.get(i, i) for i in indicator_ids])


def wide(frame: pd.DataFrame, indicator_ids: Sequence[str], names: dict[str, str],
         group: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group × indicator tables from a shaped rollup: numbers (for sorting) and display strings.

    Both share index and columns: ``label``, the group columns, ``reports``,
    then the indicators' display names in ``indicator_ids`` order. A display
    cell says how many reports give a partial sum (``≥120 (12/14)``).
    """
    base, rows, cols, taken = _grid(frame, ["label", *group], indicator_ids)
    header = [names.get(i, i) for i in indicator_ids]
    numbers = _numbers(frame, base, (rows, cols, taken), indicator_ids, header)
    partial = _partial(frame)
    text = frame["display"].astype(str).where(
        ~partial, frame["display"].astype(str) + " (" + frame["given"].astype(str) + "/"
        + frame["reports"].astype(str) + ")")
    cells = np.full((len(base), len(indicator_ids)), MISSING, dtype=object)
    cells[rows, cols] = text.to_numpy(dtype=object)[taken]
    shown = pd.concat([base, pd.DataFrame(cells, columns=header)], axis=1)
    return numbers, shown


def marks(frame: pd.DataFrame, indicator_ids: Sequence[str], names: dict[str, str],
          group: Sequence[str]) -> pd.DataFrame:
    """Per cell of :func:`wide`'s numbers: the (prefix, suffix) shown around the number.

    The prefix is the qualifier (``≥``); ``*`` marks a sum that not every
    report of the row gives, ``⚠`` a sum with a flagged part.
    """
    base, rows, cols, taken = _grid(frame, ["label", *group], indicator_ids)
    # Whole-column maps, not a lambda per row: the compare page marks ~15,000 cells a view.
    prefix = frame["qualifier"].astype(object).fillna("exact").replace("", "exact").map(QUALIFIER_SYMBOLS).fillna("")
    prefix = prefix.where(frame["given"] > 0, "")
    suffix = np.where(_partial(frame), "*", "")
    suffix = suffix + np.where(frame["flagged"] > 0, " ⚠", "")
    # Each distinct (prefix, suffix) as a number, spread as numbers, then looked up: spreading the
    # tuples themselves (object cells) and mapping each cell back cost three times as much.
    codes, kinds = pd.factorize(pd.Series(prefix.tolist(), index=frame.index) + "\x00" + suffix)
    lookup = np.empty(len(kinds) + 1, dtype=object)  # filled one by one: a list of pairs would become 2-D
    for i, kind in enumerate([("", ""), *(tuple(k.split("\x00")) for k in kinds)]):
        lookup[i] = kind
    spread = np.zeros((len(base), len(indicator_ids)), dtype=np.int64)  # 0: no sum in the cell
    spread[rows, cols] = (codes + 1)[taken]
    return pd.DataFrame(lookup[spread], columns=[names.get(i, i) for i in indicator_ids])


def changes(frame: pd.DataFrame, names: dict[str, str], keys: Sequence[str]) -> pd.DataFrame:
    """Change over the previous year, per group (``keys``), document type and indicator.

    Only where the same group has the indicator in year-1 from as many
    reports: a gap year, a silent report or a sum over a different number of
    districts gives no change rather than a made-up one. Where the frame
    says how many reports each group has, every one of them must give the
    number in both years (the same bureaus, not just as many). A group
    whose place is unknown has no change. ``change_q``/``change_display``
    keep a bound: 20余 after exactly 15 is a change of ``≥+5``, not 5.
    """
    cols = ["label", "doc_type", "indicator", "name", "year", "value", "previous", "change", "change_pct",
            "display", "previous_display", "change_q", "change_display"]
    given = frame.dropna(subset=["year", "value"])
    for key in keys:
        if key in given.columns:
            given = given[given[key].astype(str) != "unknown"]
    if "reports" in given.columns:
        given = given[given["given"] == given["reports"]]
    if given.empty:
        return pd.DataFrame(columns=cols)
    join = [*keys, "doc_type", "indicator", "year"]
    v = given[[*join, "label", "value", "qualifier", "given"]]
    prev = v.drop(columns="label").assign(year=v["year"] + 1).rename(
        columns={"value": "previous", "qualifier": "prev_qualifier", "given": "prev_given"})
    both = v.merge(prev, on=join, how="inner")
    both = both[both["given"] == both["prev_given"]]
    if both.empty:
        return pd.DataFrame(columns=cols)
    both["change"] = both["value"] - both["previous"]
    both["change_q"] = [change_qualifier(a, b) for a, b in zip(both["qualifier"], both["prev_qualifier"], strict=True)]
    both["change_display"] = [("+" if c > 0 else "") + qualified(c, q) if q == "exact"
                              else qualified(c, q).replace(QUALIFIER_SYMBOLS[q], QUALIFIER_SYMBOLS[q]
                                                           + ("+" if c > 0 else ""), 1)
                              for c, q in zip(both["change"], both["change_q"], strict=True)]
    prev_nonzero = both["previous"].where(both["previous"] != 0)
    both["change_pct"] = both["change"] / prev_nonzero * 100.0
    both["name"] = both["indicator"].map(lambda i: names.get(i, i))
    both["display"] = [qualified(a, b) for a, b in zip(both["value"], both["qualifier"], strict=True)]
    both["previous_display"] = [
        qualified(a, b) for a, b in zip(both["previous"], both["prev_qualifier"], strict=True)
    ]
    return both[cols].sort_values(["label", "indicator", "year"]).reset_index(drop=True)


def funnel_series(sums: pd.DataFrame, level: str, steps: Sequence[str], total_label: str,
                  max_series: int = levels.MAX_LINES) -> pd.DataFrame:
    """The funnels to draw from ``queries.complete_rollup``: per group and year while they fit,
    else per group, else one for all; each row one step, in step order."""
    cols = ["label", "indicator", "value", "qualifier", "display", "key", "reports"]
    if sums.empty or not steps:
        return pd.DataFrame(columns=cols)
    group = levels.columns(level)
    named = sums.assign(place=levels.labels(sums, level))
    if len(named[[*group, "year", "doc_type"]].drop_duplicates()) <= max_series:
        keys = [*group, "year", "doc_type"]
        named["label"] = named["place"] + " " + named["year"].astype(int).astype(str)
    elif len(named[[*group, "doc_type"]].drop_duplicates()) <= max_series:
        keys = [*group, "doc_type"]
        named["label"] = named["place"]
    else:
        keys = ["doc_type"]
        named["label"] = total_label
    rows = []
    for (label, indicator), part in named.groupby(["label", "indicator"], sort=True):
        qualifier = combine_qualifiers(list(part["qualifier"]))
        total = float(part["total"].sum())
        first = part.iloc[0].to_dict()
        scope = {c: first[c] for c in keys if c in first}
        key_row = {**scope, "value_id": first["value_id"] if len(part) == 1 else None}
        rows.append({"label": label, "indicator": indicator, "value": total, "qualifier": qualifier,
                     "display": qualified(total, qualifier), "reports": int(part["reports"].max()),
                     "key": levels.click_key(level if set(group) <= set(keys) else "all", key_row, [indicator])})
    out = pd.DataFrame(rows, columns=cols)
    order = {s: i for i, s in enumerate(steps)}
    return out.assign(step=out["indicator"].map(order)).sort_values(["label", "step"]).drop(columns="step") \
        .reset_index(drop=True)


def shortfall_matrix(sums: pd.DataFrame, level: str, themes: pd.DataFrame, name_col: str, by_year: bool,
                     count_text: str = "{n}/{reports}", examples: int = 5,
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Group (× year) by theme from ``queries.shortfall_rollup``: share of reports stating it,
    the cell text, and the hover text (reports stating it and a few statements).

    A single report's cell shows its number of statements; a group's cell the
    share of its reports that state the theme, which compares provinces of
    different sizes fairly.
    """
    theme_names = dict(zip(themes["theme"], themes[name_col], strict=True))
    # Plain Python over the rollup's few hundred rows: a pandas grouping, unstack and reindex per
    # table cost ~0.2 ms an operation, most of this function (12 -> 3 ms for the country).
    places = levels.labels(sums, level).tolist() if len(sums) else []
    labels = [f"{p} {int(y)}" for p, y in zip(places, sums["year"], strict=True)] if by_year else places
    index = list(dict.fromkeys(labels))
    group = [*levels.columns(level), *(["year"] if by_year else [])]
    # a group's reports once (it has a row per theme), added up per label
    reports: dict[str, int] = dict.fromkeys(index, 0)
    seen: set[tuple] = set()
    for label, key, n in zip(labels, zip(*(sums[c] for c in group), strict=True), sums["reports"], strict=True):
        if (label, key) not in seen:
            seen.add((label, key))
            reports[label] += int(n)
    found = [(label, theme_names.get(theme, theme), int(stating), int(statements), examples_of)
             for label, theme, stating, statements, examples_of
             in zip(labels, sums["theme"], sums["stating"], sums["statements"], sums["examples"], strict=True)
             if isinstance(theme, str)]
    named = list(theme_names.values())
    columns = named + sorted({col for _, col, *_ in found} - set(named))
    rows_at = {label: i for i, label in enumerate(index)}
    cols_at = {col: j for j, col in enumerate(columns)}
    stating = np.zeros((len(index), len(columns)), dtype=np.int64)
    statements = np.zeros((len(index), len(columns)), dtype=np.int64)
    # The statements of each cell, in row order, gathered in plain Python and written into an array.
    samples: dict[tuple[int, int], list[str]] = {}
    for label, col, n_stating, n_statements, texts in found:
        i, j = rows_at[label], cols_at[col]
        stating[i, j] += n_stating
        statements[i, j] += n_statements
        samples.setdefault((i, j), []).extend(texts if texts is not None else [])
    totals = np.array([reports[label] for label in index], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(totals[:, None] > 0, stating / np.where(totals > 0, totals, 1)[:, None], 0.0)
    # the index and column names (and an empty index's type) pandas's grouping gave them
    share = pd.DataFrame(shares, index=pd.Index(index, dtype="str" if by_year else None, name="label"),
                         columns=pd.Index(columns, name="col"))
    text = pd.DataFrame(
        [[(str(int(n)) if n else "") if total == 1 else (f"{s:.0%}" if s else "")
          for n, s in zip(nrow, srow, strict=True)]
         for total, nrow, srow in zip(totals, statements, shares, strict=True)],
        index=index, columns=columns,
    )
    cells = np.full((len(index), len(columns)), "", dtype=object)
    for (i, j), texts in samples.items():
        cells[i, j] = (count_text.format(n=int(stating[i, j]), reports=int(totals[i])) + "<br>"
                       + "<br>".join(texts[:examples]))
    hover = pd.DataFrame(cells, index=index, columns=columns, dtype=object)
    return share, text, hover


def pairs(sums: pd.DataFrame, level: str, pair: tuple[str, str]) -> pd.DataFrame:
    """One row per group of a ``queries.complete_rollup`` over the two indicators of ``pair``: the
    group's columns (region, year, document type, in their order), each indicator's ``total`` and its
    qualifier (``<indicator>__qualifier``), the group's ``reports`` and its ``label``.

    The rollup has one row per group and indicator; the rows are paired in plain Python, as the
    pivot of a grouping, an unstack and a merge (~10 ms of a page for a few dozen groups) paired them.
    """
    keys = [*levels.columns(level), "year", "doc_type"]
    totals: dict[tuple, dict[str, object]] = {}
    for row in zip(*(sums[c] for c in keys), sums["indicator"], sums["total"], sums["qualifier"], sums["reports"],
                   strict=True):
        *key, indicator, total, qualifier, reports = row
        group = totals.setdefault(tuple(key), {"reports": reports})
        group["reports"] = max(group["reports"], reports)
        group[indicator], group[f"{indicator}__qualifier"] = total, qualifier  # one row per group and indicator
    ordered = sorted(totals)
    out = pd.DataFrame({c: pd.Series([k[i] for k in ordered], dtype=sums[c].dtype) for i, c in enumerate(keys)})
    for indicator in pair:
        out[indicator] = pd.Series([totals[k].get(indicator) for k in ordered], dtype=sums["total"].dtype)
        out[f"{indicator}__qualifier"] = pd.Series([totals[k].get(f"{indicator}__qualifier") for k in ordered],
                                                   dtype=sums["qualifier"].dtype)
    out["reports"] = pd.Series([totals[k]["reports"] for k in ordered], dtype=sums["reports"].dtype)
    out["label"] = levels.labels(out, level) if len(out) else pd.Series(dtype=object)
    return out
