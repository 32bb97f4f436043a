"""List the raw folder, hash every file and sort out duplicates, before any extraction.

The sha256 of a file's bytes is the report's id. Hashing is cheap next to
extraction, so doing it first lets the build decide which files it can skip
(unchanged since the previous warehouse) and which are the same content under
another name (loaded once).

Hashing 28,000 files still reads every byte of the raw folder (several seconds
on a busy 2-core machine), so a build may pass the :class:`Stamp` of each file
as the previous build found it (the warehouse's ``raw_files`` table): a file
whose name, size, mtime, ctime, inode and device are all unchanged keeps its
previous sha256 without being read. Any write to a file changes its ctime (a
program that sets the mtime back cannot set the ctime), and a file replaced
by another has a new inode, so a stale hash needs a file changed within the
same clock tick as the previous build hashed it; stamps taken less than
:data:`RACY_NS` after a file last changed are not recorded for that reason
(the "racily clean" files of git), and the file is hashed again next time.

Only regular files inside the raw folder are read (etl/extract/read.py
``list_folder``): a FIFO would block the hash forever, a symlink to
``/dev/zero`` would never end, one to ``.streamlit/secrets.toml`` would be
loaded and shown. What is not read is listed in ``Scan.unreadable`` with its
reason, folders that could not be listed included, so the build can name it
and refuse to count its reports as removed. Names are stored escaped
(``display_name``): one file whose name is not UTF-8 must not fail the build.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from etl.extract.read import Skipped, display_name, list_folder, open_regular

# A file whose mtime or ctime is less than this before the scan started is
# hashed again at the next build: file-system clocks tick coarsely (2 s on FAT).
RACY_NS = 3_000_000_000


@dataclass(frozen=True)
class RawFile:
    """A file of the raw folder that could be hashed."""

    path: Path | str  # a str from the build's scan: a Path per file costs 0.2 s at 28,000 files
    name: str  # relative to the raw folder, '/'-separated
    sha256: str
    size: int


@dataclass(frozen=True)
class Unreadable:
    """A file that could not even be hashed (permissions, vanished, not a regular file), or a
    folder that could not be listed (its name ends with ``/``)."""

    name: str
    reason: str

    @property
    def is_folder(self) -> bool:
        """Whether this is a folder: the reports under it are unknown, not gone."""
        return self.name.endswith("/")


class Stamp(NamedTuple):
    """What ``stat`` says of a file, and its sha256 when it said so: a row of ``raw_files``."""

    name: str
    sha256: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    def same_file(self, st: os.stat_result) -> bool:
        """Whether ``st`` describes the file this stamp was taken of, unchanged since."""
        return (
            self.size == st.st_size
            and self.mtime_ns == st.st_mtime_ns
            and self.ctime_ns == st.st_ctime_ns
            and self.inode == st.st_ino
            and self.device == st.st_dev
        )


@dataclass
class Scan:
    """The raw folder sorted for the build."""

    primary: list[RawFile]  # one file per distinct content, first name in sort order
    duplicates: list[tuple[RawFile, RawFile]]  # (duplicate, the primary it repeats)
    unreadable: list[Unreadable]
    stamps: list[Stamp] = field(default_factory=list)  # for the next build (racily clean files left out)
    hashed: int = 0  # files read and hashed; the others kept their stamp's sha256


#: Bytes read at a time when hashing: a report is read in one go, a stray video in bounded pieces.
READ_SIZE = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Hex sha256 of the file's bytes.

    Not ``hashlib.file_digest``: it allocates and zeroes a 256 KB buffer per
    call, for files of ~13 KB (0.3 CPU-s of the 28,500-file scan); ``read``
    returns only the bytes there are.
    """
    digest = hashlib.sha256()
    with open_regular(path) as f:
        while chunk := f.read(READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def scan(raw: Path, known: Mapping[str, Stamp] | None = None) -> Scan:
    """List and hash the files under ``raw`` and split them into primaries and duplicates.

    ``known``: the stamps of the previous build by name; a file that matches
    its stamp is not read again.
    """
    started = time.time_ns()
    known = known or {}
    primary: dict[str, RawFile] = {}
    duplicates: list[tuple[RawFile, RawFile]] = []
    unreadable: list[Unreadable] = []
    stamps: list[Stamp] = []
    hashed = 0
    base = os.fspath(Path(raw))  # each file's path as str(raw / name) would spell it
    prefix = "" if base == "." else base.rstrip("/") + "/"
    skipped: list[Skipped] = []
    listed = list_folder(raw, skipped)
    unreadable.extend(Unreadable(s.name, s.reason) for s in sorted(skipped, key=lambda s: s.name))
    for real_name, entry in listed:
        name = display_name(real_name)
        try:
            st = entry.stat()
            old = known.get(name)
            if old is not None and old.same_file(st):
                digest = old.sha256
            else:
                digest = sha256_file(entry.path)
                hashed += 1
        except OSError as exc:
            unreadable.append(Unreadable(name, f"cannot read file: {exc.strerror or exc}"))
            continue
        if max(st.st_mtime_ns, st.st_ctime_ns) < started - RACY_NS:
            stamps.append(Stamp(name, digest, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev))
        item = RawFile(prefix + real_name, name, digest, st.st_size)
        if digest in primary:
            duplicates.append((item, primary[digest]))
        else:
            primary[digest] = item
    return Scan(list(primary.values()), duplicates, unreadable, stamps, hashed)

