"""The dashboard's one Plotly template, made once per process and installed as Plotly's default.

Every ``go.Figure()`` copies Plotly's default template into itself, and
``update_layout(template=...)`` validates and copies a template again: with
Plotly's full templates (every trace type, colour scales) that was about a
quarter of a page's CPU time. So the template (``chart_template.yaml``: the
look of ``plotly_white``, trimmed to the trace types the dashboard draws) is
built once, made the default, and figures never name a template.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import streamlit  # noqa: F401 - importing it makes its own template Plotly's default; ours must come after
import yaml

from ui import metric_fit

NAME = "stats"
TEMPLATE_FILE = Path(__file__).with_name("chart_template.yaml")


def install() -> str:
    """Register the template (first call only) and make it Plotly's default; returns its name."""
    if NAME not in pio.templates:
        with TEMPLATE_FILE.open(encoding="utf-8") as fh:
            spec = yaml.safe_load(fh)
        pio.templates[NAME] = go.layout.Template(layout=spec.get("layout"), data=spec.get("data"))
    pio.templates.default = NAME
    return NAME


def metric_css() -> None:
    """Size headline figures' values to the window, so a nine-digit total is not cut at 1024 px.

    Style-only HTML takes no room on the page; see ``ui/metric_fit.py``.
    """
    streamlit.html(metric_fit.css())
