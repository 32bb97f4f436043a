"""Per-file limits: how much text, XML, figures and time one report may cost.

Nothing else bounds a hostile or broken file: a small docx can expand to
megabytes of XML and a long text keeps the extractor busy for minutes, in a
build (every later build waits on its lock) or in the dashboard's upload
check (the server is busy for everyone). The numbers live in
``etl/rules/limits.yaml``; an environment variable of the same meaning
overrides each, for a deployment that needs other bounds.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LIMITS_FILE = Path(__file__).resolve().parent / "rules" / "limits.yaml"

#: setting -> environment variable that overrides it
ENV = {
    "max_chars": "STATS_MAX_CHARS",
    "max_docx_xml_bytes": "STATS_MAX_DOCX_XML_BYTES",
    "max_seconds": "STATS_FILE_SECONDS",
    "max_mentions": "STATS_MAX_MENTIONS",
}


@dataclass(frozen=True)
class Limits:
    """The bounds one file is held to."""

    max_chars: int
    max_docx_xml_bytes: int
    max_seconds: float
    max_mentions: int


@cache
def _from_file() -> dict[str, float]:
    with open(LIMITS_FILE, encoding="utf-8") as fh:
        return {k: float(v) for k, v in (yaml.safe_load(fh) or {}).items()}


def current() -> Limits:
    """The limits now: the file's, each overridden by its environment variable when that is a positive number."""
    values = dict(_from_file())
    for key, env in ENV.items():
        raw = os.environ.get(env)
        if raw:
            try:
                number = float(raw)
            except ValueError:
                continue
            if math.isfinite(number) and number > 0:
                values[key] = number
    return Limits(
        max_chars=int(values["max_chars"]),
        max_docx_xml_bytes=int(values["max_docx_xml_bytes"]),
        max_seconds=float(values["max_seconds"]),
        max_mentions=int(values["max_mentions"]),
    )
