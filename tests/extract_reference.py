"""The sample that pins extraction's output: seeds, real pages, a seeded synthetic set.

Why: the extractor is being made faster, and a faster extractor must give the
same records. ``python tests/extract_reference.py`` writes the records of
today's code to ``tests/data/extract_reference.jsonl``; ``test_extract_same``
extracts the same sample again and compares record by record.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python tests/extract_reference.py` puts tests/, not the repo, on the path
    sys.path.insert(0, str(ROOT))

REFERENCE = ROOT / "tests" / "data" / "extract_reference.jsonl"
SEEDS = ROOT / "data" / "raw"
REAL = ROOT / "data" / "corpus" / "real"
# A few hundred synthetic documents in every encoding the generator writes, broken files included.
SYNTH_YEARS = [2019, 2020, 2021, 2022, 2023]
SYNTH_COUNTIES = 60
SYNTH_SEED = "extract-reference"


def synth_sample(folder: Path) -> Path:
    """Generate the synthetic part of the sample under ``folder``; return its raw folder."""
    from etl.synth.corpus import generate

    generate(folder, SYNTH_YEARS, SYNTH_COUNTIES, SYNTH_SEED, jobs=1)
    return folder / "raw"


def sample_files(synth_raw: Path) -> Iterator[tuple[str, Path]]:
    """(label, path) of every file in the sample, in a fixed order."""
    for label, folder in (("seeds", SEEDS), ("real", REAL), ("synth", synth_raw)):
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            yield f"{label}/{path.name}", path


def extract_line(label: str, path: Path) -> dict:
    """One sample file's record, or its read error, as a JSON-ready dict."""
    from etl.extract import extract_file
    from etl.extract.read import ReadError

    try:
        return {"file": label, "record": extract_file(path)}
    except ReadError as err:
        return {"file": label, "error": str(err).replace(str(path), label)}


def dumps(row: dict) -> str:
    """The canonical line of a row (sorted keys, so dict order never counts)."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        raw = synth_sample(Path(tmp))
        with open(REFERENCE, "w", encoding="utf-8") as fh:
            for label, path in sample_files(raw):
                fh.write(dumps(extract_line(label, path)) + "\n")
    print(f"wrote {REFERENCE.relative_to(ROOT)} ({REFERENCE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
