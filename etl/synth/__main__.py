"""Command line: ``python -m etl.synth --out DIR --years 2015-2024 [--counties N] [--seed S]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from etl.synth.corpus import generate
from etl.synth.phrasebook import ENV_PHRASES


def parse_years(text: str) -> list[int]:
    """``2015-2024`` or ``2021`` or ``2019,2021``."""
    years: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = (int(x) for x in part.split("-"))
            years.extend(range(lo, hi + 1))
        else:
            years.append(int(part))
    return years


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m etl.synth",
        description="Write synthetic district rule-of-law reports and their answer key.",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder (raw/, gold/, broken.txt, manifest.csv)")
    p.add_argument("--years", type=parse_years, default=parse_years("2015-2024"), help="e.g. 2015-2024")
    p.add_argument("--counties", type=int, help="number of county-level divisions (default: all)")
    p.add_argument("--seed", default="0", help="random seed; same seed, same corpus")
    p.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    p.add_argument("--text-copy", action="store_true", help="also write text/: every document as UTF-8")
    p.add_argument("--phrases", type=Path,
                   help="folder of phrase files replacing the bundled ones of the same name (a held-out set)")
    a = p.parse_args(argv)
    if a.phrases:
        os.environ[ENV_PHRASES] = str(a.phrases.resolve())
    stats = generate(a.out, a.years, a.counties, a.seed, a.jobs, a.text_copy)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
