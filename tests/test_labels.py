"""``ui/labels.yaml``: every label in both languages, none cut short, plurals right, none missing.

A flow mapping (``{zh: …, en: …}``) cuts an unquoted value at its first ASCII
comma and reads the rest as a key of its own; the first check catches that by
allowing only the known keys.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ui import i18n
from ui.i18n import t, using

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"zh", "en", "zh_one", "en_one", "count"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _labels() -> dict:
    with i18n.LABELS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_every_label_has_both_languages_and_was_not_cut() -> None:
    bad = {}
    for key, entry in _labels().items():
        if not isinstance(entry, dict):
            bad[key] = entry
            continue
        if set(entry) - ALLOWED or not all(isinstance(entry.get(lang), str) and entry[lang].strip()
                                           for lang in ("zh", "en")):
            bad[key] = entry
    assert not bad, bad


def test_no_duplicate_keys() -> None:
    keys = re.findall(r"^([^\s#][^:]*):", i18n.LABELS_FILE.read_text(encoding="utf-8"), flags=re.M)
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, dupes


def test_languages_take_the_same_placeholders() -> None:
    for key, entry in _labels().items():
        forms = [entry[k] for k in ("zh", "en", "en_one") if k in entry]
        names = [set(PLACEHOLDER.findall(f)) for f in forms]
        wanted = names[0] - ({entry.get("count", "n")} if "en_one" in entry else set())
        assert all(wanted <= n for n in names), (key, names)


def test_english_singular_reads_singular() -> None:
    wrong = []
    with using("en"):
        for key, entry in _labels().items():
            names = PLACEHOLDER.findall(entry["en"])
            if not names:
                continue
            count = entry.get("count", "n")
            args = {name: (1 if name == count else 2) for name in names}
            if count not in args:
                continue
            text = t(key, **args)
            if re.search(r"\b1 (?:flagged )?(?:[a-z]+s)\b", text) or "(s)" in text:
                wrong.append((key, text))
    assert not wrong, wrong


def test_every_key_the_code_asks_for_exists() -> None:
    labels = _labels()
    used: set[str] = set()
    for path in [*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"]:
        used |= set(re.findall(r"""\bt\(\s*"([^"{}]+)"\s*[,)]""", path.read_text(encoding="utf-8")))
    missing = sorted(used - set(labels))
    assert not missing, missing
