"""Chinese by default, English on request.

Interface words live in ``labels.yaml`` (one key, one ``zh``/``en`` pair);
indicator and theme names come from the warehouse's ``name_zh``/``name_en``
columns, so this module never translates data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import yaml

LABELS_FILE = Path(__file__).with_name("labels.yaml")
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_KEY = "lang"
#: What the switch shows; the URL carries the code (``?lang=en``, see ``ui/filters.py``).
LANG_NAMES = {"zh": "中文", "en": "English"}
_CODES = {name: code for code, name in LANG_NAMES.items()}


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    with LABELS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


_CHOSEN_KEY = "_lang_code"


def set_lang(shown: str | None) -> str:
    """Record the switch's value for this run (its return value is current even when
    the URL-bound widget state is not yet) and return the language code."""
    code = _CODES.get(str(shown), DEFAULT_LANG)
    st.session_state[_CHOSEN_KEY] = code
    return code


#: A language fixed for work done outside the page's run (a download built on
#: click runs in a thread of its own, where the session's switch is not visible).
_OVERRIDE: ContextVar[str | None] = ContextVar("lang_override", default=None)


@contextmanager
def using(code: str) -> Iterator[None]:
    """Use language ``code`` for every label made inside the block."""
    token = _OVERRIDE.set(code)
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


def lang() -> str:
    """The language the sidebar switch selected (``zh`` until the switch is drawn)."""
    if _OVERRIDE.get() in LANGS:
        return str(_OVERRIDE.get())
    try:
        chosen = st.session_state.get(_CHOSEN_KEY)
    except Exception:  # noqa: BLE001 - outside a Streamlit run (export tests, scripts)
        chosen = None
    return chosen if chosen in LANGS else DEFAULT_LANG


def t(key: str, **fmt: Any) -> str:
    """The label for ``key`` in the current language, ``str.format``-ed with ``fmt``.

    A missing key shows as the key itself, so a typo is visible instead of fatal. An entry may
    give a singular form (``en_one``), used when its count (``fmt["n"]``, or the argument its
    ``count`` names) is 1: "1 report", not "1 reports".
    """
    entry = _labels().get(key)
    if entry is None:
        return key
    text = entry.get(lang()) or entry.get(DEFAULT_LANG) or key
    if fmt and fmt.get(entry.get("count", "n")) == 1 and entry.get(f"{lang()}_one"):
        text = entry[f"{lang()}_one"]
    return text.format(**fmt) if fmt else text


def doc_names(doc_types: pd.Series) -> pd.Series:
    """Document types ("report", "plan") in the current language, looked up once per distinct type:
    a national export has 300,000 rows of them."""
    return doc_types.map({d: t(f"doc_{d}") for d in doc_types.dropna().unique()})


def name_col() -> str:
    """``name_zh`` or ``name_en``: which warehouse column names things in this language."""
    return f"name_{lang()}"


def keys() -> list[str]:
    """All label keys (tests check both languages are filled)."""
    return list(_labels())
