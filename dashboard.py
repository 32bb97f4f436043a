"""Entry point: ``streamlit run dashboard.py``.

Draws what every page shares (language switch, filters, navigation) and builds
the warehouse on a first start. The filters live here, not in the pages, so
their URL-bound values survive page switches.
"""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, errors, filters, nav, queries
from ui.i18n import t

st.set_page_config(page_title="统计法治看板", page_icon="📊", layout="wide")
filters.language_switch()
st.set_page_config(page_title=t("app_title"), page_icon="📊", layout="wide")
navigation = st.navigation(nav.pages())
try:
    if not bootstrap.ensure_warehouse():
        st.stop()
    filters.sidebar(queries.source())
    bootstrap.mark_entry()
    navigation.run()
except Exception as exc:  # noqa: BLE001 - visitors get a message and an id, the log the traceback (ui/errors.py)
    errors.show(exc)
finally:
    bootstrap.settle()  # the modules this run loaded leave the collector's full passes (ui/bootstrap.py)
