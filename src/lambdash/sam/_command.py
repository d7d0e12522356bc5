"""``lambdash init``: write a SAM template, samconfig.toml and a Lambda handler for an app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from lambdash._command import CommandError
from lambdash.sam._options import ARCHITECTURES
from lambdash.sam._options import GATEWAYS
from lambdash.sam._options import RUNTIMES
from lambdash.sam._options import InitError
from lambdash.sam._options import InitOptions
from lambdash.sam._options import check_runtime
from lambdash.sam._project import ExistingFilesError
from lambdash.sam._project import make_project
from lambdash.sam._project import stack_name_for
from lambdash.sam._project import write_project
from lambdash.sam._requirements import find_pins
from lambdash.sam._requirements import lacking
from lambdash.sam._requirements import render_requirements

HELP = "write a SAM template, samconfig.toml and a Lambda handler for an app"
DESCRIPTION = (
    "Write what deploys APP to AWS Lambda with `lambdash build && sam deploy`: template.yaml, "
    "samconfig.toml, lambda_handler.py, and requirements.txt when there is none. The template "
    "avoids the usual traps: BinaryMediaTypes */*, routes for / and /{proxy+}, a Timeout the "
    "gateway waits for. Existing files are never overwritten without --force."
)


def _runtime(value: str) -> str:
    try:
        return check_runtime(value)
    except InitError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lambdash init``'s arguments to *parser*.

    :param parser: the subcommand's parser.
    """
    parser.add_argument(
        "app",
        metavar="APP",
        help="module:attribute naming the Dash, WSGI or ASGI app, such as app:app",
    )
    parser.add_argument(
        "--gateway",
        choices=GATEWAYS,
        default="rest",
        help="the front door: API Gateway REST API (default), HTTP API, ALB or Function URL",
    )
    parser.add_argument(
        "--domain", help="a custom domain for the REST API, such as example.com"
    )
    parser.add_argument(
        "--base-path",
        default="",
        metavar="PATH",
        help="the custom domain's base path mapping, such as dash (needs --domain)",
    )
    parser.add_argument(
        "--runtime",
        type=_runtime,
        default="python3.13",
        metavar="RUNTIME",
        help=f"the Lambda runtime: {', '.join(RUNTIMES)} (default python3.13)",
    )
    parser.add_argument(
        "--arch",
        choices=ARCHITECTURES,
        default="x86_64",
        help="the function's architecture (default x86_64)",
    )
    parser.add_argument(
        "--snapstart",
        action="store_true",
        help="turn on Lambda SnapStart (python3.12 and later)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite files that already exist"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("."),
        help="the project directory (default .), created if needed",
    )
    # Options that do not fit together are usage errors (exit 2), like argparse's own.
    parser.set_defaults(init_usage_error=parser.error)


def run(args: argparse.Namespace) -> int:
    """Write the project; print one line per file written.

    :param args: the parsed arguments.
    """
    try:
        options = InitOptions(
            app=args.app,
            gateway=args.gateway,
            domain=args.domain,
            base_path=args.base_path,
            runtime=args.runtime,
            architecture=args.arch,
            snapstart=args.snapstart,
        )
    except InitError as exc:
        usage_error: Callable[[str], NoReturn] = args.init_usage_error
        usage_error(str(exc))
    directory: Path = args.dir
    # The app is imported before anything is written: one that does not import is an error.
    pins = find_pins(options.app, directory)
    requirements = directory / "requirements.txt"
    files = make_project(
        options,
        stack_name=stack_name_for(directory),
        requirements=render_requirements(pins, app=options.app),
    )
    try:
        written = write_project(directory, files, force=args.force)
    except ExistingFilesError as exc:
        them = "it" if len(exc.paths) == 1 else "them"
        raise CommandError(str(exc), hint=f"pass --force to overwrite {them}") from exc
    except OSError as exc:
        msg = f"cannot write the project into {str(directory)!r}: {exc}"
        raise CommandError(msg) from exc
    for path in written:
        print(f"wrote {path}")
    for pin in pins if requirements in written else ():
        if pin.source:
            print(
                f"note: {pin.name} {pin.version} is installed from {pin.source}, not from a package "
                f"index, so {requirements} names it in a comment: add its path or a pinned release",
                file=sys.stderr,
            )
    missing = [] if requirements in written else lacking(requirements, pins)
    if missing:
        print(
            f"note: {requirements} is kept as it is, and lacks what {options.app} imports; add:",
            *(f"  {line}" for line in missing),
            sep="\n",
            file=sys.stderr,
        )
    print(_next_steps(options, directory), file=sys.stderr)
    return 0


def _next_steps(options: InitOptions, directory: Path) -> str:
    where = "" if directory == Path(".") else f"cd {directory} && "
    steps = [f"next: {where}lambdash doctor && lambdash build && sam deploy --guided"]
    if options.gateway != "alb":
        steps.append(
            f"try it locally first: lambdash serve --template {directory / 'template.yaml'}"
        )
    return "\n".join(steps)
