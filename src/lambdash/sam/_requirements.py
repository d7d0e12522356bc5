"""The requirements.txt ``lambdash init`` writes: what the app imports, pinned to what is installed here.

The app is imported once in a child process (:mod:`lambdash.sam._probe`); each distribution its
modules came from is pinned to the version installed here, so that the function runs what
``lambdash serve`` ran. One installed from a local directory, a VCS or a URL (PEP 610
``direct_url.json``) has no version on an index to pin: it is named in a comment instead.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlparse

from lambdash._command import CommandError
from lambdash.local._importing import TargetError

__all__ = ["Pin", "find_pins", "lacking", "render_requirements"]

_TIMEOUT = 120.0
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE = re.compile(r"^\s*(?:-r|--requirement)(?:\s*=\s*|\s+)(\S+)")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Pin:
    """One distribution the app imports.

    :param name: its name, as its metadata spells it.
    :param version: the version installed here.
    :param source: where it was installed from when not from an index (a path or URL), else ``""``.
    :param editable: whether that install is editable (``pip install -e``).
    """

    name: str
    version: str
    source: str = ""
    editable: bool = False

    @property
    def line(self) -> str:
        """The requirements line: ``name==version``, or a comment for a direct install."""
        if not self.source:
            return f"{self.name}=={self.version}"
        how = "an editable install" if self.editable else "installed"
        return (
            f"# {self.name} {self.version}: {how} from {self.source}, on no package index; "
            "add its path or a pinned release"
        )


def _key(name: str) -> str:
    # PEP 503 normalisation: Dash, dash and DASH are one distribution, as are a_b and a-b.
    return re.sub(r"[-_.]+", "-", name).lower()


def _source(direct_url: str | None, directory: Path) -> tuple[str, bool]:
    if direct_url is None:
        return "", False
    info = json.loads(direct_url)
    url: str = info.get("url", "")
    editable = bool(info.get("dir_info", {}).get("editable", False))
    if not url.startswith("file:"):
        return url, editable
    path = Path(unquote(urlparse(url).path))
    if path.is_relative_to(directory.resolve()):
        return f"./{path.relative_to(directory.resolve()).as_posix()}", editable
    return str(path), editable


def find_pins(spec: str, directory: Path) -> tuple[Pin, ...]:
    """Import *spec* from *directory* in a child process; the distributions its import loaded.

    :raises TargetError: when the app does not import, with the same message and hint as serve.
    :raises CommandError: when the child process hangs or dies.
    """
    with tempfile.TemporaryDirectory(prefix="lambdash-init-") as scratch:
        out = Path(scratch) / "report.json"
        argument = json.dumps(
            {"spec": spec, "directory": str(directory), "out": str(out)}
        )
        try:
            done = subprocess.run(
                [sys.executable, "-m", "lambdash.sam._probe", argument],
                # -m puts the working directory first on sys.path: it must be DIR, or nothing.
                cwd=directory if directory.is_dir() else scratch,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"importing {spec!r} did not finish in {_TIMEOUT:.0f} s"
            raise CommandError(
                msg,
                hint="an app should not serve or wait for input when it is imported",
            ) from exc
        if not out.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            msg = f"importing {spec!r} stopped the process (exit code {done.returncode}): {last}"
            raise CommandError(msg, hint="check what the app does when it is imported")
        report = json.loads(out.read_text(encoding="utf-8"))
    if report["error"] is not None:
        message, hint, details = report["error"]
        raise TargetError(message, hint=hint, details=details)
    pins = []
    for name, version, direct_url in report["distributions"]:
        source, editable = _source(direct_url, directory)
        pins.append(Pin(name=name, version=version, source=source, editable=editable))
    return tuple(pins)


def render_requirements(pins: Sequence[Pin], *, app: str) -> str:
    """The requirements.txt text for *pins*: a header, then one line each, and ``lambdash``.

    :param app: the ``module:attribute`` whose import found them, for the header.
    """
    python = ".".join(map(str, sys.version_info[:3]))
    lines = sorted([(_key(p.name), p.line) for p in pins] + [("lambdash", "lambdash")])
    header = (
        "# What `lambdash build` (or `sam build`) installs beside your code in the function's zip,",
        f"# written by lambdash init: the distributions {app} imports, pinned to the versions",
        f"# installed where it ran (Python {python}), so that the function runs what ran there.",
        "# Lambda provides boto3 and its dependencies; `lambdash build` ships the lambdash it runs.",
    )
    return "\n".join([*header, *(line for _, line in lines)]) + "\n"


def lacking(path: Path, pins: Sequence[Pin]) -> list[str]:
    """The lines for what *path* (and the files it includes with ``-r``) does not name.

    :param pins: what the app imports; ``lambdash`` is always needed too.
    """
    named = _names(path, seen=set())
    wanted = [("lambdash", "lambdash"), *((_key(p.name), p.line) for p in pins)]
    return [line for key, line in sorted(wanted) if key not in named]


def _names(path: Path, *, seen: set[Path]) -> set[str]:
    if path in seen:
        return set()
    seen.add(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    names: set[str] = set()
    for line in text.splitlines():
        line = line.partition(" #")[0]
        include = _INCLUDE.match(line)
        if include:
            names |= _names(path.parent / include[1], seen=seen)
        elif not line.lstrip().startswith(("#", "-")) and (match := _NAME.match(line)):
            names.add(_key(match[1]))
    return names
