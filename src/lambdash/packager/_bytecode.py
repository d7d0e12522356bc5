"""Finding a Python of the runtime's version, and precompiling the package with it."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from lambdash._command import CommandError

__all__ = ["Compiled", "Interpreter", "compile_package", "find_python"]

_log = logging.getLogger("lambdash.packager")

# Where Lambda unpacks the function: LAMBDA_TASK_ROOT
# (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). Compiled with this
# directory name, tracebacks on Lambda show real paths, and no path of this machine (which differs
# from build to build) ends up in the bytecode.
TASK_ROOT = "/var/task"

_PROBE = (
    "import importlib.util, sys; "
    "print(*sys.version_info[:2], importlib.util.find_spec('pip') is not None)"
)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Interpreter:
    """A Python found on this machine, of a given ``major.minor``."""

    path: str
    has_pip: bool


def find_python(version: str, *, search_path: str | None = None) -> Interpreter | None:
    """The running Python if it is *version* (``"3.12"``), else a working ``python3.12`` on PATH.

    Each candidate is run once to check its version: a pyenv shim for a version that is not
    selected exists on PATH but fails.
    """
    candidates = [sys.executable]
    found = shutil.which(f"python{version}", path=search_path)
    if found:
        candidates.append(found)
    for candidate in candidates:
        try:
            probe = subprocess.run(
                [candidate, "-c", _PROBE],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except OSError:
            continue
        words = probe.stdout.split()
        if probe.returncode == 0 and words[:2] == version.split("."):
            return Interpreter(path=candidate, has_pip=words[2] == "True")
    return None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Compiled:
    """What :func:`compile_package` did."""

    modules: int
    failed: int


def compile_package(root: Path, python: str) -> Compiled:
    """Write unchecked-hash bytecode (PEP 552) for every module under *root* with *python*.

    Lambda's ``/var/task`` is read-only, so without bytecode in the zip every cold start compiles
    every imported module again: ``import dash`` takes 0.88 s instead of 0.34 s. Bytecode checked
    against source timestamps is no better: zip stores times in 2-second steps, and 197 of Dash's
    modules were found stale after a round trip. Unchecked-hash bytecode is used as it is
    (measurements in ../shared/design/dash.md §3.2-3.3). It is written by a Python of the
    runtime's own version (the cache tag in ``__pycache__/*.cpython-312.pyc`` and the magic number
    must match), in a fresh process, one worker per CPU.
    """
    command = [
        python,
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-d",
        TASK_ROOT,
        str(root),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    # compileall exits 1 when a file does not compile (Python 2 leftovers, templates named .py):
    # those stay source only, and would fail the same way on Lambda if ever imported.
    failed = result.stdout.count("*** Error compiling")
    if result.returncode != 0 and not failed:
        _log.error(
            "compileall failed with exit code %d: %s\n%s",
            result.returncode,
            subprocess.list2cmdline(command),
            (result.stdout + result.stderr).rstrip(),
        )
        msg = f"compiling bytecode with {python} failed with exit code {result.returncode}"
        raise CommandError(msg, hint="read the output above")
    modules = sum(1 for _ in root.rglob("*.pyc"))
    return Compiled(modules=modules, failed=failed)
