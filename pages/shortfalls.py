"""Shortfalls: which weaknesses the reports admit, by region, enforcement capacity beside workload,
and which reports state no shortfall at all."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, catalog, charts, components, filters, levels, metrics, queries, tables
from ui.fmt import MISSING, qualified
from ui.i18n import name_col, t

#: Statements listed on screen; the rest are reached by narrowing the filters.
STATEMENTS_SHOWN = 1000
#: Reports stating no shortfall listed as links.
SILENT_SHOWN = 50

bootstrap.require_entry()

src = queries.source()
f = filters.current()
if not components.opened("shortfalls", src, f):
    st.stop()

level = components.level_picker("shortfalls", src, f)
place = levels.columns(level)
by_year = queries.group_count(src, f, (*place, "year")) <= levels.MAX_GROUPS
group = (*place, "year") if by_year else tuple(place)
# one report per row (districts by year): every statement fits on hover
examples = 50 if level == "district" and by_year else 5
themes = queries.themes(src)
# an unknown place is never a heat-map row (the Data quality page lists those reports)
sums = components.placed(queries.shortfall_rollup(src, f, group, examples), level)
share, text, hover = tables.shortfall_matrix(sums, level, themes, name_col(), by_year, t("shortfalls.stating"),
                                             examples)
share.index = [components.localise_text(str(i)) for i in share.index]
fig = charts.heatmap(share, text.set_axis(share.index), hover.set_axis(share.index),
                     t("shortfalls.heatmap", level=t(f"level.{level}")))
components.chart(fig, text.set_axis(share.index).rename_axis(t(f"col.{level}")).reset_index(), "shortfalls__heatmap")

st.subheader(t("shortfalls.statements"))
theme_names = dict(zip(themes["theme"], themes[name_col()], strict=True))
theme = st.selectbox(t("col.theme"), list(theme_names), index=None, placeholder=t("all"),
                     format_func=lambda k: theme_names.get(k, k), key="shortfalls__theme")
statements, n_statements = queries.shortfall_statements(src, f, STATEMENTS_SHOWN, theme)
if statements.empty:
    st.info(t("shortfalls.none_stated"))
else:
    listed = tables.with_region(statements)
    listed["theme_name"] = listed[f"theme_{name_col().removeprefix('name_')}"].fillna(listed["theme"])
    st.dataframe(components.localise(listed[["label", "theme_name", "text"]]).rename(columns={
        t("col.label"): t("col.region"), "theme_name": t("col.theme"), "text": t("col.statement")}),
        hide_index=True)
    if n_statements > len(statements):
        st.caption(t("shortfalls.more", total=n_statements, shown=len(statements)))

silent, n_silent = queries.silent_reports(src, f, SILENT_SHOWN)
st.subheader(t("shortfalls.silent"))
if silent.empty:
    st.caption(t("shortfalls.silent_none"))
else:
    st.caption(t("shortfalls.silent_note", n=n_silent))
    base = filters.url_params()  # the view's filters, read once for the 50 links
    for row in tables.with_region(silent).to_dict("records"):
        components.source_link(row["report_id"], None,
                               f"{components.localise_text(row['label'])} · {row['source_file']}", row["source_file"],
                               base)
    if n_silent > len(silent):
        st.caption(t("shortfalls.more", total=n_silent, shown=len(silent)))

st.subheader(t("shortfalls.capacity"))
cap, work = catalog.indicator_ids("shortfalls", "capacity"), catalog.indicator_ids("shortfalls", "workload")
names = components.names(queries.indicators(src))
if cap and work:
    # Like with like: staff and workload summed over the same reports, those that give both (unflagged).
    pair = (cap[0], work[0])
    sums = components.latest_complete(src, f, level, pair)  # the latest year that has such reports
    years = sorted({int(y) for y in sums["year"].dropna()})
    if sums.empty:
        st.info(t("shortfalls.capacity_none"))
    else:
        wide = tables.pairs(sums, level, pair)
        cap_col, work_col = names.get(pair[0], pair[0]), names.get(pair[1], pair[1])
        numbers = wide[["label", "year"]].assign(**{cap_col: wide[pair[0]], work_col: wide[pair[1]]})
        shown = numbers.assign(**{
            cap_col: [qualified(v, q) for v, q in zip(wide[pair[0]], wide[f"{pair[0]}__qualifier"], strict=True)],
            work_col: [qualified(v, q) for v, q in zip(wide[pair[1]], wide[f"{pair[1]}__qualifier"], strict=True)]})
        order = numbers[work_col].argsort()[::-1]
        numbers, shown = numbers.iloc[order].reset_index(drop=True), shown.iloc[order].reset_index(drop=True)
        title = t("shortfalls.capacity") + (f"（{years[-1]}）" if years else "")
        fig = charts.capacity(numbers, shown, [cap_col], [work_col], title, t("not_stated"))
        ratio_id = next((r.id for r in metrics.value_ratios() if (r.numerator, r.denominator) == (work[0], cap[0])),
                        None)
        table = shown.rename(columns={"label": t(f"col.{level}"), "year": t("col.year")})
        table[t("shortfalls.both_reports")] = wide["reports"].iloc[order].to_numpy()
        if ratio_id is not None:
            # each region's median of its reports' ratios, as the rankings page ranks them
            med = queries.ratio_medians(src, f, ratio_id, years[-1], level)
            med["label"] = levels.labels(med, level) if len(med) else []
            per = dict(zip(med["label"], med["value"], strict=True))
            table[t("shortfalls.ratio")] = [MISSING if per.get(lab) is None or per.get(lab) != per.get(lab)
                                            else f"{per[lab]:,.1f}" for lab in numbers["label"]]
        components.chart(fig, table, "shortfalls__capacity")
        st.caption(t("shortfalls.capacity_like"))
st.caption(t("shortfalls.capacity_note"))
