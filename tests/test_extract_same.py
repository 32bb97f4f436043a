"""The extractor's records equal the stored reference made by the code before the speed-up.

The sample is the seed reports, the real pages and a few hundred synthetic
documents generated here with a fixed seed (``tests/extract_reference.py``
writes the reference). A change that alters any record, an offset, a quote,
a confidence or a read error, fails here with the first differing file.
"""

from __future__ import annotations

import json
from pathlib import Path

from extract_reference import REFERENCE, dumps, extract_line, sample_files, synth_sample


def test_records_equal_reference(tmp_path: Path) -> None:
    reference = [json.loads(line) for line in REFERENCE.read_text(encoding="utf-8").splitlines()]
    raw = synth_sample(tmp_path / "synth")
    labels = [label for label, _ in sample_files(raw)]
    assert labels == [r["file"] for r in reference], "the sample's files changed"
    assert sum("error" in r for r in reference) >= 1 and len(reference) > 300
    for (label, path), want in zip(sample_files(raw), reference, strict=True):
        got = json.loads(dumps(extract_line(label, path)))
        assert got == want, f"{label}: record differs from the reference"
