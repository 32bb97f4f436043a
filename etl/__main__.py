"""Command line: ``python -m etl {extract,evaluate,build} ...``.

Each sub-command lives in its own module and exposes ``add_arguments`` and
``run``; this file only wires them together.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "extract": ("etl.cli_extract", "extract indicators from report files, print JSON lines"),
    "evaluate": ("etl.evaluate", "score extraction of the bundled reports against the answer key"),
    "build": ("etl.warehouse.build", "build the DuckDB warehouse from the raw folder"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name == chosen:  # import only the module of the command being run
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
