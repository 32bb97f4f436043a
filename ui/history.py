"""A value's (or a report's) correction history, for the Sources page.

Every correction is kept, not only the one applied, so a reader can see who
changed a number, when, from what to what and why, and which correction a
later one superseded. The rows come from the warehouse's ``v_corrections``
(a copy of the corrections file taken at each build).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import review
from ui.i18n import t
from ui.model import Source


def history_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``v_corrections`` rows as a reader sees them: localised, old and new values in words."""
    out = pd.DataFrame(
        {
            "created_at": frame["created_at"],
            "who": frame["who"],
            "kind": [t(f"history.kind.{k}") for k in frame["kind"]],
            "old": [review.describe(k, v) for k, v in zip(frame["kind"], frame["old_value"], strict=True)],
            "new": [review.describe(k, v) for k, v in zip(frame["kind"], frame["new_value"], strict=True)],
            "reason": frame["reason"],
            "status": [t(f"history.status.{s}") for s in frame["status"]],
        }
    )
    return out.rename(columns={c: t(f"history.col.{c}") for c in out.columns})


def show(src: Source, report_id: str, indicator: str | None = None) -> None:
    """The corrections of one value (``indicator`` given) or of the report's region, year and type.

    Draws nothing when there are none, so pages without corrections look as before.
    """
    if indicator:
        frame = review.value_history(src, report_id, indicator)
    else:
        frame = review.report_history(src, report_id)
    if frame.empty:
        return
    with st.expander(t("history.title", n=len(frame)), icon=":material/history:"):
        st.dataframe(history_table(frame), hide_index=True, key=f"history__{indicator or 'report'}")
