"""The public surface, and the promise that ``import lambdash`` loads the standard library only."""

from __future__ import annotations

import subprocess
import sys
import types

import lambdash

# Modules that lambdash.local, doctor, build and the CLI may use; none may load at runtime.
DEV_TIME = (
    "lambdash.cli",
    "lambdash.local",
    "lambdash.doctor",
    "lambdash.build",
    "lambdash.sam",
)


def test_all_is_sorted_and_complete() -> None:
    public = sorted(
        name
        for name in dir(lambdash)
        if name[0].isalpha()
        and name != "annotations"
        and not isinstance(getattr(lambdash, name), types.ModuleType)
    )
    assert lambdash.__all__ == sorted(
        lambdash.__all__, key=lambda n: (not n.isupper(), n)
    )
    assert sorted(lambdash.__all__) == public


def test_import_loads_only_the_standard_library() -> None:
    # Nothing but sys is imported before the measurement, so the list is what lambdash loads.
    code = (
        "import sys; before = set(sys.modules); import lambdash; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    stdlib = sys.stdlib_module_names
    outside = [
        m
        for m in loaded
        if m.split(".")[0] not in stdlib and m.split(".")[0] != "lambdash"
    ]
    dev_time = [m for m in loaded if m.startswith(DEV_TIME)]
    assert (outside, dev_time) == ([], [])
    assert "lambdash._handler" in loaded
    # SnapStart support is opt-in: its module loads only when the handler module imports it.
    assert "lambdash.snapstart" not in loaded
    # asyncio costs more than everything else together; only ASGI apps load it. typing (with
    # re and collections behind it), functools, base64, urllib.parse, logging and json would be
    # most of the import time left (benchmarks/imports.py): each loads only where it is used.
    heavy = (
        "asyncio",
        "typing",
        "re",
        "collections",
        "functools",
        "base64",
        "urllib.parse",
        "enum",
        "logging",
        "json",
        "contextvars",
    )
    assert [module for module in heavy if module in loaded] == []
