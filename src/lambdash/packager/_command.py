"""``lambdash build``: the Lambda package of an app, built without Docker."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from lambdash.packager._target import ARCHES
from lambdash.packager._target import RUNTIMES

__all__ = ["DESCRIPTION", "HELP", "ConsoleProgress", "add_arguments", "run"]

HELP = "build the Lambda package: Linux wheels, trimmed, precompiled, without Docker"
DESCRIPTION = (
    "Build the app's Lambda package without Docker: pip installs the manylinux wheels the "
    "runtime can load, boto3 (which Lambda provides) is left out, tests, stubs, source maps and "
    "Dash's dev bundles are trimmed, compiled extensions are stripped of their symbol tables, "
    "and the modules the app imports (found by running it once) "
    "are precompiled to bytecode that stays valid in a zip. lambdash itself ships when the app "
    "imports it, and the package is proven before it is written: its handler imports from it "
    "alone and answers GET /. The output is a reproducible zip "
    "(-o app.zip) or .aws-sam/build, ready for sam deploy."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambdash build``."""
    parser.add_argument(
        "--runtime",
        choices=RUNTIMES,
        help="the Lambda runtime (default: the template's Runtime, else python3.13)",
    )
    parser.add_argument(
        "--arch",
        choices=ARCHES,
        help="the function's architecture (default: the template's, else x86_64)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="a .zip file, or a directory for sam deploy (default: .aws-sam/build beside the template)",
    )
    parser.add_argument(
        "--template",
        type=Path,
        help="the SAM template; its function's CodeUri is the code (default: DIR/template.yaml)",
    )
    parser.add_argument(
        "--requirements",
        type=Path,
        help="a requirements file or pyproject.toml (default: requirements.txt in the code, "
        "the handler's package or DIR, else pyproject.toml)",
    )
    parser.add_argument(
        "--bytecode",
        choices=("imported", "all"),
        default="imported",
        help="precompile the modules the app imports when it runs once at build time, or all "
        "of them (a larger package) (default: imported)",
    )
    parser.add_argument(
        "--sources",
        choices=("keep", "drop"),
        default="keep",
        help="keep each module's source beside its bytecode, or drop the sources of the "
        "third-party modules that have bytecode (a smaller package; their tracebacks show no "
        "source lines and inspect.getsource fails for them) (default: keep)",
    )
    parser.add_argument(
        "--no-strip",
        dest="strip",
        action="store_false",
        help="keep the symbol tables and debug sections of the compiled extensions, which are "
        "otherwise stripped with GNU strip when it is on PATH",
    )
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="write the package without proving it first (by default the handler is imported "
        "from the package alone and answers GET /, and a package that cannot is an error)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("."),
        help="the app's directory (default: .)",
    )


def run(args: argparse.Namespace) -> int:
    """Build, then print the size report; the steps go to stderr as they run."""
    from lambdash.packager._build import build
    from lambdash.packager._report import format_report

    report = build(
        args.dir,
        runtime=args.runtime,
        arch=args.arch,
        output=args.output,
        requirements=args.requirements,
        template=args.template,
        progress=ConsoleProgress(sys.stderr),
        bytecode=args.bytecode,
        sources=args.sources,
        strip=args.strip,
        verify=args.verify,
        verbose=args.verbose,
    )
    print(format_report(report))
    return 0


class ConsoleProgress:
    """Draws a build's steps: a line per step with its time, and a spinner on a terminal.

    :param stream: where to draw, usually ``sys.stderr``.
    :param clock: seconds, for the steps' times.
    """

    _FRAMES = "|/-\\"

    def __init__(
        self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._clock = clock
        self._title = ""
        self._started = clock()
        self._frame = 0

    def step(self, title: str) -> None:
        """Start timing a step; a terminal shows its title beside a spinner."""
        self._title = title
        self._started = self._clock()
        self._draw("")

    def output(self, line: str) -> None:
        """On a terminal, show the step's latest line of output beside the spinner."""
        if line.strip():
            self._draw(line.strip())

    def done(self, summary: str) -> None:
        """Print the step's time and what it did."""
        elapsed = self._clock() - self._started
        clear = "\r\x1b[K" if self._tty else ""
        self._stream.write(f"{clear}  {elapsed:5.1f}s  {summary}\n")
        self._stream.flush()

    def _draw(self, line: str) -> None:
        if not self._tty:
            return
        self._frame += 1
        text = f"{self._FRAMES[self._frame % len(self._FRAMES)]} {self._title}"
        if line:
            text += f": {line}"
        width = shutil.get_terminal_size().columns - 1
        self._stream.write(f"\r\x1b[K{text[:width]}")
        self._stream.flush()
