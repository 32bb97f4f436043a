"""The synthetic corpus: deterministic, realistic in size and encoding, with a sound answer key.

The corpus is the large-scale test of extraction, so its answer key must be
right by itself: evidence verbatim in the file, ids from the spec, wording
of its own (not the seed reports'). The last test scores the extractor on it
with the scorer's rules.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from etl.synth.corpus import generate, read_gold, read_manifest, read_text

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "etl" / "spec"
DATA = ROOT / "etl" / "synth" / "data"
YEARS = [2019, 2020, 2021, 2022, 2023]
N_COUNTIES = 8


def spec_ids(name: str) -> set[str]:
    with open(SPEC / name, encoding="utf-8") as fh:
        return {r["id"] for r in csv.DictReader(fh)}


def digest(folder: Path) -> str:
    """One hash over every file's name and bytes."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "c"
    generate(out, YEARS, N_COUNTIES, seed=11, jobs=1)
    return out


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    """Same seed, same bytes, even across processes with different hash seeds (set order)."""
    digests = []
    for i, hash_seed in enumerate(["1", "2"]):
        out = tmp_path / f"run{i}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        cmd = [sys.executable, "-m", "etl.synth", "--out", str(out), "--years", "2020-2021",
               "--counties", "6", "--seed", "5", "--jobs", "2"]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        digests.append(digest(out))
    assert digests[0] == digests[1]
    other = tmp_path / "other"
    generate(other, [2020, 2021], 6, seed=6, jobs=1)
    assert digest(other / "raw") != digest(tmp_path / "run0" / "raw")


def test_one_file_per_county_and_year(corpus: Path) -> None:
    manifest = read_manifest(corpus)
    files = {p.name for p in (corpus / "raw").iterdir()}
    assert files == set(manifest)
    broken = {line.split("\t")[0] for line in (corpus / "broken.txt").read_text(encoding="utf-8").splitlines()}
    assert len(broken) >= 3 and broken <= files
    docs = files - broken
    assert len(docs) == N_COUNTIES * len(YEARS)
    reports = read_gold(corpus)["reports"]
    assert {r["file"] for r in reports} == docs
    pairs = Counter((r["adcode"], r["year"]) for r in reports if r["adcode"] != "unknown")
    assert max(pairs.values()) == 1
    assert {r["doc_type"] for r in reports} <= {"report", "plan"}


def test_sizes_between_8_and_15_kb(corpus: Path) -> None:
    for name, row in read_manifest(corpus).items():
        if row["kind"].startswith("broken"):
            continue
        size = (corpus / "raw" / name).stat().st_size
        assert 8 * 1024 <= size <= 15_000, (name, row["encoding"], size)


def test_encodings_are_real(tmp_path: Path) -> None:
    """GB18030 files are GB18030 (and not UTF-8); UTF-16 and UTF-8-with-BOM files carry their BOM."""
    out = tmp_path / "enc"
    generate(out, [2021, 2022], 80, seed=3, jobs=2)
    manifest = read_manifest(out)
    by_enc = Counter(r["encoding"] for r in manifest.values())
    assert by_enc["gb18030"] >= 3, by_enc
    for name, row in manifest.items():
        data = (out / "raw" / name).read_bytes()
        if row["encoding"] == "gb18030":
            text = data.decode("gb18030")
            assert "统计局" in text
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        elif row["encoding"] == "utf-16":
            assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
        elif row["encoding"] == "utf-8-sig":
            assert data[:3] == b"\xef\xbb\xbf"
        elif row["encoding"] == "utf-8":
            assert "统计局" in data.decode("utf-8")


def test_broken_files_are_broken(corpus: Path) -> None:
    kinds = {}
    for line in (corpus / "broken.txt").read_text(encoding="utf-8").splitlines():
        name, kind = line.split("\t")
        kinds[name] = kind
        data = (corpus / "raw" / name).read_bytes()
        if kind == "empty":
            assert data == b""
        else:
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
    assert set(kinds.values()) == {"empty", "random", "truncated"}


def test_answer_key_is_consistent(corpus: Path) -> None:
    """Every evidence string is verbatim in its file; every id exists in the spec."""
    gold = read_gold(corpus)
    manifest = read_manifest(corpus)
    texts = {r["file"]: read_text(corpus, r["file"], manifest) for r in gold["reports"]}
    indicators, themes, targets = (spec_ids(n) for n in
                                   ("indicators.csv", "shortfall_themes.csv", "target_indicators.csv"))
    seen = set()
    for r in gold["values"]:
        assert r["indicator"] in indicators
        assert r["evidence"] in texts[r["file"]], r
        assert r["qualifier"] in {"exact", "at_least", "approx", "at_most"}
        assert r["basis"] in {"stated", "derived"}
        assert float(r["value"]) >= 0
        assert all(x.isdigit() for x in r["alt_values"].split("|") if x)
        assert (r["file"], r["indicator"]) not in seen  # one report-level value per indicator
        seen.add((r["file"], r["indicator"]))
    for r in gold["shortfalls"]:
        assert r["theme"] in themes
        assert r["evidence"] in texts[r["file"]], r
    for r in gold["targets"]:
        assert r["indicator"] in targets
        assert r["comparator"] in {">=", "<=", "="}
        assert r["evidence"] in texts[r["file"]], r
    doc_type = {r["file"]: r["doc_type"] for r in gold["reports"]}
    assert all(doc_type[r["file"]] == "report" for r in gold["values"])
    assert all(doc_type[r["file"]] == "plan" for r in gold["targets"])
    # the corpus exercises every rule of the spec
    assert {r["basis"] for r in gold["values"]} == {"stated", "derived"}
    assert {"exact", "at_least", "approx"} <= {r["qualifier"] for r in gold["values"]}
    assert any(r["value"] == "0" for r in gold["values"])


def _yaml(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def test_phrase_files_cover_the_spec() -> None:
    inds = _yaml("indicators")
    assert set(inds) == spec_ids("indicators.csv")
    for ind, e in inds.items():
        assert e["phrasings"], ind
        for p in e["phrasings"]:
            assert re.search(r"\{q\|[^}]+\}", p), (ind, p)
        for z in e.get("zero", []):
            assert not re.search(r"[0-9{]", z), (ind, z)
    themes = _yaml("themes")
    assert set(themes["statements"]) == spec_ids("shortfall_themes.csv")
    assert set(_yaml("plans")["targets"]) == spec_ids("target_indicators.csv")


def test_filler_states_nothing() -> None:
    """Filler adds length, never a number, a zero word or a shortfall."""
    bad = re.compile(r"[0-9０-９]|未收到|未发现|没有|不足|有待|差距|短板|弱项|欠缺|薄弱")
    for s in _strings(_yaml("filler")):
        assert not bad.search(s), s


# Fixed political formulas and the genre's title are shared by every real report.
STOCK = ("习近平", "党的", "法治政府建设情况报告", "严格规范公正文明执法")


def test_wording_is_not_copied_from_the_seeds() -> None:
    """No run of 10+ characters of a phrase file appears in a seed report (political formulas aside)."""
    seeds = [p.read_text(encoding="utf-8") for p in (ROOT / "data" / "raw").iterdir()]
    for name in ("indicators", "compounds", "themes", "filler", "plans", "distractors", "sections"):
        for s in _strings(_yaml(name)):
            for run in re.split(r"\{[^{}]*\}|[，。；：、]", s):
                if len(run) >= 10 and not any(k in run for k in STOCK):
                    assert not any(run in seed for seed in seeds), (name, run)


# ---------------------------------------------------------------------------
# extraction scored on the corpus


def _num(v: object) -> float | None:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def values_f1(gold: list[dict[str, str]], preds: dict[str, dict]) -> tuple[float, list[str]]:
    """F1 of report-level values, by the scorer's rule: match on (file, indicator),
    right when the value is the key's value or one of its alt_values."""
    want = {}
    for r in gold:
        ok = {_num(r["value"])} | {_num(x) for x in r["alt_values"].split("|") if x}
        want[(r["file"], r["indicator"])] = (ok, r["evidence"])
    got = {(f, v["indicator"]): v for f, p in preds.items() for v in p.get("values", [])}
    tp = sum(1 for k, (ok, _) in want.items() if k in got and _num(got[k].get("value")) in ok)
    p = tp / len(got) if got else 1.0
    r = tp / len(want) if want else 1.0
    misses = [f"{k[1]}: want {sorted(ok)} got {got[k].get('value') if k in got else None} <- {ev}"
              for k, (ok, ev) in want.items() if not (k in got and _num(got[k].get("value")) in ok)]
    misses += [f"{k[1]}: extra {v.get('value')} <- {v.get('quote')}" for k, v in got.items() if k not in want]
    return (2 * p * r / (p + r) if p + r else 0.0), misses


def test_extraction_scores_on_300_reports(tmp_path: Path) -> None:
    extract = pytest.importorskip("etl.extract")
    out = tmp_path / "sample"
    generate(out, list(range(2015, 2025)), 30, seed=2024, jobs=2)
    gold = read_gold(out)
    preds = {}
    for r in gold["reports"]:
        preds[r["file"]] = extract.extract_file(out / "raw" / r["file"])
    f1, misses = values_f1(gold["values"], preds)
    assert len(gold["reports"]) == 300
    assert f1 >= 0.95, f"values_f1={f1:.3f}; first misses:\n" + "\n".join(misses[:40])


def test_held_out_phrase_files_replace_the_bundled_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--phrases`` / $SYNTH_PHRASES: a folder's files replace the bundled ones of the same name."""
    inds = _yaml("indicators")
    inds["inspected_units"]["phrasings"] = ["检查台账登记在册的检查对象{q|家}"]
    inds["inspected_units"]["p"] = 1.0
    phrases = tmp_path / "phrases"
    phrases.mkdir()
    (phrases / "indicators.yaml").write_text(yaml.safe_dump(inds, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SYNTH_PHRASES", str(phrases))
    out = tmp_path / "c"
    generate(out, [2022], 20, seed=1, jobs=1)
    evidence = [r["evidence"] for r in read_gold(out)["values"] if r["indicator"] == "inspected_units"]
    assert any("检查台账登记在册的检查对象" in e for e in evidence)
