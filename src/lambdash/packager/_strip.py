"""Stripping the symbol tables and debug sections that compiled extensions carry and never load.

A shared object keeps what the dynamic loader needs (``.dynsym``, ``.dynamic``) apart from the
static symbol table and the DWARF debug sections, which only debuggers and profilers read.
``strip --strip-unneeded`` removes the latter, as Debian's dh_strip does for every shared library
it packages. Some wheels ship them: brotli's extension is 4.9 MB, most of it debug sections.

Two kinds of file are left alone, because GNU strip can lay out a file that patchelf has edited
so that the loader refuses it ("ELF load command address/offset not page-aligned", seen with
numpy's bundled OpenBLAS): the libraries auditwheel grafts into ``<package>.libs/``, and the
extensions whose run path auditwheel set to ``$ORIGIN/...`` to find them.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

__all__ = ["Stripped", "find_strip", "strip_extensions"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Stripped:
    """What stripping did: files made smaller, bytes saved, and files kept because strip failed
    on them (another architecture's, say) or its output failed the load-segment check."""

    files: int
    saved: int
    failed: int


def find_strip() -> str | None:
    """GNU strip's path, or ``None``: other strips (macOS's) do not read Linux ELF files."""
    path = shutil.which("strip")
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (
        path if done.returncode == 0 and done.stdout.startswith("GNU strip") else None
    )


def _candidates(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        # auditwheel's grafted libraries: numpy.libs, pandas.libs, ...
        dirnames[:] = sorted(d for d in dirnames if not d.endswith(".libs"))
        for name in sorted(filenames):
            path = here / name
            if (name.endswith(".so") or ".so." in name) and not path.is_symlink():
                found.append(path)
    return found


def _is_elf_without_origin(data: bytes) -> bool:
    # The run path is a string in .dynstr; a file that names $ORIGIN was patched by auditwheel
    # (or chose a relative run path itself) and stays as it is. Only 64-bit little-endian files
    # are taken, what both Lambda architectures (x86_64, arm64) load.
    return (
        data[:6] == b"\x7fELF\x02\x01"
        and b"$ORIGIN" not in data
        and b"${ORIGIN}" not in data
    )


_PT_LOAD = 1


def _segments_aligned(data: bytes) -> bool:
    """Whether every loadable segment's file offset agrees with its address modulo its alignment.

    The dynamic loader refuses a file where it does not ("ELF load command address/offset not
    page-aligned"), which is how a badly stripped file fails; the stripped copy is checked
    before it replaces the original.
    """
    try:
        (phoff,) = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        for index in range(phnum):
            kind, _, offset, address, _, _, _, align = struct.unpack_from(
                "<IIQQQQQQ", data, phoff + index * phentsize
            )
            if kind == _PT_LOAD and align > 1 and offset % align != address % align:
                return False
    except struct.error:  # headers that point past the end of the file
        return False
    return True


def strip_extensions(root: Path, *, strip: str) -> Stripped:
    """Strip every shared object under *root* that is safe to strip, in place.

    Each file is stripped in a copy, and replaced only when *strip* succeeded, the copy's
    loadable segments are aligned as the loader wants, and it is smaller; any other file (one
    built for another architecture than strip reads, say) stays as it is.
    """
    files = saved = failed = 0
    with tempfile.TemporaryDirectory(prefix="lambdash-strip-") as scratch:
        copy = Path(scratch) / "copy.so"
        for path in _candidates(root):
            data = path.read_bytes()
            if not _is_elf_without_origin(data):
                continue
            copy.write_bytes(data)
            try:
                done = subprocess.run(
                    [strip, "--strip-unneeded", str(copy)],
                    capture_output=True,
                    timeout=120,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired):
                failed += 1
                continue
            result = copy.read_bytes()
            if done.returncode != 0 or not _segments_aligned(result):
                failed += 1
                continue
            if len(result) < len(data):
                path.write_bytes(result)
                files += 1
                saved += len(data) - len(result)
    return Stripped(files=files, saved=saved, failed=failed)
