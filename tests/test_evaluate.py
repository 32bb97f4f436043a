"""The bundled corpora score at the product's bars (``etl/spec/bars.yaml``) against their answer keys."""

import subprocess
import sys
from pathlib import Path

import pytest

from etl.evaluate import BARS, DATA, bars, evaluate, evaluate_corpus, parts, score

ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture(scope="module")
def scores() -> dict[str, dict]:
    return {name: evaluate_corpus(name) for name in bars()}


def _bar_cases() -> list:
    out = []
    for corpus, by_part in bars().items():
        for part, metrics in by_part.items():
            for metric, bar in metrics.items():
                out.append(pytest.param(corpus, part, metric, bar, id=f"{corpus}-{part}-{metric}"))
    return out


@pytest.mark.parametrize(("corpus", "part", "metric", "bar"), _bar_cases())
def test_corpus_meets_its_bar(scores: dict, corpus: str, part: str, metric: str, bar: float) -> None:
    result = scores[corpus].get(part)
    assert result is not None and result.reports > 0, f"no {part} pages in the {corpus} corpus"
    assert getattr(result, metric) >= bar, (metric, [m for m in result.misses])


def test_seed_bars_are_the_bars_file() -> None:
    assert BARS == bars()["seeds"]["all"] and BARS["values_f1"] == 1.0 and BARS["meta"] == 1.0


def test_real_corpus_is_split_into_given_and_own_by_sources() -> None:
    split = parts(DATA / "corpus" / "real", DATA / "gold-real")
    assert split["all"] is None
    assert len(split["given"]) >= 12 and "h104.txt" in split["given"]
    assert not (split["given"] & split.get("own", set()))


def test_evaluate_command_prints_every_part_and_the_score_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "etl", "evaluate", "--corpus", "seeds"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "== seeds / all: 5 reports"
    assert any(ln.startswith("metadata: province 5/5") for ln in lines)
    assert lines[-1].startswith("SCORE values_f1=1.000")


def test_real_corpus_prints_misses_with_file_and_fails_below_its_bars() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "etl", "evaluate", "--corpus", "real"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    result = evaluate_corpus("real")["given"]
    below = result.below(bars()["real"]["given"])
    assert out.returncode == (1 if below else 0)
    assert "== real / given: " in out.stdout
    for miss in result.misses:
        assert f"  miss: {miss}" in out.stdout


def test_a_wrong_prediction_lowers_the_score() -> None:
    result = evaluate(DATA / "raw", DATA / "gold")
    from etl.extract import extract_file

    preds = {p.name: extract_file(p) for p in sorted((DATA / "raw").glob("*.txt"))}
    preds["002_660ee622ed7298cc.txt"]["values"] = []
    preds["003_13d56fac8b81988a.txt"]["year"] = 2019
    worse = score(DATA / "gold", preds, {})
    assert worse.values_r < result.values_r
    assert worse.meta_fields["year"] == 4 and worse.meta < 1.0
    assert any("002_660ee622ed7298cc.txt inspected_units" in m for m in worse.misses)
    assert "meta 003_13d56fac8b81988a.txt year: want 2020 got 2019" in worse.misses


def test_quotes_are_checked_like_the_shared_scorer(tmp_path: Path) -> None:
    """Verbatim somewhere and, when offsets are given, at them; an alternative value counts."""
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "reports.csv").write_text(
        "file,province,city,district,adcode,year,doc_type\na.txt,unknown,unknown,unknown,unknown,2023,report\n",
        encoding="utf-8",
    )
    (gold / "values.csv").write_text(
        "file,indicator,value,qualifier,basis,alt_values\na.txt,trainees,30,exact,stated,35\n"
        "a.txt,study_sessions,4,exact,stated,\n",
        encoding="utf-8",
    )
    (gold / "shortfalls.csv").write_text("file,theme\n", encoding="utf-8")
    (gold / "targets.csv").write_text("file,indicator,comparator,value\n", encoding="utf-8")
    text = "培训35人。学法4次。"
    pred = {
        "a.txt": {
            "year": 2023, "doc_type": "report",
            "values": [
                {"indicator": "trainees", "value": 35, "quote": "培训35人", "start": 0, "end": 5},
                {"indicator": "study_sessions", "value": 4, "quote": "学法4次", "start": 0, "end": 4},
            ],
        }
    }
    result = score(gold, pred, {"a.txt": text})
    assert result.values_f1 == 1.0 and result.meta == 1.0
    assert result.provenance == 0.5
    assert result.indicators == {"study_sessions": (1, 1, 1), "trainees": (1, 1, 1)}
