"""The files of a generated project, made without I/O, and the one function that writes them."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lambdash.sam._options import HANDLER_MODULE
from lambdash.sam._options import InitError
from lambdash.sam._options import InitOptions
from lambdash.sam._template import render_template

__all__ = [
    "ExistingFilesError",
    "ProjectFile",
    "make_project",
    "stack_name_for",
    "write_project",
]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ProjectFile:
    """One file of the project.

    :param name: the file name, relative to the project directory.
    :param text: the whole content.
    :param keep_existing: leave a file already there alone, even when overwriting is allowed.
    """

    name: str
    text: str
    keep_existing: bool = False


class ExistingFilesError(InitError):
    """Raised by :func:`write_project` when files would be overwritten; nothing was written.

    :param paths: the files that already exist.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = tuple(paths)
        names = [str(path) for path in self.paths]
        listed = (
            names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        )
        verb = "exists" if len(names) == 1 else "exist"
        super().__init__(f"{listed} already {verb}; lambdash init wrote nothing")


def stack_name_for(directory: Path) -> str:
    """A CloudFormation stack name made from *directory*'s name, such as ``dash-app``.

    Stack names are letters, digits and hyphens, start with a letter, and have at most
    128 characters (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html).

    :param directory: the project directory; relative paths are resolved first.
    """
    name = re.sub(r"[^A-Za-z0-9]+", "-", directory.resolve().name).strip("-")
    if not name[:1].isalpha():
        name = f"lambdash-{name}".rstrip("-")
    return name[:128].rstrip("-")


def _samconfig(options: InitOptions, stack_name: str) -> str:
    lines = [
        "# Settings for `sam deploy`, written by `lambdash init`",
        "# (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html).",
        "version = 0.1",
        "",
        "[default.deploy.parameters]",
        f'stack_name = "{stack_name}"',
        "# SAM creates (once) and uses a bucket of its own for the code zip.",
        "resolve_s3 = true",
        "# SAM creates the function's IAM role, which CloudFormation must be allowed to do.",
        'capabilities = "CAPABILITY_IAM"',
        "# Show the change set and ask before deploying it.",
        "confirm_changeset = true",
        "# The region is yours to choose: uncomment this, or sam uses your AWS profile's region.",
        '# region = "eu-west-1"',
    ]
    if options.domain is not None:
        lines += [
            f"# The ACM certificate for {options.domain}, in the stack's region.",
            '# parameter_overrides = "CertificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/..."',
        ]
    if options.gateway == "alb":
        lines += [
            "# The VPC and its public subnets (two Availability Zones at least).",
            '# parameter_overrides = "VpcId=vpc-... SubnetIds=subnet-...,subnet-..."',
        ]
    return "\n".join(lines) + "\n"


def _handler_module(options: InitOptions) -> str:
    name = options.app_attribute.partition(".")[0]
    if options.snapstart:
        # The hooks serve the first requests before the snapshot, and reseed after each restore.
        return (
            f'"""The Lambda entry point (Handler: {HANDLER_MODULE}.lambda_handler), written by lambdash init."""\n'
            "\n"
            "from lambdash import make_handler\n"
            "from lambdash.snapstart import register\n"
            "\n"
            f"from {options.app_module} import {name}\n"
            "\n"
            "# Made at import, before the SnapStart snapshot, which then holds the warmed app.\n"
            f"lambda_handler = register(make_handler({options.app_attribute}))\n"
        )
    return (
        f'"""The Lambda entry point (Handler: {HANDLER_MODULE}.lambda_handler), written by lambdash init."""\n'
        "\n"
        "from lambdash import make_handler\n"
        "\n"
        f"from {options.app_module} import {name}\n"
        "\n"
        "# Made at import, once per Lambda container.\n"
        f"lambda_handler = make_handler({options.app_attribute})\n"
    )


_REQUIREMENTS = """\
# What `lambdash build` (or `sam build`) installs beside your code in the function's zip,
# written by lambdash init.
# Add your app's own packages below, pinned, such as dash==4.4.1.
lambdash
"""


def make_project(
    options: InitOptions, *, stack_name: str, requirements: str = _REQUIREMENTS
) -> tuple[ProjectFile, ...]:
    """The files ``lambdash init`` writes, in the order it writes them.

    :param options: what to deploy.
    :param stack_name: the CloudFormation stack name for ``samconfig.toml``.
    :param requirements: the text of ``requirements.txt``, written only when there is none;
        by default ``lambdash`` and a note to add the app's own packages.
    """
    return (
        ProjectFile(name="template.yaml", text=render_template(options)),
        ProjectFile(name="samconfig.toml", text=_samconfig(options, stack_name)),
        ProjectFile(name=f"{HANDLER_MODULE}.py", text=_handler_module(options)),
        ProjectFile(name="requirements.txt", text=requirements, keep_existing=True),
    )


def write_project(
    directory: Path, files: Sequence[ProjectFile], *, force: bool = False
) -> tuple[Path, ...]:
    """Write *files* into *directory* (created if needed), and return the paths written.

    A file marked ``keep_existing`` that exists is left alone. Each file is replaced
    atomically, so an interrupted run leaves no half-written file.

    :param directory: the project directory.
    :param files: what :func:`make_project` returned.
    :param force: overwrite existing files instead of refusing.
    :raises ExistingFilesError: when a file exists and *force* is false; nothing is written.
    :raises OSError: when a file cannot be written.
    """
    writes = [
        f for f in files if not (f.keep_existing and (directory / f.name).exists())
    ]
    existing = [directory / f.name for f in writes if (directory / f.name).exists()]
    if existing and not force:
        raise ExistingFilesError(existing)
    directory.mkdir(parents=True, exist_ok=True)
    for file in writes:
        _replace(directory / file.name, file.text)
    return tuple(directory / f.name for f in writes)


def _replace(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
