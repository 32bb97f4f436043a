"""Numbers as reports write them: ``61``, ``2,500``, ``1.2万``, ``十二``, ``两``.

cn2an does the Chinese numerals; this module only decides what a numeral
string and its ``万``/``亿`` multiplier are worth.
"""

from __future__ import annotations

from functools import lru_cache

import cn2an

ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千万亿]+"
MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}


@lru_cache(maxsize=4096)
def parse_number(numeral: str, multiplier: str = "") -> float | None:
    """Value of an Arabic or Chinese numeral, or None when it is not a number.

    Cached: the same few hundred numerals recur across reports, and cn2an
    validates its input at length on every call."""
    s = numeral.replace(",", "")
    if s[:1] in "百千万亿":
        s = "一" + s  # 百余家, 千余人次: a bare order of magnitude
    try:
        value = float(s)
    except ValueError:
        try:
            value = float(cn2an.cn2an(s.replace("〇", "零"), "smart"))
        except (ValueError, KeyError, IndexError):
            return None
    if multiplier:
        value *= MULTIPLIERS[multiplier]
    return value


def tidy(value: float) -> int | float:
    """Integers stay integers in output (``55`` not ``55.0``)."""
    return int(value) if float(value).is_integer() else round(value, 4)
