"""Running pip: the runner protocol, the cross-platform install, and pip's output read back."""

from __future__ import annotations

import dataclasses
import logging
import re
import subprocess
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from lambdash._command import CommandError
from lambdash.packager._target import Target

__all__ = [
    "PipResult",
    "PipRunner",
    "SubprocessPip",
    "install_args",
    "install_failure",
    "not_on_index",
    "run_pip",
    "summarize",
]

_log = logging.getLogger("lambdash.packager")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PipResult:
    """What one pip run did: the command line, its exit code and its output (stderr merged)."""

    command: tuple[str, ...]
    returncode: int
    output: str


class PipRunner(Protocol):
    """Runs ``pip <args>``, passing each line of its output to *on_line* as it comes."""

    def __call__(
        self, args: Sequence[str], *, on_line: Callable[[str], None]
    ) -> PipResult: ...


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SubprocessPip:
    """The default :class:`PipRunner`: ``python -m pip`` in a child process.

    :param python: the interpreter to run pip with; ``None`` means the one running lambdash.
    :param extra_args: appended to every command, for example ``("--cache-dir", "/tmp/pip")``.
    """

    python: str | None = None
    extra_args: tuple[str, ...] = ()

    def __call__(
        self, args: Sequence[str], *, on_line: Callable[[str], None]
    ) -> PipResult:
        """Run pip and wait for it; never raises for a failing pip, the result says so."""
        command = (self.python or sys.executable, "-m", "pip", *args, *self.extra_args)
        lines: list[str] = []
        with subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                on_line(line.rstrip())
        return PipResult(
            command=command, returncode=process.returncode, output="".join(lines)
        )


def run_pip(
    runner: PipRunner,
    args: Sequence[str],
    *,
    on_line: Callable[[str], None],
    verbose: bool = False,
) -> PipResult:
    """Run pip through *runner*; on failure log all of its output, and its command line when
    *verbose* (a cross-platform install's runs to some 40 options).
    """
    result = runner(args, on_line=on_line)
    if result.returncode != 0:
        command = f": {subprocess.list2cmdline(result.command)}" if verbose else ""
        _log.error(
            "pip failed with exit code %d%s\n%s",
            result.returncode,
            command,
            result.output.rstrip(),
        )
    return result


def install_args(
    target: Target,
    *,
    staging: Path,
    requirements: Path,
    find_links: Sequence[Path] = (),
) -> list[str]:
    """The arguments of ``pip install`` that fetch Linux wheels for *target* into *staging*."""
    platforms = [arg for tag in target.platform_tags() for arg in ("--platform", tag)]
    links = [arg for link in find_links for arg in ("--find-links", str(link))]
    return [
        "install",
        "--target",
        str(staging),
        # --platform needs --only-binary: pip cannot build an sdist for another platform.
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        target.python_version,
        *platforms,
        # Bytecode is compiled later, for the runtime's Python and with unchecked hashes.
        "--no-compile",
        # pip would compare the new packages with the ones installed around lambdash itself.
        "--no-warn-conflicts",
        "--no-warn-script-location",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        *links,
        "--requirement",
        str(requirements),
    ]


_INSTALLED = re.compile(r"^Successfully installed (.+)$", re.MULTILINE)


def summarize(output: str) -> str:
    """One line about a successful ``pip install``: how many distributions, and from where."""
    installed = _INSTALLED.findall(output)
    count = len(installed[-1].split()) if installed else 0
    downloaded = len(re.findall(r"^\s*Downloading ", output, re.MULTILINE))
    cached = len(re.findall(r"^\s*Using cached ", output, re.MULTILINE))
    local = len(re.findall(r"^Processing ", output, re.MULTILINE))
    sources = [
        f"{n} {what}"
        for n, what in (
            (downloaded, "downloaded"),
            (cached, "from pip's cache"),
            (local, "from local files"),
        )
        if n
    ]
    return f"installed {count} distributions" + (
        f" ({', '.join(sources)})" if sources else ""
    )


_NOT_FOUND = re.compile(
    r"No matching distribution found for ([^\s(]+)(?: \(from ([^)]+)\))?"
)
_UNAVAILABLE = re.compile(
    r"no matching distributions available for your environment:\n((?:[ \t]+\S+\n?)+)"
)


_NO_VERSIONS = re.compile(
    r"Could not find a version that satisfies the requirement ([^\s(]+)"
    r"(?: \(from ([^)]+)\))? \(from versions: none\)"
)
# The requirement-file options that say where pip looks for distributions.
_INDEX_OPTIONS = (
    "--index-url",
    "-i",
    "--extra-index-url",
    "--no-index",
    "--find-links",
    "-f",
)


def not_on_index(
    runner: PipRunner,
    result: PipResult,
    *,
    lines: Sequence[str],
    on_line: Callable[[str], None],
) -> CommandError | None:
    """The error for a failed install whose requirement names a project no index has, if so.

    pip says "from versions: none" both for a project that does not exist and for one without
    a wheel for the platform; ``pip index versions``, which counts every file of every version
    (sdists too) for any Python, tells the two apart. It asks the indexes the requirement file
    *lines* name, as the install did.
    """
    if "Retrying (" in result.output:
        # pip could not reach an index; "none" then says nothing about the project.
        return None
    options = [
        word.strip()
        for line in lines
        if line.startswith(_INDEX_OPTIONS)
        for word in re.split(r"[=\s]", line, maxsplit=1)
        if word.strip()
    ]
    for match in _NO_VERSIONS.finditer(result.output):
        name = _name(match[1])
        index = runner(
            ["index", "versions", name, "--ignore-requires-python", *options],
            on_line=on_line,
        )
        if index.returncode != 0 and "No matching distribution found" in index.output:
            by = f"{match[2]} requires" if match[2] else "the requirements name"
            looked = re.search(
                r"^Looking in indexes: (.+)$", result.output, re.MULTILINE
            )
            where = looked[1] if looked else "the package index"
            return CommandError(
                f"{by} {match[1]!r}, which does not exist on {where}",
                hint=f"check the name's spelling (https://pypi.org/project/{name}/), or "
                "remove the requirement",
            )
    return None


def install_failure(result: PipResult, target: Target) -> CommandError:
    """The error to report for a failed cross-platform ``pip install``.

    pip says "No matching distribution found for X" when no wheel of X fits the platform tags (an
    sdist-only package, or one without wheels for this Python or glibc), and lists such packages
    after a ``ResolutionImpossible`` when the resolver gave up because of them.
    """
    output = result.output
    missing = [(m[1], m[2]) for m in _NOT_FOUND.finditer(output)]
    unavailable = _UNAVAILABLE.search(output)
    if unavailable:
        missing += [(name.strip(), "") for name in unavailable[1].split()]
    if missing:
        needed_by = missing[0][1]
        names = sorted({_name(s) for s, _ in missing})
        listed = ", ".join(repr(s) for s in dict.fromkeys(s for s, _ in missing))
        by = f" (needed by {needed_by})" if needed_by else ""
        message = f"no wheel of {listed}{by} fits {target.describe()}"
        hint = (
            f"pin a version of {' and '.join(names)} that has wheels for {target.runtime} on "
            f"{target.arch} (see https://pypi.org/project/{names[0]}/#files), or build the wheel "
            "on Linux (a container or CI) and list the .whl file in requirements.txt"
        )
        if "require a different python version" in output:
            hint += f"; pip skipped versions whose Requires-Python excludes {target.python_version}"
        return CommandError(message, hint=hint)
    if "ResolutionImpossible" in output:
        return CommandError(
            f"pip cannot resolve the requirements for {target.describe()}: they conflict",
            hint="loosen the conflicting pins pip lists above",
        )
    return CommandError(
        f"pip install failed with exit code {result.returncode}",
        hint="read pip's output above; run again with -v for a traceback",
    )


def _name(spec: str) -> str:
    return re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]
