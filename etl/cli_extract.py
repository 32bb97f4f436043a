"""``python -m etl extract PATH... --jsonl``: one JSON object per report.

Failures are one line each on stderr (``FILE: reason``) and make the exit
status 1; the other files go on.
"""

from __future__ import annotations

import argparse
import json
import sys

from etl.extract import extract_document
from etl.extract.read import ReadError, iter_report_files, read_document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", help="report files or folders")
    parser.add_argument("--jsonl", action="store_true", help="JSON lines (the default and only format)")
    parser.add_argument("--with-text", action="store_true", help="include each report's text")


def run(args: argparse.Namespace) -> int:
    failed = 0
    for path in iter_report_files(args.paths):
        try:
            doc = read_document(path)
            report = extract_document(doc)
        except ReadError as err:
            print(err, file=sys.stderr)
            failed += 1
            continue
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the batch
            print(f"{path}: extraction failed: {type(err).__name__}: {err}", file=sys.stderr)
            failed += 1
            continue
        if args.with_text:
            report["text"] = doc.text
        print(json.dumps(report, ensure_ascii=False), flush=True)
    return 1 if failed else 0
