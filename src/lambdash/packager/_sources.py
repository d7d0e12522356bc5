"""``--sources drop``: third-party modules that have bytecode ship it without their source."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

__all__ = ["Dropped", "drop_sources"]

# lambdash itself keeps its sources: its tracebacks are the ones users report.
_ALWAYS_KEPT = frozenset({"lambdash"})


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Dropped:
    """What :func:`drop_sources` did: the sources removed and their total size in bytes."""

    files: int
    size: int


def drop_sources(root: Path, *, cache_tag: str, keep: Iterable[Path] = ()) -> Dropped:
    """Ship each compiled module under *root* as bytecode only.

    ``pkg/__pycache__/mod.cpython-312.pyc`` moves to ``pkg/mod.pyc``, where Python's
    SourcelessFileLoader imports it without ``pkg/mod.py``, which is removed (as is the emptied
    ``__pycache__``). A module without bytecode keeps its source, and so do lambdash and the
    *keep* files (the app's own code, relative to *root*).

    :param cache_tag: the runtime's ``sys.implementation.cache_tag``, ``cpython-312``.
    """
    kept = {root / path for path in keep}
    suffix = f".{cache_tag}.pyc"
    files = size = 0
    for pyc in sorted(root.rglob(f"__pycache__/*{suffix}")):
        source = pyc.parent.parent / f"{pyc.name.removesuffix(suffix)}.py"
        if (
            source in kept
            or source.relative_to(root).parts[0] in _ALWAYS_KEPT
            or not source.is_file()
        ):
            continue
        size += source.stat().st_size
        source.unlink()
        pyc.replace(source.with_suffix(".pyc"))
        files += 1
        if not any(pyc.parent.iterdir()):
            pyc.parent.rmdir()
    return Dropped(files=files, size=size)
