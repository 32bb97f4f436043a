"""The page list: file, URL slug and icon. Titles come from ``labels.yaml``.

``dashboard.py`` turns this into ``st.navigation``; links use the file paths.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

#: (label key suffix, page file, icon); the first is the default page.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("home", "pages/home.py", ":material/home:"),
    ("inspections", "pages/inspections.py", ":material/search:"),
    ("penalties", "pages/penalties.py", ":material/gavel:"),
    ("outreach", "pages/outreach.py", ":material/campaign:"),
    ("shortfalls", "pages/shortfalls.py", ":material/report:"),
    ("compare", "pages/compare.py", ":material/table_view:"),
    # Rankings, map and one bureau's brief (issue 11).
    ("rankings", "pages/rankings.py", ":material/leaderboard:"),
    ("brief", "pages/brief.py", ":material/summarize:"),
    ("sources", "pages/sources.py", ":material/description:"),
    ("quality", "pages/quality.py", ":material/fact_check:"),
    # Upload and review (issue 5): writing needs a reviewer sign-in (ui/auth.py).
    ("upload", "pages/upload.py", ":material/upload_file:"),
    ("review", "pages/review.py", ":material/rate_review:"),
)


def pages() -> list[st.Page]:
    """``st.Page`` objects in menu order, titled in the current language."""
    return [
        st.Page(path, title=t(f"page.{name}"), icon=icon, url_path=name, default=(i == 0))
        for i, (name, path, icon) in enumerate(PAGES)
    ]
