"""A reproducible zip of the package, and what its parts weigh."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path
from typing import IO
from typing import cast

__all__ = ["COMPRESS_LEVEL", "measure", "write_zip", "zipped_size"]

# Fixed, so that the same files always give the same bytes. Level 9 saves 0.3 MB (0.8 %) over
# the default 6 on the demo with pandas, for about twice the zip time; Lambda unpacks either at
# the same speed, and the zip is downloaded on every cold start of a new execution environment.
COMPRESS_LEVEL = 9
# The earliest time a zip can store (DOS dates start in 1980). The bytecode is unchecked-hash, so
# Python never compares it with the sources' times, whatever Lambda restores
# (../shared/design/dash.md §3.3).
_EPOCH = (1980, 1, 1, 0, 0, 0)


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


def write_zip(root: Path, destination: IO[bytes]) -> int:
    """Write every file and empty directory under *root* to a zip, reproducibly.

    Entries are sorted, dated 1980-01-01 00:00:00, owned by Unix, with permissions normalized to
    0o644 for files and 0o755 for directories and executables, and deflated at a fixed level.

    :returns: the number of entries.
    """
    entries = _entries(root)
    with zipfile.ZipFile(destination, "w") as archive:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                archive.writestr(info, b"")
                continue
            executable = path.stat().st_mode & 0o111
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            archive.writestr(
                info,
                path.read_bytes(),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=COMPRESS_LEVEL,
            )
    return len(entries)


class _Counter(io.RawIOBase):
    """A sink that only counts: zipfile writes to it as to a pipe."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


def zipped_size(root: Path) -> int:
    """The size of :func:`write_zip`'s zip of *root*, without writing it anywhere."""
    counter = _Counter()
    entries = write_zip(root, cast(IO[bytes], counter))
    # Written as to a pipe, each entry ends with a 16-byte data descriptor that a file does not need.
    return counter.size - 16 * entries


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
