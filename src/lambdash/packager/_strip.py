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
import subprocess
import tempfile
from pathlib import Path

__all__ = ["Stripped", "find_strip", "strip_extensions"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Stripped:
    """What stripping did: files made smaller, bytes saved, and files strip could not read."""

    files: int
    saved: int
    unreadable: int


def find_strip() -> str | None:
    """GNU strip's path, or ``None``: other strips (macOS's) do not read Linux ELF files."""
    path = shutil.which("strip")
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
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
    # (or chose a relative run path itself) and stays as it is.
    return data[:4] == b"\x7fELF" and b"$ORIGIN" not in data


def strip_extensions(root: Path, *, strip: str) -> Stripped:
    """Strip every shared object under *root* that is safe to strip, in place.

    Each file is stripped in a copy, and replaced only when *strip* succeeded and the copy is
    smaller; a file strip cannot read (built for another architecture, say) stays as it is.
    """
    files = saved = unreadable = 0
    with tempfile.TemporaryDirectory(prefix="lambdash-strip-") as scratch:
        copy = Path(scratch) / "copy.so"
        for path in _candidates(root):
            data = path.read_bytes()
            if not _is_elf_without_origin(data):
                continue
            copy.write_bytes(data)
            done = subprocess.run(
                [strip, "--strip-unneeded", str(copy)],
                capture_output=True,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                unreadable += 1
                continue
            size = copy.stat().st_size
            if size < len(data):
                shutil.copyfile(copy, path)
                files += 1
                saved += len(data) - size
    return Stripped(files=files, saved=saved, unreadable=unreadable)
