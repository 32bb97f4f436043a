"""Faults shown to visitors as a short message with an id; the traceback goes to the server log.

A traceback names server paths, library versions and sometimes data; a
visitor needs none of that, an administrator needs all of it. Each fault gets
a random id, logged with the full traceback (logger ``stats.errors``) and
shown on the page, so a visitor's report leads to the log line.
"""

from __future__ import annotations

import logging
import uuid

import streamlit as st

from ui.i18n import t

LOG = logging.getLogger("stats.errors")


def log_error(exc: BaseException, context: str = "page") -> str:
    """Log ``exc`` with its traceback under a new id; return the id."""
    error_id = uuid.uuid4().hex[:12]
    LOG.error("error %s in %s: %s: %s", error_id, context, type(exc).__name__, exc, exc_info=exc)
    return error_id


def show(exc: BaseException, context: str = "page") -> str:
    """Log ``exc`` and show the visitor the friendly message with its id; return the id."""
    error_id = log_error(exc, context)
    st.error(t("error.page", id=error_id), icon=":material/error:")
    return error_id
