"""List the raw folder, hash every file and sort out duplicates, before any extraction.

The sha256 of a file's bytes is the report's id. Hashing is cheap next to
extraction, so doing it first lets the build decide which files it can skip
(unchanged since the previous warehouse) and which are the same content under
another name (loaded once).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RawFile:
    """A file of the raw folder that could be hashed."""

    path: Path
    name: str  # relative to the raw folder, '/'-separated
    sha256: str
    size: int


@dataclass(frozen=True)
class Unreadable:
    """A file that could not even be hashed (permissions, vanished)."""

    name: str
    reason: str


@dataclass
class Scan:
    """The raw folder sorted for the build."""

    primary: list[RawFile]  # one file per distinct content, first name in sort order
    duplicates: list[tuple[RawFile, RawFile]]  # (duplicate, the primary it repeats)
    unreadable: list[Unreadable]


def relative_name(path: Path, raw: Path, raw_resolved: Path | None = None) -> str:
    """The name stored in ``reports.source_file``: relative to the raw folder when inside it.

    Tries the cheap lexical form first; resolving symlinks costs several
    system calls per file, which adds up over tens of thousands of files.
    """
    for base in (raw, raw_resolved or raw.resolve()):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(raw_resolved or raw.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def sha256_file(path: Path) -> str:
    """Hex sha256 of the file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def scan(raw: Path, files: list[Path]) -> Scan:
    """Hash ``files`` (found under ``raw``) and split them into primaries and duplicates."""
    primary: dict[str, RawFile] = {}
    duplicates: list[tuple[RawFile, RawFile]] = []
    unreadable: list[Unreadable] = []
    raw_resolved = raw.resolve()
    named = sorted(((relative_name(p, raw, raw_resolved), p) for p in files), key=lambda t: t[0])
    for name, path in named:
        try:
            size = path.stat().st_size
            digest = sha256_file(path)
        except OSError as exc:
            unreadable.append(Unreadable(name, f"cannot read file: {exc.strerror or exc}"))
            continue
        item = RawFile(path, name, digest, size)
        if digest in primary:
            duplicates.append((item, primary[digest]))
        else:
            primary[digest] = item
    return Scan(list(primary.values()), duplicates, unreadable)
