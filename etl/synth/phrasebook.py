"""Load the YAML phrase files and fill their placeholders.

Wording lives in ``etl/synth/data/*.yaml`` so that linguists can add
phrasings without touching code; this module only reads them and turns a
template plus a context into text.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from etl.synth.numerals import chinese, quantity

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, eq=False)  # hashed by identity: one per process
class Phrasebook:
    """All phrase files, parsed once per process."""

    sections: dict[str, Any]
    indicators: dict[str, Any]
    compounds: dict[str, Any]
    themes: dict[str, Any]
    plans: dict[str, Any]
    filler: dict[str, list[Any]]
    distractors: dict[str, list[str]]

    def era(self, year: int) -> dict[str, str]:
        """Era-dependent names (the law-popularisation plan, the current congress …) for a year."""
        for era in self.sections["eras"]:
            if era["from"] <= year <= era["to"]:
                return era
        raise ValueError(f"no era for {year}")

    def filler_for(self, topic: str, year: int) -> list[str]:
        """Filler sentences of a topic that read naturally in ``year``."""
        out = []
        for item in self.filler[topic]:
            if isinstance(item, str):
                out.append(item)
            elif item.get("since", 0) <= year:
                out.append(item["text"])
        return out


#: Environment variable naming a folder of phrase files that replace the bundled ones
#: (same names, same structure). A held-out set of wordings, kept out of the
#: repository, measures whether extraction rules generalise beyond the wordings
#: they were tuned on.
ENV_PHRASES = "SYNTH_PHRASES"


def _load(name: str, override: str) -> Any:
    own = Path(override) / f"{name}.yaml" if override else None
    if own is not None and own.exists():
        text = own.read_text(encoding="utf-8")
    else:
        text = resources.files("etl.synth").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.CSafeLoader)


def phrasebook() -> Phrasebook:
    """The phrase files (bundled, or those of ``$SYNTH_PHRASES`` where it has them)."""
    return _phrasebook(os.environ.get(ENV_PHRASES, ""))


@cache
def _phrasebook(override: str) -> Phrasebook:
    # cached per override folder, so worker processes parse the files once
    return Phrasebook(**{name: _load(name, override) for name in PHRASE_FILES})


PHRASE_FILES = ("sections", "indicators", "compounds", "themes", "plans", "filler", "distractors")


def docno(ctx: Mapping[str, Any], rng: random.Random) -> str:
    """A document number in one of the shapes bureaus use (鼓统〔2021〕8号)."""
    year = ctx["Y"] if rng.random() < 0.7 else ctx["Yp"]
    k = rng.randint(1, 40)
    shape = rng.choice(["{a}〔{y}〕{k}号", "{a}发〔{y}〕{k}号", "{a}字【{y}】{k}号", "{a}〔{y}〕第{k}号"])
    return shape.format(a=ctx["abbr"], y=year, k=k)


def fill(
    template: str,
    ctx: Mapping[str, Any],
    rng: random.Random,
    slot: Callable[[str, str], str] | None = None,
    style: str = "arabic",
) -> str:
    """Replace every placeholder of ``template``.

    ``{name}`` comes from ``ctx``; ``{a|家}`` is an indicator quantity,
    rendered by ``slot(name, unit)``; ``{#家:20-60}`` a plan number;
    ``{n:8-20}``/``{c:3-9}`` distractor numbers in Arabic/Chinese numerals;
    ``{date}``, ``{docno}``, ``{anniv}``, ``{m}``, ``{m3}``, ``{d}`` are drawn here.
    """

    month = [1]

    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        if "|" in key:
            if slot is None:
                raise ValueError(f"quantity {key!r} outside an indicator sentence: {template}")
            name, unit = key.split("|", 1)
            return slot(name, unit)
        if key.startswith("#"):
            unit, bounds = key[1:].split(":")
            lo, hi = (int(x) for x in bounds.split("-"))
            return quantity(rng.randint(lo, hi), unit, "exact", rng, style)
        if key[:2] in ("n:", "c:"):
            lo, hi = (int(x) for x in key[2:].split("-"))
            n = rng.randint(lo, hi)
            if key[0] == "n":
                return str(n)
            return "两" if n == 2 else chinese(n)
        if key == "date":
            month[0] = rng.randint(1, 11)
            return f"{month[0]}月{rng.randint(1, 28)}日"
        if key == "date2":  # the end of a range that began at {date}
            return f"{rng.randint(month[0] + 1, 12)}月{rng.randint(1, 28)}日"
        if key == "m":
            return str(rng.randint(1, 12))
        if key == "m3":  # a year-end report is signed early the next year
            return str(rng.randint(1, 3))
        if key == "m12":
            return "12"
        if key == "d":
            return str(rng.randint(1, 28))
        if key == "docno":
            return docno(ctx, rng)
        if key == "anniv":
            return str(ctx["Y"] - 1983)
        return str(ctx[key])

    if "{" not in template:  # most filler: nothing to fill
        return template
    return PLACEHOLDER.sub(repl, template)
