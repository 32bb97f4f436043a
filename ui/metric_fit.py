"""Headline-figure labels (``st.metric``) that fit their column at 1024 px.

Streamlit draws a metric label on one line and cuts what does not fit with
"…": at 1024 px, three figures to a row, an indicator name and its unit
("Units with violations found (units)") lost its end, and a reader saw
"Units with violations fou…". So a figure shows a short name (``tile.<indicator>``
in ``labels.yaml``, when the catalogue's name is too long) with its unit, and
the full name goes into the (?) help. How wide a label may be is computed
from ``metric_fit.yaml`` (column width at 1024 px, the font's character widths),
so a test can check every label in both languages against the row it is shown in.

Kept free of Streamlit so the rules are unit-testable.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ui import i18n

FIT_FILE = Path(__file__).with_name("metric_fit.yaml")
TILE_PREFIX = "tile."


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    with FIT_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def per_row(row: str) -> int:
    """How many figures stand side by side in ``row`` (``loaded``, ``headline``, ``ranking``)."""
    return int(_spec()["rows"][row])


def char_em(ch: str) -> float:
    """One character's advance in em: measured for Latin, 1 for full-width (Chinese) characters."""
    spec = _spec()
    if ch in spec["em"]:
        return float(spec["em"][ch])
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return float(spec["other_em"])


def width_px(text: str) -> float:
    """How wide ``text`` is drawn as a metric label, in CSS px."""
    return sum(char_em(ch) for ch in text) * float(_spec()["font_px"])


def room_px(columns: int, with_help: bool) -> float:
    """The label width a figure has at 1024 px in a row of ``columns``, less the (?) icon when it has help."""
    spec = _spec()
    column = (float(spec["content_px"]) - (columns - 1) * float(spec["gap_px"])) / columns
    return column - (float(spec["help_px"]) if with_help else 0.0)


def budget_px(row: str, with_help: bool) -> float:
    """The label width a figure in ``row`` has at 1024 px (see :func:`room_px`)."""
    return room_px(per_row(row), with_help)


def fits(text: str, row: str, with_help: bool) -> bool:
    """Whether ``text`` is drawn whole (no "…") as a label of ``row`` at 1024 px."""
    return width_px(text) <= budget_px(row, with_help)


def short_name(indicator: str, name: str) -> str:
    """The indicator's name for a figure: ``tile.<indicator>`` in the current language, else ``name``."""
    key = TILE_PREFIX + indicator
    return i18n.t(key) if key in _tile_keys() else name


@lru_cache(maxsize=1)
def _tile_keys() -> frozenset[str]:
    return frozenset(k for k in i18n.keys() if k.startswith(TILE_PREFIX))


def with_unit(name: str, unit: str) -> str:
    """``name (unit)``, or ``name`` alone for an indicator without a unit."""
    return f"{name} ({unit})" if unit else name


def tile_label(indicator: str, name: str, unit: str) -> str:
    """The label of an indicator's headline figure: its short name and unit."""
    return with_unit(short_name(indicator, name), unit)


def tile_help(indicator: str, name: str, unit: str, help_text: str) -> str:
    """The (?) help of an indicator's figure: the full name first when the label shortened it."""
    if short_name(indicator, name) == name:
        return help_text
    return f"{with_unit(name, unit)}. {help_text}"


def unit_label(name: str, unit: str, row: str) -> tuple[str, str | None]:
    """``(label, help)`` for a figure named ``name`` in ``unit``: ``name (unit)`` when it fits
    the row, else ``name`` with ``name (unit)`` as the help, so a long ratio unit
    ("per unit with violations") is one hover away instead of cut to "…"."""
    full = with_unit(name, unit)
    if fits(full, row, with_help=False):
        return full, None
    return name, full


def value_font_px(window_px: float) -> float:
    """The metric value's font size in a window ``window_px`` wide (the CSS of :func:`css`)."""
    spec = _spec()["value_font"]
    return max(float(spec["min_px"]), min(float(spec["max_px"]), window_px * float(spec["vw"]) / 100))


def value_fits(text: str, columns: int) -> bool:
    """Whether a metric value ``text`` is drawn whole in a row of ``columns`` figures in the narrowest window."""
    font = value_font_px(float(_spec()["window_px"]))
    return sum(char_em(ch) for ch in text) * font <= room_px(columns, with_help=False)


def longest_value() -> str:
    """The longest value a figure must show whole (``metric_fit.yaml``)."""
    return str(_spec()["longest_value"])


def css() -> str:
    """The style that sizes metric values to the window (see ``value_font`` in ``metric_fit.yaml``)."""
    spec = _spec()["value_font"]
    size = f"clamp({spec['min_px']}px, {spec['vw']}vw, {spec['max_px']}px)"
    return f'<style>[data-testid="stMetricValue"] {{ font-size: {size}; }}</style>'
