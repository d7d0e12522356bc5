"""Finding a Python of the runtime's version, and precompiling the package with it."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
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
    "import importlib.util, platform, sys; "
    "print(*sys.version_info[:2], importlib.util.find_spec('pip') is not None, "
    "sys.platform, platform.machine())"
)
# How platform.machine() names the architectures wheel tags call x86_64 and aarch64.
_MACHINES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "aarch64": "aarch64",
    "arm64": "aarch64",
}


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Interpreter:
    """A Python found on this machine, of a given ``major.minor``.

    ``platform`` is its ``sys.platform`` and ``machine`` its architecture as wheel tags spell it
    (``x86_64``, ``aarch64``): whether it can load the package's Linux wheels.
    """

    path: str
    has_pip: bool
    platform: str
    machine: str

    def runs(self, machine: str) -> bool:
        """Whether this Python can import a package built for Linux on *machine*."""
        return self.platform == "linux" and self.machine == machine


def _managed_roots() -> tuple[Path, Path]:
    # Where pyenv (https://github.com/pyenv/pyenv#environment-variables) and uv
    # (https://docs.astral.sh/uv/reference/environment/#uv_python_install_dir) install Pythons.
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return (
        Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions",
        Path(os.environ.get("UV_PYTHON_INSTALL_DIR") or data / "uv" / "python"),
    )


def _managed(version: str, roots: Iterable[Path]) -> list[str]:
    """The ``python3.12`` executables pyenv or uv installed, newest release first.

    pyenv names its directories ``3.12.1``, uv ``cpython-3.12.1-linux-x86_64-gnu``; a free-threaded
    build (``3.13.0t``) loads other wheels and is not one of Lambda's runtimes.
    """
    found: list[tuple[int, str]] = []
    for root in roots:
        for directory in [
            *root.glob(f"{version}.*"),
            *root.glob(f"cpython-{version}.*"),
        ]:
            release = directory.name.removeprefix("cpython-").partition("-")[0]
            patch = release.split(".")[2:]
            executable = directory / "bin" / f"python{version}"
            if len(patch) == 1 and patch[0].isdigit() and executable.is_file():
                found.append((int(patch[0]), str(executable)))
    return [path for _, path in sorted(found, reverse=True)]


def find_python(
    version: str,
    *,
    search_path: str | None = None,
    managed_roots: Iterable[Path] | None = None,
) -> Interpreter | None:
    """The running Python if it is *version* (``"3.12"``), else a working ``python3.12`` on PATH,
    else one that pyenv or uv installed.

    Each candidate is run once to check its version: a pyenv shim for a version that is
    installed but not selected exists on PATH but fails, and the version pyenv installed is then
    found in its own directory.

    :param search_path: the PATH to search; default ``$PATH``.
    :param managed_roots: the directories pyenv and uv install Pythons into; default
        ``$PYENV_ROOT/versions`` (``~/.pyenv/versions``) and ``$UV_PYTHON_INSTALL_DIR``
        (``~/.local/share/uv/python``).
    """
    candidates = [sys.executable]
    found = shutil.which(f"python{version}", path=search_path)
    if found:
        candidates.append(found)
    candidates += _managed(
        version, _managed_roots() if managed_roots is None else managed_roots
    )
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
        if (
            probe.returncode == 0
            and len(words) == 5
            and words[:2] == version.split(".")
        ):
            return Interpreter(
                path=candidate,
                has_pip=words[2] == "True",
                platform=words[3],
                machine=_MACHINES.get(words[4].lower(), words[4]),
            )
    return None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Compiled:
    """What :func:`compile_package` did."""

    modules: int
    failed: int


def compile_package(
    root: Path, python: str, *, modules: Iterable[Path] | None = None
) -> Compiled:
    """Write unchecked-hash bytecode (PEP 552) for the modules under *root* with *python*.

    Lambda's ``/var/task`` is read-only, so without bytecode in the zip every cold start compiles
    every imported module again: ``import dash`` takes 0.88 s instead of 0.34 s. Bytecode checked
    against source timestamps is no better: zip stores times in 2-second steps, and 197 of Dash's
    modules were found stale after a round trip. Unchecked-hash bytecode is used as it is
    (measurements in ../shared/design/dash.md §3.2-3.3). It is written by a Python of the
    runtime's own version (the cache tag in ``__pycache__/*.cpython-312.pyc`` and the magic number
    must match), in a fresh process.

    :param modules: the ``.py`` files to compile; ``None`` compiles every one under *root*, one
        worker per CPU.
    """
    # File names are as Lambda sees them: /var/task/dash/__init__.py. (-d would join only each
    # file's base name when files are named one by one; -s and -p map whole paths.)
    command = [
        python,
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(root),
        "-p",
        TASK_ROOT,
    ]
    listed = None if modules is None else "".join(f"{path}\n" for path in modules)
    if listed == "":
        return Compiled(modules=0, failed=0)
    command += [str(root)] if listed is None else ["-i", "-"]
    result = subprocess.run(
        command,
        input=listed,
        capture_output=True,
        text=True,
        errors="replace",
        # Python 3.11 added the column of every instruction to its bytecode, for the ^^^ under a
        # traceback's line. Without it the bytecode of the modules Dash and pandas import is
        # 6 % smaller and compresses 21 % smaller (5.7 MB instead of 7.2 MB in the zip); line
        # numbers stay ("-X no_debug_ranges": "useful when smaller code objects and pyc files are
        # desired", https://docs.python.org/3/using/cmdline.html#cmdoption-X).
        env={**os.environ, "PYTHONNODEBUGRANGES": "1"},
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
    compiled = sum(1 for _ in root.rglob("*.pyc"))
    return Compiled(modules=compiled, failed=failed)
