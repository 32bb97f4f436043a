"""The bureau brief as one printable A4 page (PDF or PNG), drawn by Plotly and kaleido.

A figure of fixed A4 size holds the brief's tables, so the file is always
exactly one page; long tables are cut to what fits, with a line saying how
many rows are left to the dashboard. kaleido drives Debian's Chromium
(``BROWSER_PATH``); this runs only when the reader asks for the file.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.charts import FONT

#: A4 at 96 dpi.
WIDTH, HEIGHT = 794, 1123
CHROMIUM = "/usr/bin/chromium"
QUOTE_CHARS = 34
ROWS_RANKS, ROWS_SHORTFALLS, ROWS_TARGETS = 16, 7, 4


def _cut(text: object, n: int) -> str:
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


def _table(frame: pd.DataFrame, headers: Sequence[str], widths: Sequence[float]) -> go.Table:
    return go.Table(
        columnwidth=list(widths),
        header={"values": [f"<b>{h}</b>" for h in headers], "fill_color": "#1f5fa8",
                "font": {"color": "white", "size": 10, "family": FONT}, "align": "left", "height": 20},
        # report text is data: escaped, so a "<b>" in a sentence is printed, not obeyed
        cells={"values": [[html.escape(v) for v in frame[c].astype(str)] for c in frame.columns], "align": "left",
               "font": {"size": 9, "family": FONT}, "height": 18,
               "fill_color": [["#ffffff", "#f4f6f9"] * (len(frame) // 2 + 1)]},
    )


def figure(title: str, subtitle: str, sections: Sequence[tuple[str, pd.DataFrame, Sequence[str], Sequence[float]]],
           more: str) -> go.Figure:
    """One A4 figure: a title and up to three titled tables; ``more`` formats "{n} more rows"."""
    limits = (ROWS_RANKS, ROWS_SHORTFALLS, ROWS_TARGETS)
    heights = [max(min(len(f), lim), 1) + 2 for (_, f, _, _), lim in zip(sections, limits, strict=False)]
    fig = make_subplots(rows=len(sections), cols=1, specs=[[{"type": "table"}]] * len(sections),
                        row_heights=heights, vertical_spacing=0.05,
                        subplot_titles=[s[0] for s in sections])
    for i, ((_, frame, headers, widths), limit) in enumerate(zip(sections, limits, strict=False), start=1):
        shown = frame.head(limit)
        if len(frame) > limit:
            extra = pd.DataFrame([[more.format(n=len(frame) - limit)] + [""] * (frame.shape[1] - 1)],
                                 columns=frame.columns)
            shown = pd.concat([shown, extra], ignore_index=True)
        fig.add_trace(_table(shown, headers, widths), row=i, col=1)
    fig.update_layout(
        width=WIDTH, height=HEIGHT, font={"family": FONT, "size": 10},
        title={"text": f"<b>{title}</b><br><span style='font-size:11px;color:#555'>{subtitle}</span>",
               "x": 0.03, "y": 0.985, "font": {"size": 18}},
        margin={"l": 28, "r": 28, "t": 90, "b": 24}, paper_bgcolor="white",
    )
    for ann in fig.layout.annotations:
        ann.update(x=0, xanchor="left", font={"size": 12, "family": FONT})
    return fig


def render(fig: go.Figure, fmt: str = "pdf") -> bytes:
    """The figure as PDF or PNG bytes (one A4 page)."""
    os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    import plotly.io as pio

    return pio.to_image(fig, format=fmt, width=WIDTH, height=HEIGHT, scale=1 if fmt == "pdf" else 2)


def cut_quotes(frame: pd.DataFrame, column: str, n: int = QUOTE_CHARS) -> pd.DataFrame:
    """A copy with ``column`` shortened to ``n`` characters (the page has the full sentences)."""
    return frame.assign(**{column: frame[column].map(lambda s: _cut(s, n))})
