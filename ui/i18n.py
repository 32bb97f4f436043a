"""Chinese by default, English on request.

Interface words live in ``labels.yaml`` (one key, one ``zh``/``en`` pair);
indicator and theme names come from the warehouse's ``name_zh``/``name_en``
columns, so this module never translates data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import yaml
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

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


@lru_cache(maxsize=len(LANGS))
def _table(code: str) -> dict[str, str]:
    """Every label in language ``code`` (the default language's where it has none), resolved once."""
    return {key: entry.get(code) or entry.get(DEFAULT_LANG) or key for key, entry in _labels().items()}


_CHOSEN_KEY = "_lang_code"
#: The language of the session whose script runs on this thread, with that session's run context.
#: A page makes thousands of labels; reading session state for each (a lock, a widget-state
#: lookup) was a quarter of a page's CPU time. Only :func:`set_lang` writes the session's choice,
#: and it writes this too, so the two never disagree.
_RUN = threading.local()


def _run_context() -> object | None:
    """The Streamlit run context of this thread (one per session's script thread), if any."""
    return get_script_run_ctx(suppress_warning=True)


def set_lang(shown: str | None) -> str:
    """Record the switch's value for this run (its return value is current even when
    the URL-bound widget state is not yet) and return the language code."""
    code = _CODES.get(str(shown), DEFAULT_LANG)
    st.session_state[_CHOSEN_KEY] = code
    _RUN.ctx, _RUN.code = _run_context(), code
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
    override = _OVERRIDE.get()
    if override in LANGS:
        return str(override)
    ctx = _run_context()
    if ctx is None:  # outside a Streamlit run (exports, scripts): no session, no switch
        return DEFAULT_LANG
    if getattr(_RUN, "ctx", None) is ctx:
        return _RUN.code
    try:
        chosen = st.session_state.get(_CHOSEN_KEY)
    except Exception:  # noqa: BLE001 - a run context without session state
        chosen = None
    _RUN.ctx, _RUN.code = ctx, chosen if chosen in LANGS else DEFAULT_LANG
    return _RUN.code


def t(key: str, **fmt: Any) -> str:
    """The label for ``key`` in the current language, ``str.format``-ed with ``fmt``.

    A missing key shows as the key itself, so a typo is visible instead of fatal. An entry may
    give a singular form (``en_one``), used when its count (``fmt["n"]``, or the argument its
    ``count`` names) is 1: "1 report", not "1 reports".
    """
    code = lang()
    text = _table(code).get(key, key)
    if fmt:
        entry = _labels().get(key) or {}
        if fmt.get(entry.get("count", "n")) == 1 and entry.get(f"{code}_one"):
            text = entry[f"{code}_one"]
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
