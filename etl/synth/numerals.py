"""Render a count the many ways Chinese reports write it.

The answer key stores a number; the text must show that number the way a
district clerk would type it: Arabic or Chinese numerals, full-width digits,
``1.2万``, thousands separators, and a qualifier word (余, 以上, 约 …). Every
renderer here is exact by construction, so the key never disagrees with the
text.
"""

from __future__ import annotations

import random

DIGITS = "零一二三四五六七八九"
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")

# Qualifier forms. ``{n}`` is the number, ``{u}`` the measure word. A form in
# ROUND_ONLY reads naturally only after a round number (20余场, not 23余场).
QUALIFIER_FORMS: dict[str, list[str]] = {
    "exact": ["{n}{u}"],
    "at_least": ["{n}余{u}", "{n}多{u}", "{n}{u}以上", "超过{n}{u}", "超{n}{u}", "不少于{n}{u}"],
    "approx": ["约{n}{u}", "近{n}{u}", "{n}{u}左右"],
    "at_most": ["不超过{n}{u}", "{n}{u}以内"],
}
ROUND_ONLY = {"{n}余{u}", "{n}多{u}", "近{n}{u}"}


def chinese(n: int) -> str:
    """Chinese numerals for 0 <= n < 100_000_000, as written in prose (十二, 一百零五)."""
    if n < 0 or n >= 100_000_000:
        raise ValueError(n)
    if n == 0:
        return "零"
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = "" if low == 0 else ("零" if low < 1000 else "") + _below_10k(low, leading=False)
        return _below_10k(high, leading=True) + "万" + rest
    return _below_10k(n, leading=True)


def _below_10k(n: int, leading: bool) -> str:
    out = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out.append("零")
                zero = False
            if value == 10 and d == 1 and not out and leading:
                out.append("十")  # 十二, not 一十二, at the head of a number
            else:
                out.append(DIGITS[d] + unit)
        elif out:
            zero = True
    return "".join(out)


def is_round(n: int) -> bool:
    """Whether a number reads naturally before 余/多/近 (20, 300, 1500, 12000)."""
    if n < 10:
        return False
    if n < 100:
        return n % 10 == 0
    if n < 1000:
        return n % 50 == 0
    return n % 100 == 0


def numeral(n: int, rng: random.Random, style: str) -> str:
    """The digits part of a quantity, in the document's style.

    ``style`` is the document's habit (``arabic``, ``spaced``, ``fullwidth``);
    Chinese numerals and 万 forms are picked per number, as real writers mix
    them within one report.
    """
    r = rng.random()
    if n >= 10_000 and n % 1000 == 0 and r < 0.55:
        text = _wan(n, rng)
    elif n <= 99 and r < 0.16 or n in (100, 1000) and r < 0.5:
        text = _small_chinese(n)
    elif n >= 1000 and r < 0.08:
        text = f"{n:,}"
    else:
        text = str(n)
    if style == "fullwidth":
        text = text.translate(FULLWIDTH)
    elif style == "spaced" and text[0].isdigit():
        text = f" {text} "
    return text


def _wan(n: int, rng: random.Random) -> str:
    """``1.2万``, ``3万``, ``两万`` — the 万 forms of a multiple of 1000."""
    tens_of_k, rest = divmod(n, 10_000)
    if rest == 0 and tens_of_k <= 9 and rng.random() < 0.3:
        return ("两" if tens_of_k == 2 else DIGITS[tens_of_k]) + "万"
    text = f"{n / 10_000:.4f}".rstrip("0").rstrip(".")
    return text + "万"


def _small_chinese(n: int) -> str:
    if n == 2:
        return "两"
    if n == 100:
        return "百"
    if n == 1000:
        return "千"
    return chinese(n)


def quantity(n: int, unit: str, qualifier: str, rng: random.Random, style: str) -> str:
    """A number with its measure word and qualifier, e.g. ``20余场``, ``约1.5万人次``.

    ``百``/``千`` alone only read well with a qualifier (百余家), so an exact
    100 or 1000 is written with digits.
    """
    forms = QUALIFIER_FORMS[qualifier]
    if not is_round(n):
        forms = [f for f in forms if f not in ROUND_ONLY] or forms
    form = rng.choice(forms)
    num = numeral(n, rng, style)
    if num in ("百", "千") and form == "{n}{u}":
        num = "一" + num
    return form.replace("{n}", num).replace("{u}", unit)
