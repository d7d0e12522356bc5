"""A reproducible zip of the package, and what its parts weigh.

The zip is written here rather than with :mod:`zipfile`, which compresses only with zlib: each
member is deflated by libdeflate (the ``deflate`` package) at level 10, which makes the demo with
pandas 3.3 % smaller than zlib's level 9 (benchmarks/coldstart.py), and is read by every unzip
tool because it is plain deflate. The layout is the one APPNOTE.TXT §4.3 describes, without
data descriptors, zip64 or extra fields: a local header and the data for each member, then the
central directory and its end record.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO
from typing import NamedTuple
from typing import cast

import deflate

from lambdash._command import CommandError

__all__ = ["COMPRESS_LEVEL", "measure", "sam_zipped_size", "write_zip"]

# Fixed, so that the same files always give the same bytes (libdeflate's output depends only on
# its version, which pyproject.toml pins, and the level). With pandas, level 10 is 1.0 MB (2.5 %)
# smaller than libdeflate's 9 and within 0.2 % of its slowest level 12, at half 12's time; on
# two threads the pandas zip takes 11 s, against 18 s for zlib's level 9 on one. Lambda unpacks
# any level at the same speed, and the zip is downloaded on every cold start of a new
# environment.
COMPRESS_LEVEL = 10
# 1980-01-01 00:00:00 in MS-DOS form, the earliest time a zip can store. The bytecode is
# unchecked-hash, so Python never compares it with the sources' times, whatever Lambda restores
# (../shared/design/dash.md §3.3).
_DOS_TIME = 0
_DOS_DATE = (1 << 5) | 1
# Version 2.0 of the format: deflate and directories (APPNOTE.TXT §4.4.3); made on Unix (3), so
# that unzip restores the permissions in the high bits of the external attributes (§4.4.2).
_VERSION = 20
_MADE_BY = (3 << 8) | _VERSION
_UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8 (§4.4.4)
_STORED, _DEFLATED = 0, 8
# Without zip64, counts and offsets have 16 and 32 bits (§4.4.21, §4.4.16), and their largest
# values mark a zip64 record instead (§4.4.1.4).
_MAX_ENTRIES = 0xFFFE
_MAX_OFFSET = 0xFFFFFFFE

_FIELDS = struct.Struct("<HHHHHIIIHH")
_LOCAL = struct.Struct("<I")
_CENTRAL = struct.Struct("<IH")
_CENTRAL_TAIL = struct.Struct("<HHHII")
_END = struct.Struct("<IHHHHIIH")


class _Member(NamedTuple):
    name: bytes
    flags: int
    method: int
    crc: int
    size: int
    data: bytes
    attributes: int


def _entries(root: Path) -> list[tuple[str, Path]]:
    # A directory gets an entry of its own only when it is empty: unzipping creates the others
    # for their files, as it does for the zips sam build makes, which hold files only
    # (aws-sam-cli samcli/lib/package/utils.py make_zip). Each entry costs about 150 bytes.
    entries: list[tuple[str, Path]] = []
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        if here != root and not dirnames and not filenames:
            entries.append((here.relative_to(root).as_posix() + "/", here))
        for name in filenames:
            entries.append(((here / name).relative_to(root).as_posix(), here / name))
    return sorted(entries)


def _member(entry: tuple[str, Path]) -> _Member:
    """One entry, compressed: this runs on a worker thread, and libdeflate releases the GIL."""
    name, path = entry
    encoded = name.encode("utf-8")
    flags = 0 if name.isascii() else _UTF8_NAME
    if name.endswith("/"):
        attributes = (
            stat.S_IFDIR | 0o755
        ) << 16 | 0x10  # 0x10: the MS-DOS directory bit
        return _Member(encoded, flags, _STORED, 0, 0, b"", attributes)
    executable = path.stat().st_mode & 0o111
    attributes = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
    data = path.read_bytes()
    packed = bytes(deflate.deflate_compress(data, COMPRESS_LEVEL)) if data else b""
    # Already-compressed files (fonts, .gz) come out larger, and are stored as they are.
    if len(packed) < len(data):
        return _Member(
            encoded, flags, _DEFLATED, zlib.crc32(data), len(data), packed, attributes
        )
    return _Member(
        encoded, flags, _STORED, zlib.crc32(data), len(data), data, attributes
    )


def _check_limits(*, entries: int = 0, offset: int = 0) -> None:
    if entries > _MAX_ENTRIES:
        what = f"{entries:,} files"
    elif offset > _MAX_OFFSET:
        what = "over 4 GB"
    else:
        return
    msg = (
        f"the package has {what}, more than a zip without zip64 holds, and far more than "
        "Lambda's 250 MB unzipped limit allows"
    )
    raise CommandError(
        msg,
        hint="leave data files out of the package and read them from S3, or deploy a container image",
    )


def write_zip(root: Path, destination: IO[bytes]) -> int:
    """Write every file and empty directory under *root* to a zip, reproducibly.

    Entries are sorted, dated 1980-01-01 00:00:00, owned by Unix, with permissions normalized to
    0o644 for files and 0o755 for directories and executables, and deflated at a fixed level, or
    stored when deflate would make them larger.

    :returns: the number of entries.
    :raises CommandError: for more entries or bytes than a zip without zip64 can hold.
    """
    entries = _entries(root)
    _check_limits(entries=len(entries))
    offset = 0
    central = io.BytesIO()
    with ThreadPoolExecutor() as pool:
        for member in pool.map(_member, entries):
            _check_limits(offset=max(offset, member.size))
            # The fields a member's local header and its central directory entry share: the
            # version needed, flags, method, time, date, CRC-32, both sizes, the name's length and
            # no extra field (APPNOTE.TXT §4.3.7, §4.3.12).
            fields = _FIELDS.pack(
                _VERSION,
                member.flags,
                member.method,
                _DOS_TIME,
                _DOS_DATE,
                member.crc,
                len(member.data),
                member.size,
                len(member.name),
                0,
            )
            header = _LOCAL.pack(0x04034B50) + fields
            central.write(
                _CENTRAL.pack(0x02014B50, _MADE_BY)
                + fields
                # No comment, disk 0, no internal attributes; then the Unix mode and the offset.
                + _CENTRAL_TAIL.pack(0, 0, 0, member.attributes, offset)
                + member.name
            )
            destination.write(header + member.name)
            destination.write(member.data)
            offset += len(header) + len(member.name) + len(member.data)
    _check_limits(offset=offset)
    directory = central.getvalue()
    destination.write(directory)
    destination.write(
        _END.pack(
            0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0
        )
    )
    return len(entries)


class _Counter(io.RawIOBase):
    """A sink that only counts."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


def sam_zipped_size(root: Path) -> int:
    """The size of the zip ``sam deploy`` makes of *root*, a function's directory build.

    SAM zips a directory with :mod:`zipfile` at zlib's default level (aws-sam-cli
    samcli/lib/package/utils.py make_zip_with_permissions), entries for files only.
    """
    counter = _Counter()
    with zipfile.ZipFile(
        cast(IO[bytes], counter), "w", zipfile.ZIP_DEFLATED
    ) as archive:
        for name, path in _entries(root):
            if not name.endswith("/"):
                archive.write(path, name)
    # Written as to a pipe, each entry ends with a 16-byte data descriptor that a file does not need.
    return counter.size - 16 * len(archive.infolist())


def measure(root: Path) -> dict[str, tuple[int, int]]:
    """The apparent size and file count of each top-level entry of *root*.

    All ``*.dist-info`` directories count together, as ``*.dist-info``.
    """
    sizes: dict[str, tuple[int, int]] = {}
    for directory, _, filenames in os.walk(root):
        here = Path(directory)
        for name in filenames:
            top = (here / name).relative_to(root).parts[0]
            key = "*.dist-info" if top.endswith(".dist-info") else top
            size, count = sizes.get(key, (0, 0))
            sizes[key] = (size + (here / name).stat().st_size, count + 1)
    return sizes
