"""Plotly figures. Each takes already-shaped data (see :mod:`ui.tables`).

Every bar or point carries its ``value_id`` in ``customdata`` so a click can
list the quotes behind it; text labels show the qualified value (``≥20``);
a report that does not give the number is drawn as a "not stated" label,
never as a zero-height bar.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import theme

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
#: Points of one line that still carry their number as text (more overlap).
MAX_POINT_LABELS = 6
PALETTE = ["#1f5fa8", "#e0722b", "#2e9c6a", "#b8434a", "#7b5ea7", "#8c6d4f", "#d1689f", "#6b7b8c"]
theme.install()  # every figure gets the shared template when it is made; none names one (ui/theme.py)


def _style(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.18},
        clickmode="event+select",
    )
    return fig


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


def trend(frame: pd.DataFrame, title: str, unit: str) -> go.Figure:
    """One line per group over the years; only stated values are plotted."""
    fig = go.Figure()
    given = frame[~frame["missing"]].sort_values("year")
    for i, (label, part) in enumerate(given.groupby("label", sort=True)):
        fig.add_trace(
            go.Scatter(
                x=part["year"].astype(int), y=part["value"], name=str(label),
                # numbers on the points while they fit; a long series keeps them on hover
                mode="lines+markers+text" if len(part) <= MAX_POINT_LABELS else "lines+markers",
                text=part["display"], textposition="top center", customdata=_custom(part),
                line={"color": PALETTE[i % len(PALETTE)], "width": 3}, marker={"size": 10},
                hovertemplate=str(label) + " %{x}: %{text} " + unit + "<br>%{customdata[1]}<extra></extra>",
            )
        )
    # From zero: a band of 148k–158k would make a 6% change look like a collapse.
    fig.update_layout(yaxis_title=unit, xaxis={"dtick": 1, "tickformat": "d"}, yaxis={"rangemode": "tozero"})
    return _style(fig, title, height=320)


def funnel(rows: pd.DataFrame, names: dict[str, str], title: str) -> go.Figure:
    """Inspected → violation → penalty, one funnel per report that gives every step."""
    fig = go.Figure()
    for i, (label, part) in enumerate(rows.groupby("label", sort=True)):
        fig.add_trace(
            go.Funnel(
                y=[names.get(ind, ind) for ind in part["indicator"]], x=part["value"], name=str(label),
                text=part["display"], textinfo="text", customdata=part[["key"]].to_numpy(),
                marker={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate=str(label) + " · %{y}: %{text}<extra></extra>",
            )
        )
    return _style(fig, title, height=360)


def heatmap(share: pd.DataFrame, text: pd.DataFrame, hover: pd.DataFrame, title: str) -> go.Figure:
    """Groups × shortfall themes, darker where more reports state the theme; hover shows statements."""
    fig = go.Figure(
        go.Heatmap(
            z=share.to_numpy(), x=list(share.columns), y=list(share.index),
            customdata=hover.to_numpy(), colorscale=[[0, "#f4f6f9"], [1, "#b8434a"]], zmin=0, zmax=1,
            xgap=3, ygap=3, showscale=False, text=text.to_numpy(), texttemplate="%{text}",
            hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_xaxes(side="bottom", tickangle=0)
    fig.update_yaxes(autorange="reversed")
    return _style(fig, title, height=150 + 52 * max(len(share.index), 1))


def capacity(numbers: pd.DataFrame, shown: pd.DataFrame, capacity_cols: list[str],
             workload_cols: list[str], title: str, not_stated: str) -> go.Figure:
    """Staff and posts (left panel) beside inspection workload (right panel), per report.

    Two panels because a handful of staff and dozens of inspected units do not
    share a scale; missing numbers are labelled, not drawn as zero.
    """
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.1,
                        subplot_titles=(" / ".join(capacity_cols), " / ".join(workload_cols)))
    labels = numbers["label"] + " " + numbers["year"].astype("Int64").astype(str)
    for i, col in enumerate(capacity_cols + workload_cols):
        side = 1 if col in capacity_cols else 2
        text = [not_stated if s == "—" else s for s in shown[col]]
        fig.add_trace(
            go.Bar(
                y=labels, x=numbers[col].fillna(0), name=col, orientation="h", text=text,
                textposition="outside", cliponaxis=False, marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="%{y}: %{text}<extra>" + col + "</extra>",
            ),
            row=1, col=side,
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(rangemode="tozero")
    return _style(fig, title, height=180 + 70 * max(len(numbers), 1))


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
