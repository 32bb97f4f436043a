"""The bundled seeds score at the product's bars against the bundled answer key."""

import subprocess
import sys
from pathlib import Path

from etl.evaluate import BARS, DATA, evaluate

ROOT = Path(__file__).resolve().parent.parent


def test_seeds_meet_every_bar() -> None:
    result = evaluate(DATA / "raw", DATA / "gold")
    for metric, bar in BARS.items():
        assert getattr(result, metric) >= bar, (metric, result.misses)


def test_evaluate_command_prints_the_score_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "etl", "evaluate"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1].startswith("SCORE values_f1=1.000")


def test_a_wrong_prediction_lowers_the_score(tmp_path: Path) -> None:
    result = evaluate(DATA / "raw", DATA / "gold")
    from etl.evaluate import score
    from etl.extract import extract_file

    preds = {p.name: extract_file(p) for p in sorted((DATA / "raw").glob("*.txt"))}
    preds["002_660ee622ed7298cc.txt"]["values"] = []
    worse = score(DATA / "gold", preds, {})
    assert worse.values_r < result.values_r
    assert any("002_660ee622ed7298cc.txt inspected_units" in m for m in worse.misses)
