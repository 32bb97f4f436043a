"""File -> text: the first step of the ETL, and the only one that sees bytes.

Reports arrive as whatever a bureau's website or a colleague's mailbox
produced: GBK text files named ``.txt``, PDFs saved as ``.txt``, Word files,
pages saved from a browser. Every later step works on one string and quotes
character offsets into it, so this module commits to exactly one text per
file and fails loudly, with a reason a person can act on, instead of handing
mojibake or an empty string downstream where it would silently yield no
numbers.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import stat
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from etl import limits

if TYPE_CHECKING:  # the parsers are imported only when a file needs them
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell
    from lxml.etree import _Element

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")

# A .docx is a zip; its XML can expand far beyond the file size. The limit keeps
# a hostile or broken archive from exhausting memory while leaving normal
# reports (text compresses about 10:1, images hardly at all) far below it.
_DOCX_EXPANSION_LIMIT = 20


@dataclass(frozen=True)
class Document:
    """One report as text, with enough provenance to find the file again.

    ``sha256`` and ``size`` identify the exact bytes, so a warehouse row can be
    traced to a file even after it was renamed or re-uploaded. ``text`` is
    kept out of ``repr`` because it can be megabytes long.
    """

    path: Path
    text: str = field(repr=False)
    format: str
    encoding: str | None
    sha256: str
    size: int
    notes: tuple[str, ...] = ()  # kept, but worth a line in ingest_log (a mixed encoding, ...)


class ReadError(Exception):
    """A file that cannot become text, with the reason a user can act on.

    Raised instead of returning partial or garbled text, because a report read
    wrongly produces no numbers without anyone noticing. ``args`` holds
    ``(path, reason)`` so the error survives pickling across processes.
    """

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(self.path, reason)

    def __str__(self) -> str:
        return f"{display_name(str(self.path))}: {self.reason}"


def display_name(name: str) -> str:
    """A file name as safe, one-line text: bytes that are not UTF-8 as ``\\xNN``, controls escaped.

    Linux file names are bytes; Python carries the undecodable ones as lone
    surrogates (``surrogateescape``), which DuckDB, Arrow and a UTF-8 terminal
    all refuse. A GBK name unpacked from a zip (``\\xba\\xd3\\xce\\xf7...txt``)
    must fail or load that one file, not the build, and a newline in a name
    must not break the one-line-per-failure rule. Valid names come back
    unchanged, so this is the name stored and shown.
    """
    if name.isprintable():  # no lone surrogate (category Cs), no control (Cc): nothing to escape
        return name
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _NAME_CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


_NAME_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def read_document(path: Path | str, max_bytes: int = MAX_BYTES_DEFAULT) -> Document:
    """Read a report file from disk.

    The size is checked before any byte is loaded, so a stray video or disk
    image in a reports folder costs a stat() call, not the machine's memory.
    Only a regular file is read: a FIFO or a device (``/dev/zero``) would
    block or never end (:func:`open_regular`).
    """
    path = path if isinstance(path, Path) else Path(path)  # a Path is immutable: re-parsing it cost ~6 K instructions
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ReadError(path, "no such file") from None
    except PermissionError:
        raise ReadError(path, "permission denied") from None
    except OSError as exc:
        raise ReadError(path, f"cannot read file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):  # the stat above, not two more
        raise ReadError(path, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(path, "not a regular file")
    _check_size(path, st.st_size, max_bytes)
    try:
        with open_regular(path) as fh:
            # Read one byte past the limit: the file may have grown since stat(). First only one
            # byte past the size stat() saw, and on only when there is more. Why: ``read(n)``
            # allocates n bytes before it reads, and the limit's 20 MB for a 13 KB report made
            # reading a file twice as costly.
            data = fh.read(st.st_size + 1)
            if len(data) > st.st_size:
                data += fh.read(max_bytes + 1 - len(data))
    except NotRegularFile:
        raise ReadError(path, "not a regular file") from None
    except PermissionError:
        raise ReadError(path, "permission denied") from None
    except OSError as exc:
        raise ReadError(path, f"cannot read file ({exc.strerror or exc})") from None
    _check_size(path, len(data), max_bytes)
    return _read(data, path, max_bytes)


def read_bytes(data: bytes, name: str, max_bytes: int = MAX_BYTES_DEFAULT) -> Document:
    """Read an upload held in memory; ``name`` only labels errors and hints the format."""
    data = bytes(data)
    path = Path(name)
    _check_size(path, len(data), max_bytes)
    return _read(data, path, max_bytes)


class NotRegularFile(OSError):
    """The path is a FIFO, device or socket (or became one since it was listed)."""


def open_regular(path: Path | str) -> BinaryIO:
    """Open a file for reading only if it is a regular file, checked on the open descriptor.

    ``O_NONBLOCK`` keeps the open itself from waiting for a FIFO's writer;
    the check is on the descriptor (``fstat``), so a file swapped for a FIFO
    or device after it was listed is refused too, not read forever.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(f"not a regular file: {display_name(os.fspath(path))}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def iter_report_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand the user's arguments into files, keeping unsupported ones.

    Unsupported and missing files are returned too, so that ``read_document``
    reports each of them by name rather than the batch dropping them
    silently. Hidden files and folders (``.git``, ``.DS_Store``) and Office
    lock files (``~$report.docx``) found inside folders are skipped: they are
    never reports. A file reached twice is listed once.
    """
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve() if p.exists() else p
        if key not in seen:
            seen.add(key)
            out.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in _walk(p):
                add(f)
        else:
            add(p)
    return out


def _walk(root: Path) -> Iterator[Path]:
    yield from sorted(root / name for name, _ in list_folder(root))


@dataclass(frozen=True)
class Skipped:
    """A file or folder of the raw folder that the build did not read, and why.

    ``name`` is the escaped name (:func:`display_name`), relative to the raw
    folder; a folder's ends with ``/`` (the raw folder itself is ``./``).
    """

    name: str
    reason: str

    @property
    def is_folder(self) -> bool:
        """A folder that could not be listed: its files may be missing, not removed."""
        return self.name.endswith("/")


def list_folder(
    raw: Path, skipped: list[Skipped] | None = None
) -> list[tuple[str, os.DirEntry[str]]]:
    """The files under ``raw`` as (relative name, directory entry), sorted by name: what a folder
    holds for :func:`iter_report_files` and for the build's scan.

    Hidden files and folders and Office lock files are skipped, folders
    reached through a symlink are not entered, and a file reached twice
    through a symlink is listed once, all without a ``Path`` and a
    ``resolve()`` per file (only symlinks are resolved): the build lists
    28,000 files this way.

    With ``skipped`` (the build's scan), only what the build may read is
    listed and everything else is appended to ``skipped`` with its reason: a
    folder that cannot be listed (an unmounted share, a permission change:
    its reports are then missing, not removed), a FIFO, socket or device (it
    would hang the build), a symlink that leaves the raw folder (it would
    publish whatever it points at, ``.streamlit/secrets.toml`` included) or
    leads nowhere. Without it, those are listed for the reader to name.
    """
    found: list[tuple[str, os.DirEntry[str]]] = []
    strict = skipped is not None
    base = os.path.realpath(raw)

    def skip(name: str, reason: str) -> None:
        if skipped is not None:
            skipped.append(Skipped(display_name(name), reason))

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            skip(prefix or "./", f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if _is_hidden(entry.name):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.is_symlink():
                    walk(entry.path, prefix + entry.name + "/")
                continue
            if strict:
                reason = _unreadable_entry(entry, base)
                if reason:
                    skip(prefix + entry.name, reason)
                    continue
            found.append((prefix + entry.name, entry))

    walk(os.fspath(raw), "")
    if any(entry.is_symlink() for _, entry in found):  # only a symlink can make two names one file
        # iter_report_files keeps the first of them in Path order (by path parts)
        found.sort(key=lambda t: t[0].split("/"))
        seen: set[str] = set()
        unique = []
        for name, entry in found:
            if entry.is_symlink():
                key = os.path.realpath(entry.path) if os.path.exists(entry.path) else "\0" + entry.path
            else:
                key = os.path.join(base, name)
            if key not in seen:
                seen.add(key)
                unique.append((name, entry))
        found = unique
    found.sort(key=lambda t: t[0])
    return found


def _unreadable_entry(entry: os.DirEntry[str], base: str) -> str | None:
    """Why the build must not read this entry of the raw folder, or None if it may."""
    try:
        if not entry.is_symlink():
            return None if entry.is_file(follow_symlinks=False) else _kind(entry.stat(follow_symlinks=False).st_mode)
        target = os.path.realpath(entry.path)
        if os.path.commonpath([base, target]) != base:
            return "symlink to a file outside the raw folder: not read"
        st = os.stat(entry.path)
    except FileNotFoundError:
        return "broken symlink: its target does not exist"
    except (OSError, ValueError) as exc:
        return f"cannot read file: {getattr(exc, 'strerror', None) or exc}"
    return None if stat.S_ISREG(st.st_mode) else _kind(st.st_mode)


def _kind(mode: int) -> str:
    """The reason for skipping a file that is not a regular file."""
    if stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "a special file"
    return f"not a regular file ({what}): not read"


def _is_hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


# --------------------------------------------------------------------------
# Dispatch on content
# --------------------------------------------------------------------------


def _read(data: bytes, path: Path, max_bytes: int) -> Document:
    """Trust the bytes, not the name: sites serve PDFs as .txt and HTML as .doc."""
    if not data:
        raise ReadError(path, "empty file")
    suffix = path.suffix.lower()
    encoding: str | None = None
    bounds = limits.current()
    if _is_pdf(data):
        fmt, text = "pdf", _pdf_text(data, path)
    elif data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        fmt, text = "docx", _docx_text(data, path, max_bytes, bounds.max_docx_xml_bytes)
    else:
        other = _known_binary(data)
        if other:
            raise ReadError(path, f"unsupported format ({other})")
        try:
            if _looks_like_html(data, suffix):
                fmt = "html"
                raw, encoding = _decode(data, _meta_charset(data))
                text = _html_text(raw)
            else:
                fmt = "txt"
                text, encoding = _decode(data)
        except _NotText:
            raise ReadError(path, _binary_reason(suffix)) from None
    text = _normalise(text)
    if not text.strip():
        raise ReadError(path, "empty file" if fmt in ("txt", "html") else "empty file (the document has no text)")
    if len(text) > bounds.max_chars:
        # Every later step is at least linear in the text; a real report is far below this.
        raise ReadError(path, f"text too long ({len(text):,} characters > limit {bounds.max_chars:,})")
    notes: tuple[str, ...] = ()
    if encoding == MIXED_ENCODING:
        notes = ("mixed encodings: lines in UTF-8 and in GB18030 (GBK), each decoded in its own; check the text",)
    return Document(
        path=path,
        text=text,
        format=fmt,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        notes=notes,
    )


def _normalise(text: str) -> str:
    """Offsets must mean the same on every platform, so only ``\\n`` ends a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lstrip("\ufeff")


def _binary_reason(suffix: str) -> str:
    if suffix == ".docx":
        return "corrupt docx: not a zip archive, so not a Word .docx file (binary content, not text)"
    if suffix == ".pdf":
        return "corrupt PDF: the file does not start with %PDF (binary content, not text)"
    if suffix and suffix not in SUPPORTED_SUFFIXES:
        return f"unsupported format ({suffix} file with binary content, not text)"
    return "binary content, not text"


def _check_size(path: Path, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        have, limit = _human_size(size), _human_size(max_bytes)
        if have == limit:  # rounding would hide the difference
            have, limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
        raise ReadError(path, f"file too large ({have} > limit {limit})")


def _human_size(n: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office file (.doc/.xls/.wps); save it as .docx or PDF"),
    (b"{\\rtf", "RTF document; save it as .docx or PDF"),
    (b"Rar!\x1a\x07", "RAR archive; unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive; unpack it first"),
    (b"\x1f\x8b", "gzip archive; unpack it first"),
)


def _known_binary(data: bytes) -> str | None:
    """Name formats people commonly mistake for reports, to say more than 'binary'."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP image"
    return None


def _is_pdf(data: bytes) -> bool:
    # Tolerate what download tools and editors put before the header.
    return data[:1024].lstrip(b" \t\r\n\x00").removeprefix(codecs.BOM_UTF8).startswith(b"%PDF-")


# --------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------


class _NotText(Exception):
    """Internal: the bytes do not decode to plausible text in any encoding we try."""


# The reported name is a codec that decodes the file's bytes (BOM included) to
# the text, so ``data.decode(doc.encoding)`` reproduces it before line-ending
# normalisation. UTF-32 comes first: its LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Aliases of GB 2312 and GBK: GB18030 is a superset, and files labelled gb2312
# routinely contain GBK-only characters (e.g. 镕, 喆).
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312", "ms936", "csgb2312"}


def _decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding name)``; raise ``_NotText`` for binary content.

    The order goes from certain to probable: a BOM is unambiguous; strict
    UTF-8 almost never accepts anything else; UTF-16 without BOM shows
    itself by NUL bytes (ASCII digits and newlines, 一 = U+4E00) or by
    decoding to far more plausible Chinese than GB18030 does; GB18030 is the
    Chinese default; charset-normalizer handles the rest. Every result must
    still look like text, so random bytes that happen to decode are rejected.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is not None:
                return _accept(text), codec
            break  # not a BOM after all: GBK 罨 (EF BB) can be followed by a BF lead byte

    utf8 = _try(data, "utf-8")
    if utf8 is not None and not _utf8_has_controls(data):
        return utf8, "utf-8"

    codec = _declared_codec(declared)
    if codec:
        # Pages are often mislabelled (a CMS migrated to UTF-8 keeps its
        # gb2312 meta tag, which the UTF-8 test above already overrides), so
        # the label is only believed when its decoding looks like text.
        text = _try(data, codec)
        if text is not None and not _has_binary_chars(text) and _plausibility(text) >= 0.5:
            return text, codec

    if b"\x00" in data:
        # UTF-8 and GB18030 text never contain NUL bytes; UTF-16 usually does.
        utf16 = _best_utf16(data)
        if utf16 is not None and utf16[2] >= _MIN_UTF16_WITH_NULS:
            return utf16[0], utf16[1]
        raise _NotText

    # Short Chinese UTF-16 without NULs can also be valid UTF-8 (等 is U+7B49,
    # the bytes of "I{") or GB18030; UTF-16 must then be clearly more plausible.
    rival = utf8 if utf8 is not None else _try(data, "gb18030")
    rival_score = _plausibility(rival) if rival is not None else 0.0
    # A control character in the rival is itself evidence it is the wrong reading.
    margin = 0.0 if rival is not None and _has_controls(rival) else 0.2
    # Scores are at most 1: against a rival this plausible no UTF-16 reading can
    # win, and scoring both byte orders was most of reading a GB18030 file.
    utf16 = _best_utf16(data) if rival_score + margin < 1.0 else None
    if utf16 is not None and utf16[2] >= 0.8 and utf16[2] > rival_score + margin:
        return utf16[0], utf16[1]
    if utf8 is None:
        mixed = _mixed_utf8_gb(data)
        if mixed is not None and _plausibility(mixed) >= 0.8 and _plausibility(mixed) > rival_score:
            return mixed, MIXED_ENCODING
    if rival is not None:
        return _accept(rival), "utf-8" if utf8 is not None else "gb18030"

    guess = _charset_normalizer(data)
    if guess is not None:
        return guess

    # A real report with a damaged byte (a bad sector, a botched copy-paste)
    # is still worth reading; one bad byte in GB18030 costs up to three
    # replacement characters. Random bytes fail far more often.
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad <= max(4, len(text) // 500) and _plausibility(text) >= 0.8 and not _has_binary_chars(text):
            return text, codec
    raise _NotText


#: The ``encoding`` of a file whose lines are partly UTF-8, partly GB18030: no
#: single codec reproduces it, so the name says so and the document carries a note.
MIXED_ENCODING = "utf-8+gb18030"


def _mixed_utf8_gb(data: bytes) -> str | None:
    """Decode line by line, UTF-8 where a line is valid UTF-8, else GB18030; None unless both occur.

    Reports pasted together from two sources (a GBK text with a UTF-8
    paragraph appended) are otherwise read as one wrong encoding throughout
    and refused as binary.
    """
    kinds: set[str] = set()
    out: list[str] = []
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
            if any(b > 0x7F for b in line):
                kinds.add("utf-8")
        except UnicodeDecodeError:
            try:
                out.append(line.decode("gb18030"))
            except UnicodeDecodeError:
                return None
            kinds.add("gb18030")
    if kinds != {"utf-8", "gb18030"}:
        return None
    text = "\n".join(out)
    return None if _has_binary_chars(text) else text


# English in UTF-16 scores about 0.6 (mostly letters); random 16-bit units score
# about 0.15.
_MIN_UTF16_WITH_NULS = 0.35


def _declared_codec(declared: str | None) -> str | None:
    if not declared:
        return None
    label = declared.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    if label.startswith(("utf-16", "utf-32", "unicode")):
        return None  # without a BOM the byte order is unknown; detection finds it
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _accept(text: str) -> str:
    if _has_binary_chars(text):
        raise _NotText
    return text


# C0 and C1 control characters except tab, newline, vertical tab, form feed, CR.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None


# Every byte but those of C0 controls (tab to CR excepted) and DEL, and 0xC2, which opens a C1 control in UTF-8.
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or 0x0E <= b <= 0x1F or b == 0x7F or b == 0xC2))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _utf8_has_controls(data: bytes) -> bool:
    """``_has_controls(data.decode("utf-8"))`` for valid UTF-8 ``data``, read on the bytes.

    In UTF-8 a C0 control or DEL is its own byte (no other character has a byte below 0x80) and a
    C1 control is 0xC2 0x80–0x9F. Why: ``bytes.translate`` keeps the bytes that may be controls a
    few instructions a byte; the regular-expression class tested each character of every UTF-8
    report at some forty."""
    rest = data.translate(None, _NOT_CONTROL_BYTES)
    if not rest:
        return False
    if rest.count(b"\xc2") < len(rest):  # a C0 control or DEL
        return True
    return _C1_UTF8.search(data) is not None


def _has_binary_chars(text: str) -> bool:
    """NULs or many control characters mean the bytes were never meant as text."""
    if "\x00" in text:
        return True
    controls = len(_CONTROL.findall(text))
    # A stray form feed or DOS end-of-file mark is normal; one control in fifty is not.
    return controls > max(2, len(text) // 50)


def _best_utf16(data: bytes) -> tuple[str, str, float] | None:
    """The more plausible of the two byte orders, as ``(text, codec, score)``."""
    if len(data) % 2:
        return None
    best = None
    for codec in ("utf-16-le", "utf-16-be"):
        text = _try(data, codec)
        if text is None or _has_binary_chars(text):
            continue
        score = _plausibility(text)
        if best is None or score > best[2]:
            best = (text, codec, score)
    return best


# Judging an encoding needs a few pages, not a whole 20 MB file: the score is
# read on this prefix, and the codec chosen still decodes the whole file.
_SAMPLE_CHARS = 20_000

# What each character weighs, looked up once per distinct character:
# _SPACE and _LETTER mark the two kinds whose weight depends on their neighbours.
_SPACE, _LETTER = -1.0, -2.0
_WEIGHTS: dict[str, float] = {}
_MAX_CACHED = 100_000


def _weight_of(ch: str) -> float:
    """The cached weight of ``ch`` (or _SPACE / _LETTER)."""
    if ch.isspace():
        w = _SPACE
    elif ch.isascii() and ch.isalpha():
        w = _LETTER
    else:
        w = _char_weight(ch)
    if len(_WEIGHTS) < _MAX_CACHED:  # random bytes decode to any code point: keep the cache bounded
        _WEIGHTS[ch] = w
    return w


# A run of Latin letters: a run of one is a stray byte read as a letter.
_LETTER_RUN = re.compile(r"[A-Za-z]+")


def _plausibility(text: str) -> float:
    """Share of characters a Chinese report is made of, from 0 (garbage) to 1.

    Wrong decodings of Chinese land on Hangul, Yi, private-use code points,
    rare ideographs and single Latin letters wedged between ideographs; real
    reports use the 6,763 hanzi of GB 2312, digits, punctuation and whole
    Latin words (GDP, App) almost exclusively. A Latin letter counts fully
    inside a word, 0.3 alone; spaces do not count.

    Why counted this way: the characters of weight 1 (hanzi of GB 2312,
    digits, punctuation: nearly all of a right reading) are cut out in one
    regular-expression pass (``_ONE``) and counted by the length they leave;
    only the rest is counted per distinct character (``Counter``, weights
    looked up once in ``_WEIGHTS``). ``Counter`` over a whole sample made a
    new string object per hanzi, most of scoring a GB18030 file. Weights of
    1 and 0.25 sum exactly in any order, so the score is the per-character
    sum's to the last bit; a sample with a character of another weight (0.3)
    is summed over every distinct character in the order of their first
    occurrence, as before.
    """
    text = text[:_SAMPLE_CHARS]
    rest = _one().sub("", text)
    ones = len(text) - len(rest)
    summed = _weighed(Counter(rest), exact_only=True)
    if summed is not None:
        total, n, letters = summed
        return _score(text, total + ones, n + ones, letters)
    summed = _weighed(Counter(text), exact_only=False)  # a sum that rounds: in the per-character order
    assert summed is not None  # only an exact_only sum gives up
    return _score(text, *summed)


def _weighed(counts: Counter[str], exact_only: bool) -> tuple[float, int, int] | None:
    """The weighted sum of ``counts``' characters (in their order), how many count, and how many
    are letters; None when ``exact_only`` and a weight other than 0, 0.25 and 1 would make the sum
    depend on its order."""
    total = 0.0
    n = letters = 0
    for ch, count in counts.items():
        w = _WEIGHTS.get(ch)
        if w is None:
            w = _weight_of(ch)
        if w == _SPACE:
            continue
        n += count
        if w == _LETTER:
            letters += count
        elif exact_only and not (w == 0.25 or w == 0.0 or w == 1.0):
            return None
        else:
            total += w * count
    return total, n, letters


def _score(text: str, total: float, n: int, letters: int) -> float:
    """The score from the weights' sum, adding the Latin letters: 1 inside a word, 0.3 alone."""
    if letters:
        lone = sum(1 for run in _LETTER_RUN.findall(text) if len(run) == 1)
        total += (letters - lone) + 0.3 * lone
    return total / n if n else 1.0


@cache
def _one() -> re.Pattern[str]:
    """Runs of characters of weight 1: the hanzi GB 2312 encodes, printable ASCII other than
    letters, and the punctuation blocks (each checked by ``_char_weight`` itself)."""
    chars: set[str] = set(_COMMON_LATIN1)
    for hi in range(0xB0, 0xF8):  # the hanzi rows; a row with a gap is decoded pair by pair
        row = bytes(b for lo in range(0xA1, 0xFF) for b in (hi, lo))
        text = _try(row, "gb2312")
        pairs = (_try(row[i : i + 2], "gb2312") for i in range(0, len(row), 2))
        chars.update(text if text is not None else (c for c in pairs if c is not None))
    for lo, hi in ((0x21, 0x7E), (0x2000, 0x206F), (0x2150, 0x218F), (0x2190, 0x22FF), (0x2460, 0x24FF),
                   (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF01, 0xFF65)):
        chars.update(map(chr, range(lo, hi + 1)))
    codes = sorted(
        ord(c) for c in chars if not c.isspace() and not (c.isascii() and c.isalpha()) and _char_weight(c) == 1.0
    )
    ranges: list[str] = []
    first = last = codes[0]
    for code in [*codes[1:], -1]:
        if code != last + 1:
            ranges.append(re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}")
            first = code
        last = code
    return re.compile("[" + "".join(ranges) + "]+")


def _char_weight(ch: str) -> float:
    cp = ord(ch)
    if 0x21 <= cp <= 0x7E:
        return 1.0
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return 0.25
        return 1.0
    if (
        0x3000 <= cp <= 0x303F  # CJK punctuation 、。《》
        or 0xFF01 <= cp <= 0xFF65  # full-width forms （），：
        or 0x2000 <= cp <= 0x206F  # general punctuation “”…—
        or 0x2150 <= cp <= 0x218F  # number forms Ⅰ Ⅱ
        or 0x2460 <= cp <= 0x24FF  # enclosed numbers ① ⑴
        or 0x2190 <= cp <= 0x22FF  # arrows, maths ≥ ≤
        or 0x25A0 <= cp <= 0x25FF  # geometric shapes ■ ○
    ):
        return 1.0
    if ch in _COMMON_LATIN1:
        return 1.0
    if 0xA0 <= cp <= 0x24F:
        # Accented letters: real in Western text, but also what GBK bytes look
        # like when misread as Latin-1, so they count for little.
        return 0.3
    return 0.0


_COMMON_LATIN1 = frozenset("·×÷°±²³µ§¨«»¼½¾")


def _charset_normalizer(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        return None
    text = str(best)
    if _has_binary_chars(text) or _plausibility(text) < 0.6:
        return None
    return text, codecs.lookup(best.encoding).name


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_HTML_MARKERS = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta\s|title)[\s>/]", re.IGNORECASE)
_ANY_TAG = re.compile(rb"<[a-z!/][^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)""",
    re.IGNORECASE,
)


def _looks_like_html(data: bytes, suffix: str) -> bool:
    # Dropping NULs lets the ASCII tag patterns match UTF-16 pages too.
    head = data[:4096].replace(b"\x00", b"")
    if b"<" not in head:  # both patterns open with it; memchr finds it faster than either search
        return False
    if _HTML_MARKERS.search(head):
        return True
    return suffix in (".html", ".htm") and bool(_ANY_TAG.search(head))


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096].replace(b"\x00", b""))
    return match.group(1).decode("ascii") if match else None


_BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary
    table tbody tfoot thead title tr ul""".split()
)
_DROP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _html_text(markup: str) -> str:
    """Render roughly as a browser would: blocks on their own lines, cells tab-separated.

    Line breaks inside a paragraph are source formatting, not content: they
    become a space between Latin words and nothing between Chinese
    characters, where a space would split a number from its unit. The walk
    is iterative because saved pages can nest thousands of tags deep.
    """
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    soup = BeautifulSoup(markup, "html.parser")
    parts: list[str] = []
    pre_depth = 0
    # Depth-first with an explicit stack; an ``int`` entry closes an element:
    # 1 ends a block (newline), 2 ends a <pre>, 3 ends a block that is a <pre>.
    stack: list[object] = [soup]
    while stack:
        node = stack.pop()
        if isinstance(node, int):
            if node & 1:
                parts.append("\n")
            if node & 2:
                pre_depth -= 1
            continue
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            parts.append(str(node) if pre_depth else _collapse_ws(str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in _DROP_TAGS:
            continue
        if name == "br":
            parts.append("\n")
        elif name in ("td", "th"):
            parts.append("\t")
        closing = 0
        if name in _BLOCK_TAGS:
            parts.append("\n")
            closing |= 1
        if name in _PRE_TAGS:
            pre_depth += 1
            closing |= 2
        if closing:
            stack.append(closing)
        stack.extend(reversed(node.contents))
    return _tidy_lines("".join(parts))


_PRE_TAGS = frozenset({"pre", "textarea"})


_WS_RUN = re.compile(r"[ \t\r\n\f\u00a0]+")


def _collapse_ws(s: str) -> str:
    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        if "\n" in run or "\r" in run:
            before = s[m.start() - 1] if m.start() > 0 else ""
            after = s[m.end()] if m.end() < len(s) else ""
            if _WIDE.match(before) and _WIDE.match(after):
                return ""
        return " "

    return _WS_RUN.sub(repl, s)


def _tidy_lines(s: str) -> str:
    lines = []
    for line in s.split("\n"):
        # Keep tabs between cells, drop the leading one a row starts with.
        # Indentation (spaces, &nbsp;, 　) is layout, not content.
        cells = [c.strip() for c in line.split("\t")]
        while cells and not cells[0]:
            cells.pop(0)
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------


def _docx_text(data: bytes, path: Path, max_bytes: int, max_xml: int) -> str:
    """Body paragraphs and tables in reading order; a table row becomes one tab-separated line.

    ``max_xml`` bounds the uncompressed ``word/document.xml``: walking it is
    what takes the time (etl/rules/limits.yaml).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            expanded = sum(info.file_size for info in zf.infolist())
            body = zf.getinfo("word/document.xml").file_size if "word/document.xml" in names else 0
    except (zipfile.BadZipFile, ValueError, OSError):
        if b"word/" in data:
            raise ReadError(path, "corrupt docx: damaged zip archive (truncated download?)") from None
        if path.suffix.lower() == ".docx":
            raise ReadError(path, "corrupt docx: damaged zip archive") from None
        raise ReadError(path, "unsupported format (damaged zip archive)") from None
    if "word/document.xml" not in names:
        raise ReadError(path, _zip_kind(names, path))
    limit = max(max_bytes, MAX_BYTES_DEFAULT) * _DOCX_EXPANSION_LIMIT
    if expanded > limit:
        raise ReadError(path, f"file too large (docx expands to {_human_size(expanded)} > limit {_human_size(limit)})")
    if body > max_xml:
        raise ReadError(
            path, f"file too large (docx text XML expands to {_human_size(body)} > limit {_human_size(max_xml)})"
        )

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in _docx_blocks(document.element.body, document):
            if isinstance(block, str):
                lines.append(block)
            else:
                lines.extend(_table_lines(block))
    except Exception as exc:  # python-docx and lxml raise many unrelated types
        raise ReadError(path, f"corrupt docx: {_short(exc)}") from None
    return "\n".join(lines)


def _zip_kind(names: set[str], path: Path) -> str:
    if "xl/workbook.xml" in names:
        what = "an Excel .xlsx workbook, not a Word document"
    elif "ppt/presentation.xml" in names:
        what = "a PowerPoint .pptx file, not a Word document"
    elif "OFD.xml" in names:
        what = "an OFD document; convert it to PDF first"
    elif "mimetype" in names and "content.xml" in names:
        what = "an OpenDocument file; save it as .docx"
    elif path.suffix.lower() == ".docx" or "[Content_Types].xml" in names:
        return "corrupt docx: missing word/document.xml"
    else:
        what = "a zip archive, not a Word document; unpack it first"
    return f"unsupported format ({what})"


def _docx_blocks(parent: _Element, document: DocxDocument) -> Iterator[str | Table]:
    """Paragraph texts and tables of the body in order.

    Walks the XML itself because python-docx skips content controls (w:sdt),
    which templates wrap whole sections of a report in.
    """
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document).text
        elif child.tag == qn("w:tbl"):
            yield Table(child, document)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_blocks(content, document)


def _table_lines(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell is repeated once per grid column
                continue
            previous = cell._tc
            cells.append(_cell_text(cell))
        lines.append("\t".join(cells))
    return lines


def _cell_text(cell: _Cell) -> str:
    # Newlines or tabs inside a cell would break the one-row-one-line layout.
    from docx.table import Table

    parts: list[str] = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):  # a nested table
            parts.extend(_table_lines(block))
        else:
            parts.append(block.text)
    return " ".join(p.replace("\t", " ").replace("\n", " ").strip() for p in parts if p.strip())


def _short(exc: BaseException) -> str:
    msg = str(exc).strip() or type(exc).__name__
    return msg if len(msg) <= 200 else msg[:197] + "..."


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def _pdf_text(data: bytes, path: Path) -> str:
    """Page texts joined by newlines; refuse PDFs whose text would be empty or garbage.

    pypdf logs the repairs it makes (``EOF marker not found``) and warns;
    a file gets one line, its ReadError, so both are silenced here.
    """
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _pdf_pages(data, path)


def _pdf_pages(data: bytes, path: Path) -> str:
    """The body of :func:`_pdf_text`."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many official PDFs are only "owner"-protected (no copying) and
            # open with an empty user password, as in any PDF viewer.
            try:
                ok = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise ReadError(path, f"encrypted PDF that cannot be decrypted here ({_short(exc)})") from None
            if not ok:
                raise ReadError(path, "encrypted PDF: it needs a password; save an unprotected copy")
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:  # pypdf raises many types on broken content streams
                raise ReadError(path, f"corrupt PDF: page {number} cannot be read ({_short(exc)})") from None
    except ReadError:
        raise
    except FileNotDecryptedError:
        raise ReadError(path, "encrypted PDF: it needs a password; save an unprotected copy") from None
    except Exception as exc:  # PdfReadError, and for truncated files ValueError, KeyError, ...
        raise ReadError(path, f"corrupt PDF: {_short(exc)}") from None
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError(path, "PDF has no text layer (a scanned image?); OCR it first")
    if _plausibility(text) < 0.3 or _has_binary_chars(text):
        raise ReadError(path, "PDF text layer is unreadable (fonts without a Unicode mapping); OCR it first")
    return text
