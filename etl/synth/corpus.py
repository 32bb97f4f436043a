"""Write a synthetic corpus: one file per county and year, plus its answer key.

Layout of the output folder::

    raw/            the documents (what the build ingests)
    gold/           reports.csv, values.csv, shortfalls.csv, targets.csv
                    (the format of data/gold/)
    broken.txt      deliberately unreadable files in raw/, one per line:
                    ``<file>\\t<why>``
    manifest.csv    every file in raw/ with its encoding, newline and size
    text/           (only with ``text_copy``) the documents decoded to UTF-8,
                    for scorers that read sources as UTF-8

File names (``00042_3f9c….txt``) say nothing of region or year, so that the
extractor has to read them from the text.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing as mp
import os
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from etl.synth.compose import Doc, compose
from etl.synth.regions import County, load_counties

GOLD_HEADERS = {
    "reports": ["file", "province", "city", "district", "adcode", "year", "doc_type"],
    "values": ["file", "indicator", "value", "qualifier", "basis", "alt_values", "evidence"],
    "shortfalls": ["file", "theme", "evidence"],
    "targets": ["file", "indicator", "comparator", "value", "evidence"],
}
MANIFEST_HEADER = ["file", "kind", "encoding", "newline", "size_bytes"]


@dataclass(frozen=True)
class Task:
    """One file to write."""

    name: str
    county: County | None  # None for a broken file
    year: int
    seed: str
    broken: str = ""  # empty | random | truncated


@dataclass
class Result:
    """What a worker reports back: manifest row and answer-key rows of one file."""

    manifest: list[str]
    gold: dict[str, list[list[str]]]
    text: str | None = None


def _name(seed: str, key: str, index: int) -> str:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:16]
    return f"{index:05d}_{digest}.txt"


def plan(years: list[int], n_counties: int | None, seed: int | str) -> list[Task]:
    """All files of a corpus, in a seeded order unrelated to region or year."""
    counties = load_counties()
    if n_counties is not None and n_counties < len(counties):
        counties = sorted(random.Random(f"{seed}:counties").sample(counties, n_counties), key=lambda c: c.adcode)
    pairs: list[tuple[County | None, int, str]] = [(c, y, "") for c in counties for y in years]
    n_broken = max(3, len(pairs) // 1000)
    kinds = ["empty", "random", "truncated"]
    pairs += [(None, years[0], kinds[i % 3]) for i in range(n_broken)]
    order = list(range(len(pairs)))
    random.Random(f"{seed}:order").shuffle(order)
    tasks = []
    for index, k in enumerate(order):
        county, year, broken = pairs[k]
        key = f"{county.adcode}:{year}" if county else f"broken:{k}"
        tasks.append(Task(_name(str(seed), key, index), county, year, str(seed), broken))
    tasks.sort(key=lambda t: t.name)
    return tasks


def _encode(text: str, encoding: str, crlf: bool) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode(encoding)


def _broken_bytes(task: Task) -> bytes:
    """Bytes of a deliberately unreadable file."""
    rng = random.Random(f"{task.seed}:{task.name}")
    if task.broken == "empty":
        return b""
    if task.broken == "random":
        return rng.randbytes(rng.randint(2_000, 9_000))
    # truncated: a real UTF-8 report cut inside a multi-byte character
    county = rng.choice(load_counties())
    data = compose(county, task.year, task.seed, "report").text.encode("utf-8")
    cut = rng.randint(len(data) // 3, 2 * len(data) // 3)
    while data[cut] & 0xC0 != 0x80:  # land on a continuation byte
        cut += 1
    return data[:cut]


def work(task: Task, raw: Path, text_copy: bool) -> Result:
    """Write one file of the corpus and return its manifest and answer-key rows."""
    path = raw / task.name
    if task.broken:
        data = _broken_bytes(task)
        path.write_bytes(data)
        return Result([task.name, f"broken:{task.broken}", "", "", str(len(data))], {})
    assert task.county is not None
    doc: Doc = compose(task.county, task.year, task.seed)
    crlf = random.Random(f"{task.seed}:{task.name}:nl").random() < 0.03
    data = _encode(doc.text, doc.encoding, crlf)
    path.write_bytes(data)
    c = doc.county
    region = ["unknown"] * 4 if doc.anonymous else [c.province, c.city, c.district, c.adcode]
    f = task.name
    gold = {
        "reports": [[f, *region, str(doc.year), doc.doc_type]],
        "values": [
            [f, v.indicator, str(v.value), v.qualifier, v.basis, "|".join(map(str, v.alt)), v.evidence]
            for v in doc.values
        ],
        "shortfalls": [[f, theme, ev] for theme, ev in doc.shortfalls],
        "targets": [[f, ind, comp, str(val), ev] for ind, comp, val, ev in doc.targets],
    }
    manifest = [f, doc.doc_type, doc.encoding, "crlf" if crlf else "lf", str(len(data))]
    return Result(manifest, gold, doc.text if text_copy else None)


def _init_worker() -> None:
    # warm the caches once per process
    from etl.synth.phrasebook import phrasebook

    phrasebook()
    load_counties()


def _work_star(args: tuple[Task, Path, bool]) -> Result:
    return work(*args)


def _prepare(out: Path) -> None:
    """Empty a previous synthetic corpus in ``out``; never touch a folder we did not write."""
    raw = out / "raw"
    if (out / "manifest.csv").exists():
        for sub in ("raw", "gold", "text"):
            shutil.rmtree(out / sub, ignore_errors=True)
    elif raw.exists() and any(raw.iterdir()):
        raise SystemExit(f"{raw} holds files that are not a synthetic corpus; choose another --out")
    raw.mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(exist_ok=True)


def generate(
    out: Path,
    years: list[int],
    n_counties: int | None = None,
    seed: int | str = 0,
    jobs: int | None = None,
    text_copy: bool = False,
) -> dict[str, float]:
    """Write the corpus and its answer key under ``out``; return counts and timing."""
    t0 = time.perf_counter()
    out = Path(out)
    _prepare(out)
    raw = out / "raw"
    tasks = plan(years, n_counties, seed)
    jobs = jobs or os.cpu_count() or 1
    args = [(t, raw, text_copy) for t in tasks]
    if jobs == 1:
        _init_worker()
        results = [_work_star(a) for a in args]
    else:
        with mp.get_context("fork").Pool(jobs, initializer=_init_worker) as pool:
            results = pool.map(_work_star, args, chunksize=64)

    gold: dict[str, list[list[str]]] = {k: [] for k in GOLD_HEADERS}
    for r in results:
        for k, rows in r.gold.items():
            gold[k].extend(rows)
    for k, header in GOLD_HEADERS.items():
        with open(out / "gold" / f"{k}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(gold[k])
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MANIFEST_HEADER)
        w.writerows(r.manifest for r in results)
    broken = [r.manifest for r in results if r.manifest[1].startswith("broken:")]
    (out / "broken.txt").write_text(
        "".join(f"{m[0]}\t{m[1].split(':', 1)[1]}\n" for m in broken), encoding="utf-8"
    )
    if text_copy:
        text_dir = out / "text"
        text_dir.mkdir(exist_ok=True)
        for t, r in zip(tasks, results, strict=True):
            if r.text is not None:
                (text_dir / t.name).write_text(r.text, encoding="utf-8")
    return {
        "files": len(tasks),
        "documents": len(tasks) - len(broken),
        "broken": len(broken),
        "values": len(gold["values"]),
        "seconds": round(time.perf_counter() - t0, 2),
    }


def read_manifest(out: Path) -> dict[str, dict[str, str]]:
    """The manifest of a corpus folder, by file name."""
    with open(Path(out) / "manifest.csv", encoding="utf-8") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}


def read_text(out: Path, name: str, manifest: dict[str, dict[str, str]] | None = None) -> str:
    """A document's text as written: decoded with its real encoding, line ends as \\n.

    Tests and hand scoring use this instead of guessing encodings, so that a
    check of the answer key never depends on the reader under test.
    """
    manifest = manifest or read_manifest(out)
    data = (Path(out) / "raw" / name).read_bytes()
    return data.decode(manifest[name]["encoding"]).replace("\r\n", "\n")


def read_gold(out: Path) -> dict[str, list[dict[str, str]]]:
    """The answer key of a corpus folder: the four CSV files as lists of rows."""
    gold = {}
    for k in GOLD_HEADERS:
        with open(Path(out) / "gold" / f"{k}.csv", encoding="utf-8") as fh:
            gold[k] = list(csv.DictReader(fh))
    return gold
