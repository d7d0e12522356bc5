"""Wheels the cross-platform install takes from this machine: local packages, and lambdash itself."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import zipfile
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

import lambdash
from lambdash._command import CommandError
from lambdash.packager._pip import PipRunner
from lambdash.packager._pip import run_pip
from lambdash.packager._requirements import LocalProject

__all__ = ["build_local_wheels", "write_self_wheel"]


def build_local_wheels(
    projects: Sequence[LocalProject],
    *,
    runner: PipRunner,
    directory: Path,
    on_line: Callable[[str], None],
    verbose: bool = False,
) -> list[str]:
    """Build each local package into a pure-Python wheel in *directory*.

    :returns: one requirement line per package, ``name[extras] @ file:///…/name-1.0-py3-none-any.whl``,
        for the cross-platform install: pip then resolves the package's own dependencies there.
    :raises CommandError: when pip cannot build one, or when one has compiled code.
    """
    lines: list[str] = []
    for index, project in enumerate(projects):
        out = directory / str(index)
        result = run_pip(
            runner,
            [
                "wheel",
                "--no-deps",
                "--wheel-dir",
                str(out),
                "--disable-pip-version-check",
                "--no-input",
                "--progress-bar",
                "off",
                str(project.path),
            ],
            on_line=on_line,
            verbose=verbose,
        )
        wheels = sorted(out.glob("*.whl"))
        if result.returncode != 0 or not wheels:
            msg = f"cannot build the local package {str(project.path)!r} ({project.origin})"
            raise CommandError(
                msg,
                hint="read pip's output above: the package needs a pyproject.toml or setup.py pip can build",
            )
        wheel = wheels[0]
        name, *_, platform = wheel.stem.split("-")
        if platform != "any":
            msg = f"the local package {str(project.path)!r} ({project.origin}) has compiled code ({wheel.name})"
            raise CommandError(
                msg,
                hint="build its wheel on Linux for the runtime and architecture (a container or CI), "
                "and list the .whl file in requirements.txt",
            )
        lines.append(f"{name}{project.extras} @ {wheel.as_uri()}")
    return lines


def write_self_wheel(directory: Path) -> Path:
    """Write a wheel of the running lambdash, so that a ``lambdash`` requirement installs it.

    The deployed adapter is then the one ``lambdash serve`` ran locally, also before (or without)
    a release on PyPI. pip still picks a PyPI release when the requirement's pin asks for one.
    """
    package = Path(lambdash.__file__).parent
    metadata = _metadata()
    version = (
        re.findall(r"^Version: *(\S+)", metadata, re.MULTILINE)
        or [lambdash.__version__]
    )[0]
    dist_info = f"lambdash-{version}.dist-info"
    files: dict[str, bytes] = {
        f"lambdash/{path.relative_to(package).as_posix()}": path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    files[f"{dist_info}/METADATA"] = metadata.encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: lambdash\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [
        f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()
    ]
    files[f"{dist_info}/RECORD"] = "\n".join(
        [*record, f"{dist_info}/RECORD,,", ""]
    ).encode()
    wheel = directory / f"lambdash-{version.replace('-', '_')}-py3-none-any.whl"
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def _metadata() -> str:
    try:
        installed = importlib.metadata.distribution("lambdash").read_text("METADATA")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    # Running from a source tree without an install: the fields pip needs.
    return installed or (
        f"Metadata-Version: 2.1\nName: lambdash\nVersion: {lambdash.__version__}\n"
        "Requires-Python: >=3.11\n"
    )


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
