"""``python -m etl extract``: JSON lines out, one stderr line per bad file, status 1."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_extract(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", "extract", *map(str, paths), "--jsonl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_folder_of_good_and_bad_files(tmp_path: Path) -> None:
    shutil.copy(ROOT / "data/raw/002_660ee622ed7298cc.txt", tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "noise.txt").write_bytes(bytes(range(256)) * 8)
    out = run_extract(tmp_path)
    assert out.returncode == 1
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["source_file"] for r in lines] == ["good.txt"]
    assert lines[0]["district"] == "普陀区"
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 2
    assert any("empty.txt" in e and "empty" in e for e in errors)
    assert any("noise.txt" in e for e in errors)


def test_all_good_exits_zero() -> None:
    out = run_extract(ROOT / "data/raw/000_2b403197ff29ef0f.txt")
    assert out.returncode == 0
    report = json.loads(out.stdout)
    assert report["year"] == 2023 and report["doc_type"] == "report"
    ids = {v["indicator"] for v in report["values"]}
    assert {"inspected_units", "special_inspections", "trainees"} <= ids
