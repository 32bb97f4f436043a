"""Plotly figures. Each takes already-shaped data (see :mod:`ui.tables`).

Every bar or point carries its ``value_id`` in ``customdata`` so a click can
list the quotes behind it; text labels show the qualified value (``≥20``);
a report that does not give the number is drawn as a "not stated" label,
never as a zero-height bar.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from ui import theme

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
#: Points of one line that still carry their number as text (more overlap).
MAX_POINT_LABELS = 6
PALETTE = ["#1f5fa8", "#e0722b", "#2e9c6a", "#b8434a", "#7b5ea7", "#8c6d4f", "#d1689f", "#6b7b8c"]
theme.install()  # every figure gets the shared template when it is made; none names one (ui/theme.py)


def _title(title: str) -> dict:
    """A long title's parenthesised part goes to a smaller second line, so nothing is cut at 1024 px."""
    for mark in ("（", " ("):
        head, sep, tail = title.partition(mark)
        if sep and len(title) > 28 and head:
            return {"text": head, "x": 0, "font": {"size": 16},
                    "subtitle": {"text": sep.strip() + tail, "font": {"size": 12, "color": "#6b7b8c"}}}
    return {"text": title, "x": 0, "font": {"size": 16}}


def _merged(base: dict, *updates: dict) -> dict:
    """``base`` with ``updates`` laid over it key by key, nested dicts merged as ``update_layout`` merges them."""
    out = dict(base)
    for update in updates:
        for key, value in update.items():
            old = out.get(key)
            out[key] = _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return out


def _frame_layout(title: str, height: int = 380, top: int = 50) -> dict:
    """The title, font, size, margins and click mode every chart shares, as layout properties."""
    styled = _title(title)
    # a subtitle's line comes on top of the plot's height, not out of it: a three-bar chart
    # lost a fifth of its plot to it and Plotly shrank the bar labels to fit the thinner bars
    extra = 24 if "subtitle" in styled else 0
    return {
        "title": styled,
        "font": {"family": FONT, "size": 13},
        "height": height + extra,
        "margin": {"l": 10, "r": 10, "t": top + extra, "b": 10},
        "legend": {"orientation": "h", "y": -0.18},
        "clickmode": "event+select",
    }


def _style(fig: go.Figure, title: str, height: int = 380, top: int = 50) -> go.Figure:
    """:func:`_frame_layout` applied to a figure made trace by trace (the brief's percentile chart)."""
    fig.update_layout(**_frame_layout(title, height, top))
    return fig


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """One figure from whole trace and layout dicts, made in one go and not validated.

    Building a figure call by call (``add_trace``, ``update_layout``,
    ``update_xaxes``, ``make_subplots``) parses and validates every path again:
    a national page spent ~0.1 CPU-s of its 0.3 in that. Laying the same
    properties out as dicts and making the figure at once gives the same figure
    (the same JSON) for a tenth of the cost; validating it would be a quarter
    of what is left. These dicts are fixed shapes written here, and the tests
    validate every kind (tests/test_chart_labels.py), so a misspelt property
    still fails there rather than in a browser.
    """
    # columns as the arrays validation would have made of them: a figure's dict is deep-copied
    # when it is sent, and copying a pandas Series (index and all) cost more than drawing it
    arrays = [{k: v.to_numpy() if isinstance(v, pd.Series) else v for k, v in trace.items()} for trace in traces]
    return go.Figure(data=arrays, layout=layout, _validate=False)


def _custom(part: pd.DataFrame) -> list[list[str]]:
    """Per point: what a click resolves to (``key``) and the coverage line for hover."""
    coverage = part["coverage"] if "coverage" in part.columns else pd.Series("", index=part.index)
    return [[k, c] for k, c in zip(part["key"], coverage, strict=True)]


def bars(frame: pd.DataFrame, title: str, unit: str, not_stated: str) -> go.Figure:
    """Bars by group, one colour per ``series`` (the year); silent groups labelled ``not_stated``."""
    fig = go.Figure()
    given = frame[~frame["missing"]]
    for i, (series, part) in enumerate(given.groupby("series", sort=True)):
        fig.add_trace(
            go.Bar(
                x=part["label"], y=part["value"], name=str(series), text=part["display"],
                textposition="outside", customdata=_custom(part),
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="%{x} " + str(series) + ": %{text} " + unit
                + "<br>%{customdata[1]}<extra></extra>",
            )
        )
    silent = frame[frame["missing"] & ~frame["label"].isin(given["label"])].drop_duplicates("label")
    if len(silent):
        fig.add_trace(
            go.Scatter(
                x=silent["label"], y=[0] * len(silent), mode="text", name=not_stated,
                text=[not_stated] * len(silent), textposition="top center",
                textfont={"color": "#8a8a8a"}, hoverinfo="skip", showlegend=False,
            )
        )
    # Tallest first: a ranking reads at a glance; "not stated" groups come last.
    fig.update_layout(barmode="group", yaxis_title=unit,
                      xaxis={"type": "category", "categoryorder": "total descending"})
    if len(given):
        fig.update_yaxes(range=[0, float(given["value"].max()) * 1.2 or 1])
    return _style(fig, title)


def _unit_annotation(unit: str) -> dict:
    """The unit written horizontally above the value axis (a sideways "家" is hard to read)."""
    return {"text": unit, "showarrow": False, "x": 0, "y": 1, "xref": "paper", "yref": "paper", "xanchor": "left",
            "yanchor": "bottom", "yshift": 4, "font": {"color": "#6b7b8c", "size": 12}}


def unit_note(fig: go.Figure, unit: str) -> None:
    """:func:`_unit_annotation` added to a figure."""
    fig.add_annotation(**_unit_annotation(unit))


def point_label_positions(values: list[float]) -> list[str]:
    """Above and below the points in turn, the last one above: in the narrow "over the years"
    column two years sit ~40 px apart and "≈16,454" ran into "≈17,050" when both were above.
    A point in the bottom quarter (the axis starts at 0) keeps its label above, off the year ticks."""
    top = max(values, default=0) or 1
    n = len(values)
    return ["top center" if (n - 1 - i) % 2 == 0 or v < top / 4 else "bottom center"
            for i, v in enumerate(values)]


def trend(frame: pd.DataFrame, title: str, unit: str) -> go.Figure:
    """One line per group over the years, all in the page's one colour, each named at its end;
    only stated values are plotted."""
    traces: list[dict] = []
    notes: list[dict] = []
    given = frame[~frame["missing"]].sort_values("year")
    groups = list(given.groupby("label", sort=True))
    single = len(groups) == 1
    for label, part in groups:
        traces.append(dict(
            type="scatter", x=part["year"].astype(int), y=part["value"], name=str(label),
            # numbers on the points of a single short line; several lines carry their name at the end
            mode="lines+markers+text" if single and len(part) <= MAX_POINT_LABELS else "lines+markers",
            text=part["display"], textposition=point_label_positions(part["value"].tolist()),
            customdata=_custom(part), cliponaxis=False,
            line={"color": BLUE, "width": 3 if single else 2}, marker={"size": 9 if single else 6},
            opacity=1 if single else 0.75,
            hovertemplate=str(label) + " %{x}: %{text} " + unit + "<br>%{customdata[1]}<extra></extra>",
        ))
        if not single:
            last = part.iloc[-1]
            notes.append({"x": int(last["year"]), "y": float(last["value"]), "text": str(label), "showarrow": False,
                          "xanchor": "left", "xshift": 6, "font": {"size": 11, "color": "#3d4a57"}})
    # From zero: a band of 148k–158k would make a 6% change look like a collapse.
    xaxis: dict = {"dtick": 1, "tickformat": "d", "tickangle": 0}
    if len(given):  # half a year of room each side: end labels clear the value axis
        first, last_year = int(given["year"].min()), int(given["year"].max())
        # a narrow column fits three or four year labels side by side, not ten
        xaxis.update(range=[first - 0.5, last_year + 0.5],
                     dtick=1 if last_year - first <= 2 else -(-(last_year - first) // 2))
    layout = _merged(
        _frame_layout(title, height=320, top=60),
        {"xaxis": xaxis, "yaxis": {"rangemode": "tozero", **_count_ticks(given["value"], True)},
         "showlegend": False, "annotations": [*notes, _unit_annotation(unit)]},
        {"margin": {"l": 10, "r": 80, "b": 10}},
    )
    return _figure(traces, layout)


def funnel(rows: pd.DataFrame, names: dict[str, str], title: str) -> go.Figure:
    """Inspected → violation → penalty, one funnel per report that gives every step."""
    traces = [
        dict(
            type="funnel", y=[names.get(ind, ind) for ind in part["indicator"]], x=part["value"], name=str(label),
            text=part["display"], textinfo="text", customdata=part[["key"]].to_numpy(),
            marker={"color": BLUE, "opacity": max(1.0 - 0.15 * i, 0.4)},
            hovertemplate=str(label) + " · %{y}: %{text}<extra></extra>",
        )
        for i, (label, part) in enumerate(rows.groupby("label", sort=True))
    ]
    return _figure(traces, _frame_layout(title, height=360))


def wrap(label: str, cjk: int = 5, latin: int = 12) -> str:
    """Break a column label into short lines (``<br>``) so neighbouring labels never overlap."""
    label = str(label)
    if any("\u4e00" <= ch <= "\u9fff" for ch in label):
        # lines of even length, so no line is one orphaned character ("执法力量不" / "足")
        lines = -(-len(label) // max(cjk, 1))
        base, extra = divmod(len(label), lines)
        cuts = [0]
        for i in range(lines):
            cuts.append(cuts[-1] + base + (1 if i < extra else 0))
        return "<br>".join(label[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= latin:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


#: The narrowest plot area a column chart gets (the 1024 px layout, less the row labels), and
#: the width of one character of tick text there (13 px: a Chinese character is 13 px wide):
#: column labels are wrapped to fit a column, less a gap so neighbours never touch.
NARROW_PLOT_PX, LATIN_PX, CJK_PX, TICK_GAP_PX = 440, 6.5, 13.0, 6.0


#: Tick angle for column labels with a word too long for a column: slanted, never sideways.
SLANT = -35
#: Rows beyond which a grid names its columns on top rather than below.
TALL_ROWS = 8


def column_labels(labels: list[str]) -> tuple[list[str], int]:
    """``labels`` wrapped to the width one of ``len(labels)`` columns has at 1024 px, and the tick angle.

    Chinese wraps anywhere; an English word cannot, and one wider than its
    column ran into the next ("Enforcement" beside "Institution" at 1024 px):
    then the labels are slanted on one line each instead.
    """
    column = NARROW_PLOT_PX / max(len(labels), 1) - TICK_GAP_PX
    cjk, latin = max(2, min(5, int(column / CJK_PX))), max(5, min(12, int(column / LATIN_PX)))
    cjk_text = [any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in labels]
    if any(len(w) > latin for c, is_cjk in zip(labels, cjk_text, strict=True) if not is_cjk for w in c.split()):
        return list(labels), SLANT
    return [wrap(c, cjk=cjk, latin=latin) for c in labels], 0


def heatmap(share: pd.DataFrame, text: pd.DataFrame, hover: pd.DataFrame, title: str) -> go.Figure:
    """Groups × shortfall themes, darker where more reports state the theme; hover shows statements."""
    ticks, angle = column_labels([str(c) for c in share.columns])
    trace = dict(
        type="heatmap", z=share.to_numpy(), x=ticks, y=list(share.index),
        customdata=hover.to_numpy(), colorscale=[[0, "#f4f6f9"], [1, "#b8434a"]], zmin=0, zmax=1,
        xgap=3, ygap=3, showscale=False, text=text.to_numpy(), texttemplate="%{text}",
        hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
    )
    # A tall grid (the 31 provinces) names its columns on top, where the reader starts, not 1,500 px down.
    tall = len(share.index) > TALL_ROWS
    if angle:  # a slanted label rises by its length times the sine of the angle (35°: 0.57)
        label_px = int(max((len(t) for t in ticks), default=1) * LATIN_PX * 0.6) + 10
    else:
        label_px = 16 * max((t.count("<br>") + 1 for t in ticks), default=1)
    layout = _merged(
        {"xaxis": {"side": "top" if tall else "bottom", "tickangle": angle, "automargin": True},
         "yaxis": {"autorange": "reversed"}},
        _frame_layout(title, height=150 + label_px + 52 * max(len(share.index), 1),
                      top=50 + (label_px + 10 if tall else 0)),
    )
    if tall:  # the title at the very top, the column names between it and the grid
        layout = _merged(layout, {"title": {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}}})
    return _figure([trace], layout)


def _panels(n: int, spacing: float, titles: Sequence[str], title_font: dict) -> dict:
    """The axes and panel titles of ``n`` panels side by side sharing one category axis, as layout properties.

    What ``make_subplots(rows=1, cols=n, shared_yaxes=True, horizontal_spacing=spacing,
    subplot_titles=titles)`` lays out (the same domains, to the last digit), without its cost
    (a third of a small-multiples chart). Panel ``i`` (from 1) draws on axes ``x{i}``/``y{i}``
    (``x``/``y`` for the first).
    """
    width = (1.0 - spacing * (n - 1)) / n
    layout: dict = {"annotations": []}
    for c in range(n):
        start = width * c + c * spacing  # make_subplots sums the widths before the panel, then the gaps
        domain = [max(0.0, start), min(1.0, start + width)]
        suffix = str(c + 1) if c else ""
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": domain}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0]}
        if c:
            layout[f"yaxis{suffix}"].update(matches="y", showticklabels=False)
        if c < len(titles) and titles[c]:
            layout["annotations"].append({
                "y": 1.0, "xref": "paper", "x": sum(domain) / 2.0, "yref": "paper", "text": titles[c],
                "showarrow": False, "font": dict(title_font), "xanchor": "center", "yanchor": "bottom"})
    return layout


def _axis_names(n: int) -> list[tuple[str, str]]:
    """The (trace, layout) names of panel ``i``'s x axes: ("x", "xaxis"), ("x2", "xaxis2"), ..."""
    return [(f"x{i + 1 if i else ''}", f"xaxis{i + 1 if i else ''}") for i in range(n)]


def capacity(numbers: pd.DataFrame, shown: pd.DataFrame, capacity_cols: list[str],
             workload_cols: list[str], title: str, not_stated: str) -> go.Figure:
    """Staff and posts (left panel) beside inspection workload (right panel), per report.

    Two panels because a handful of staff and dozens of inspected units do not
    share a scale; missing numbers are labelled, not drawn as zero.
    """
    # panel names at the axes' size, not Plotly's 16 px (they read louder than the chart's own title)
    layout = _panels(2, 0.1, (" / ".join(capacity_cols), " / ".join(workload_cols)), {"size": 13})
    labels = numbers["label"]
    traces: list[dict] = []
    axes = _axis_names(2)
    for col in capacity_cols + workload_cols:
        x_name = axes[0 if col in capacity_cols else 1][0]
        text = [not_stated if s == "—" else s for s in shown[col]]
        traces.append(dict(
            type="bar", y=labels, x=numbers[col].fillna(0), name=col, orientation="h", text=text,
            textposition="outside", cliponaxis=False, marker={"color": BLUE},
            hovertemplate="%{y}: %{text}<extra>" + col + "</extra>",
            xaxis=x_name, yaxis="y" + x_name[1:],
        ))
    for (_, axis), cols in zip(axes, (capacity_cols, workload_cols), strict=True):
        top = float(numbers[cols].max().max()) if len(numbers) and cols else 1.0
        top = top if top == top and top > 0 else 1.0
        # whole persons and units only, with room for the outside labels
        layout[axis].update(range=[0, top * 1.3], tickformat=",d", **({"dtick": 1} if top <= 8 else {}))
    for axis in ("yaxis", "yaxis2"):
        layout[axis].update(type="category", autorange="reversed", automargin=True)
    layout = _merged(
        layout, {"barmode": "group", "showlegend": False},
        _frame_layout(title, height=140 + ROW_PX * max(len(numbers), 1) * max(len(capacity_cols), 1), top=84),
    )
    return _figure(traces, layout)


def grouped(frame: pd.DataFrame, names: dict[str, str], title: str, unit: str) -> go.Figure:
    """Several indicators of one unit side by side per group (e.g. inspection methods).

    ``frame`` is long: one row per group × indicator with ``x`` (the group,
    with its year when several years are drawn), ``value``, ``display`` and
    ``key``; a silent group simply has no bar for that indicator.
    """
    fig = go.Figure()
    given = frame[~frame["missing"]]
    for i, (ind, part) in enumerate(given.groupby("indicator", sort=False)):
        fig.add_trace(
            go.Bar(
                x=part["x"], y=part["value"], name=names.get(ind, ind), text=part["display"],
                textposition="outside", customdata=_custom(part),
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="%{x} · " + names.get(ind, ind) + ": %{text} " + unit
                + "<br>%{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", yaxis_title=unit, xaxis={"type": "category"})
    return _style(fig, title)


# --------------------------------------------------------------------------- rankings, slopes, map (issue 11)
# One colour meaning per page: blue is the metric, orange the selected region, grey "not stated".
BLUE, ORANGE, GREY = "#1f5fa8", "#e0722b", "#c9ced6"
#: Pixels per bar of a ranking: labels 13 px high never touch.
ROW_PX = 26


def _count_ticks(values: pd.Series, integer: bool) -> dict:
    """Axis properties so counts tick at whole numbers only (no "0.5 persons")."""
    if integer and len(values) and float(values.max()) <= 10:
        return {"dtick": 1, "tickformat": "d"}
    return {"tickformat": ",d"} if integer else {}


def _count_axis(fig: go.Figure, axis: str, values: pd.Series, integer: bool) -> None:
    """:func:`_count_ticks` applied to a figure's ``axis`` ("x" or "y") axes."""
    ticks = _count_ticks(values, integer)
    if ticks:
        getattr(fig, f"update_{axis}axes")(**ticks)


def ranking(frame: pd.DataFrame, title: str, unit: str, integer: bool = True,
            silent: list[str] | None = None, not_stated: str = "") -> go.Figure:
    """Sorted horizontal bars with direct labels, largest on top; ``highlight`` rows in orange.

    ``frame``: label, value, display, key, highlight (bool), coverage. Names
    stay horizontal at any count (the chart grows instead), and the value
    axis leaves room so no label is clipped. ``silent`` regions (no report
    gives the number) come last, labelled ``not_stated`` in grey, never as a
    zero-length bar.
    """
    silent = [s for s in (silent or []) if s not in set(frame["label"])]
    rows = frame.iloc[::-1]  # Plotly draws the first category at the bottom
    colours = [ORANGE if h else BLUE for h in rows["highlight"]]
    traces: list[dict] = []
    if silent:
        traces.append(dict(
            type="scatter", y=silent[::-1], x=[0] * len(silent), mode="text", text=[not_stated] * len(silent),
            textposition="middle right", textfont={"color": "#8a8a8a"}, hoverinfo="skip", showlegend=False,
            cliponaxis=False,
        ))
    traces.append(dict(
        type="bar", y=rows["label"], x=rows["value"], orientation="h", text=rows["display"], textposition="outside",
        # labels keep the axis' size: Plotly otherwise shrinks them to the bar's thickness (9 px on 3 bars)
        constraintext="none", textfont={"size": 12},
        cliponaxis=False, marker={"color": colours}, customdata=_custom(rows),
        hovertemplate="%{y}: %{text} " + unit + "<br>%{customdata[1]}<extra></extra>",
    ))
    top = float(rows["value"].max()) if len(rows) else 1.0
    xaxis = {"range": [0, (top or 1.0) * 1.22], "showgrid": False, "showticklabels": False, "zeroline": True,
             "title": {"text": unit, "standoff": 4}, **_count_ticks(rows["value"], integer)}
    yaxis = {"categoryorder": "array", "categoryarray": [*silent[::-1], *rows["label"]], "type": "category",
             "tickfont": {"size": 13}, "automargin": True}
    layout = _merged(
        _frame_layout(title, height=90 + ROW_PX * max(len(rows) + len(silent), 1)),
        {"xaxis": xaxis, "yaxis": yaxis, "showlegend": False, "bargap": 0.25,
         "margin": {"l": 10, "r": 30, "b": 30}},
    )
    return _figure(traces, layout)


def slope(frame: pd.DataFrame, first: int, last: int, title: str, unit: str, integer: bool = True) -> go.Figure:
    """Dot chart of two years per region (grey dot: first year, blue: last year, joined by a line).

    ``frame``: label, first, last, first_display, last_display, key, highlight;
    sorted as given (largest last-year value on top). Only regions reporting
    in both years are passed in, so every line compares like with like.
    """
    rows = frame.iloc[::-1]
    fig = go.Figure()
    xs, ys = [], []
    for label, a, b in zip(rows["label"], rows["first"], rows["last"], strict=True):
        xs += [a, b, None]
        ys += [label, label, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": GREY, "width": 2}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(
        x=rows["first"], y=rows["label"], mode="markers", name=str(first), marker={"color": "#8a8a8a", "size": 10},
        customdata=_custom(rows), text=rows["first_display"],
        hovertemplate="%{y} " + str(first) + ": %{text} " + unit + "<extra></extra>"))
    last_colours = [ORANGE if h else BLUE for h in rows["highlight"]]
    fig.add_trace(go.Scatter(
        x=rows["last"], y=rows["label"], mode="markers", name=str(last), text=rows["last_display"],
        customdata=_custom(rows), marker={"color": last_colours, "size": 12},
        hovertemplate="%{y} " + str(last) + ": %{text} " + unit + "<extra></extra>"))
    # the label stands right of whichever dot is further right, so it never crosses the other dot;
    # it takes the last-year dot's colour, so beside a grey (first-year) dot it still reads as the last year
    fig.add_trace(go.Scatter(
        x=pd.concat([rows["first"], rows["last"]], axis=1).max(axis=1), y=rows["label"], mode="text",
        text=rows["last_display"], textposition="middle right", cliponaxis=False, showlegend=False,
        hoverinfo="skip", texttemplate="  %{text}", textfont={"color": last_colours}))
    top = float(pd.concat([rows["first"], rows["last"]]).max()) if len(rows) else 1.0
    # this axis shows its tick numbers: the unit stands below them, not in their row
    fig.update_xaxes(range=[0, (top or 1.0) * 1.2], title={"text": unit, "standoff": 12}, rangemode="tozero")
    _count_axis(fig, "x", pd.concat([rows["first"], rows["last"]]), integer)
    fig.update_yaxes(type="category", automargin=True)
    fig = _style(fig, title, height=110 + ROW_PX * max(len(rows), 1), top=60)
    fig.update_layout(legend={"orientation": "h", "y": 1.0, "x": 1, "xanchor": "right", "yanchor": "bottom"},
                      margin={"l": 10, "r": 40, "b": 30})
    return fig


class PrebuiltFigure(go.Figure):
    """A figure whose traces are plain dicts handed over as they are.

    Plotly copies every trace on construction and again in ``to_dict`` (which
    Streamlit calls): for a map that is the whole GeoJSON twice, 0.3 s for
    the provinces and seconds for the districts. These traces are fixed
    shapes built here, so they skip the copies and the validation; the
    layout is an ordinary, validated one.
    """

    def __init__(self, traces: list[dict]) -> None:
        super().__init__()
        self._prebuilt = traces

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["data"] = self._prebuilt
        return out

    def to_plotly_json(self) -> dict:
        return self.to_dict()


def view_of(bounds: tuple[float, float, float, float], width: int = 760, height: int = 520) -> dict:
    """Centre and zoom that fit ``(lon_min, lat_min, lon_max, lat_max)`` in a map of this size."""
    import math

    lon0, lat0, lon1, lat1 = bounds
    span_lon = max(lon1 - lon0, 0.05)
    span_lat = max(lat1 - lat0, 0.05) * 1.25  # mercator stretches the north of China
    zoom = min(math.log2(360 * width / (256 * span_lon)), math.log2(170 * height / (256 * span_lat)))
    return {"center": {"lon": (lon0 + lon1) / 2, "lat": (lat0 + lat1) / 2}, "zoom": max(zoom - 0.15, 0.5)}


def choropleth(geojson: dict, frame: pd.DataFrame, title: str, unit: str, not_stated: str,
               bounds: tuple[float, float, float, float] | None = None) -> go.Figure:
    """Regions shaded by the metric; regions without a value in grey, labelled ``not_stated`` (not 0).

    ``frame``: adcode, label, value, display, key, highlight, coverage.
    ``geojson`` holds every region of the scope (features keyed by adcode),
    so a region no report covers is drawn too. Drawn on a blank map style
    ("white-bg"): no tiles, no fonts, no network.
    """
    codes = {f["id"] for f in geojson.get("features", [])}
    drawn = frame[frame["adcode"].isin(codes)]
    given = drawn[drawn["value"].notna()]
    silent = sorted(codes - set(given["adcode"]))
    # Plain dicts into one unvalidated figure: validating or adding trace by trace deep-copies the
    # whole GeoJSON each time (0.3 s per trace for the provinces); these traces are fixed shapes.
    traces: list[dict] = []
    by_code = {f["id"]: f for f in geojson.get("features", [])}

    def shapes(which: list[str]) -> dict:
        """Each trace carries only its own regions: the page sends every boundary once."""
        return {"type": "FeatureCollection", "features": [by_code[c] for c in which]}
    names = dict(zip(drawn["adcode"], drawn["label"], strict=False))
    if silent:
        traces.append(dict(
            type="choroplethmap",
            geojson=shapes(silent), locations=silent, z=[0] * len(silent), featureidkey="id",
            colorscale=[[0, "#e3e7ec"], [1, "#e3e7ec"]], showscale=False,
            marker={"line": {"color": "#ffffff", "width": 0.5}}, text=[names.get(c, "") for c in silent],
            customdata=[[""] for _ in silent],
            hovertemplate="%{text} " + not_stated + "<extra></extra>", name=not_stated,
        ))
    if len(given):
        traces.append(dict(
            type="choroplethmap",
            geojson=shapes(given["adcode"].tolist()), locations=given["adcode"].tolist(),
            z=given["value"].tolist(), featureidkey="id",
            colorscale=[[0, "#dbe6f3"], [1, BLUE]], marker={"line": {"color": "#ffffff", "width": 0.6}},
            text=given["label"].tolist(),
            customdata=[[k, c, d] for k, c, d in zip(given["key"], given["coverage"], given["display"], strict=True)],
            hovertemplate="%{text}: %{customdata[2]} " + unit + "<br>%{customdata[1]}<extra></extra>",
            # grouped like every other number on the page ("1,000", not "1000")
            colorbar={"title": {"text": unit, "side": "top"}, "thickness": 12, "len": 0.5, "orientation": "h",
                      "tickformat": ",", "y": 0, "yanchor": "top", "x": 0.5},
        ))
        picked = given[given["highlight"]]
        if len(picked):  # the selected region outlined in orange on top
            traces.append(dict(
                type="choroplethmap",
                geojson=shapes(picked["adcode"].tolist()), locations=picked["adcode"].tolist(),
                z=[1] * len(picked), featureidkey="id",
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
                marker={"line": {"color": ORANGE, "width": 3}}, hoverinfo="skip",
            ))
    fig = PrebuiltFigure(traces)
    view = view_of(bounds) if bounds else {"center": {"lon": 104.5, "lat": 36}, "zoom": 2.4}
    fig.update_layout(map={"style": "white-bg", **view})
    fig.add_annotation(text="■ " + not_stated, showarrow=False, x=0, y=0, xref="paper", yref="paper",
                       xanchor="left", yanchor="bottom", font={"color": "#9aa3ad", "size": 13})
    fig = _style(fig, title, height=600)
    fig.update_layout(margin={"l": 0, "r": 0, "b": 60})
    return fig


def label_room(values: list[float], labels: list[str], panel_px: float) -> float:
    """The x range end of a panel that leaves each bar room for its label after it.

    A fixed 45 % headroom cut "≥1,872" off under the next panel when four
    panels share the 1024 px layout (~100 px each): the range now grows until
    the widest bar-plus-label fits the panel.
    """
    reach = max(values, default=0.0) * 1.2 or 1.0
    for value, label in zip(values, labels, strict=True):
        room = panel_px - (len(label) + 1) * LATIN_PX
        if value > 0 and room > panel_px * 0.25:
            reach = max(reach, value * panel_px / room)
        elif value > 0:  # a label wider than three quarters of the panel: keep a quarter for the bar
            reach = max(reach, value * 4)
    return reach


def small_multiples(frame: pd.DataFrame, names: dict[str, str], title: str, unit: str,
                    not_stated: str, order_ids: list[str] | None = None) -> go.Figure:
    """Several indicators per region as side-by-side panels of horizontal bars sharing the region axis.

    Instead of grouped bars (a legend of colours to decode, labels colliding
    with many regions): one panel per indicator, each with its own scale and
    direct labels, regions in the order of the first indicator.
    ``frame``: label, indicator, value, display, key, coverage, missing.
    """
    present = set(frame["indicator"])
    ids = [i for i in (order_ids or names) if i in present]  # the page's declared order
    ids += sorted(present - set(ids))
    given = frame[~frame["missing"]]
    first = given[given["indicator"] == ids[0]].sort_values("value", ascending=True) if ids else given
    order = [*[lab for lab in dict.fromkeys(frame["label"]) if lab not in set(first["label"])], *first["label"]]
    spacing = 0.03
    panel_px = NARROW_PLOT_PX * (1 - spacing * (len(ids) - 1)) / max(len(ids), 1)
    titles = [wrap(names.get(i, i), cjk=min(12, int(panel_px / CJK_PX)), latin=min(22, int(panel_px / LATIN_PX)))
              for i in ids]
    layout = _panels(max(len(ids), 1), spacing, titles, {"size": 12})
    traces: list[dict] = []
    by_indicator = dict(iter(given.groupby("indicator", sort=False)))
    for (x_name, axis), ind in zip(_axis_names(len(ids)), ids, strict=True):
        part = by_indicator.get(ind, given.iloc[:0])
        traces.append(dict(
            type="bar", y=part["label"], x=part["value"], orientation="h", text=part["display"],
            textposition="outside", cliponaxis=False, marker={"color": BLUE}, customdata=_custom(part),
            showlegend=False,
            hovertemplate="%{y} · " + names.get(ind, ind) + ": %{text} " + unit + "<br>%{customdata[1]}<extra></extra>",
            xaxis=x_name, yaxis="y" + x_name[1:],
        ))
        reach = label_room(part["value"].tolist(), part["display"].astype(str).tolist(), panel_px)
        layout[axis].update(range=[0, reach], showticklabels=False, showgrid=False)
    for key in [k for k in layout if k.startswith("yaxis")]:
        layout[key].update(type="category", categoryorder="array", categoryarray=order, automargin=True)
    title_lines = max((t.count("<br>") + 1 for t in titles), default=1)
    layout = _merged(
        layout,
        _frame_layout(title, height=150 + ROW_PX * max(len(order), 1), top=96 + 14 * max(title_lines - 2, 0)),
        {"margin": {"l": 10, "r": 30, "b": 30}, "showlegend": False},
    )
    layout["annotations"] = [*layout["annotations"], {
        "text": unit + " · " + not_stated, "showarrow": False, "x": 1, "y": 0, "xref": "paper", "yref": "paper",
        "yanchor": "top", "xanchor": "right", "yshift": -6, "font": {"color": "#6b7b8c", "size": 11}}]
    return _figure(traces, layout)
