"""What a build produced, measured against Lambda's limits, and the text the CLI prints for it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from lambdash.packager._target import Target

__all__ = [
    "UNZIPPED_LIMIT",
    "ZIPPED_LIMIT",
    "BuildReport",
    "Bytecode",
    "PackageSize",
    "Sources",
    "format_report",
    "limit_warnings",
]

# Lambda's deployment package quotas: 250 MB unzipped, the function and its layers together, and
# 50 MB zipped for a direct upload through the API; larger zips must come from S3, as sam deploy
# uploads them (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). AWS's MB
# are MiB: the unzipped limit is 262,144,000 bytes.
UNZIPPED_LIMIT = 250 * 1024 * 1024
ZIPPED_LIMIT = 50 * 1024 * 1024

# Which modules get bytecode: those the app imports when it runs at build time, or all of them.
Bytecode = Literal["imported", "all"]
# Whether third-party modules with bytecode keep their sources beside it, or ship bytecode only.
Sources = Literal["keep", "drop"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PackageSize:
    """One top-level entry of the package (a package, a module, ``*.dist-info``) and its size."""

    name: str
    size: int
    files: int


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildReport:
    """What :func:`~lambdash.packager.build` wrote, and what it weighs.

    ``output`` is the zip, or the function's directory beside ``template`` in a directory build.
    ``packages`` come largest first; sizes are apparent sizes in bytes. ``zipped_size`` of a
    directory build is the size of the zip ``sam deploy`` makes of it. ``python`` is the
    interpreter that compiled the bytecode, ``None`` when none was found; ``bytecode`` then says
    for which modules: those the app imported when it ran at build time, or all of them. With ``sources="drop"``,
    ``dropped_files`` sources of compiled third-party modules (``dropped_size`` bytes) were
    removed, their bytecode shipped as ``module.pyc`` in their place. ``stripped_files``
    compiled extensions lost ``stripped_size`` bytes of symbol tables and debug sections.
    ``verified`` says how the package was proven to import its app (or why it was not).
    """

    target: Target
    output: Path
    template: Path | None
    function: str | None
    packages: tuple[PackageSize, ...]
    unzipped_size: int
    zipped_size: int
    files: int
    removed: tuple[str, ...]
    trimmed_files: int
    trimmed_size: int
    python: str | None
    compiled_modules: int
    bytecode: Bytecode
    sources: Sources = "keep"
    dropped_files: int = 0
    dropped_size: int = 0
    stripped_files: int = 0
    stripped_size: int = 0
    sha256: str | None
    verified: str | None = None
    seconds: float
    notes: tuple[str, ...]
    warnings: tuple[str, ...]


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def limit_warnings(unzipped: int, zipped: int) -> list[str]:
    """The warnings for a package over Lambda's size limits."""
    warnings: list[str] = []
    if unzipped > UNZIPPED_LIMIT:
        warnings.append(
            f"the package is {_mb(unzipped)} unzipped, over Lambda's 250 MB limit (function and "
            "layers together): Lambda will refuse it. Leave out large dependencies, serve static "
            "files from S3 or a CDN (serve_locally=False), or deploy a container image (10 GB)"
        )
    if zipped > ZIPPED_LIMIT:
        warnings.append(
            f"the zip is {_mb(zipped)}, over the 50 MB limit for direct uploads: deploy it "
            "through S3 (sam deploy does; aws lambda update-function-code --s3-bucket …)"
        )
    return warnings


def format_report(report: BuildReport, *, top: int = 10) -> str:
    """The size report: the *top* largest packages, then the totals against Lambda's limits."""
    lines = [
        f"Largest packages ({report.target.runtime}, {report.target.arch}, apparent size):"
    ]
    width = max((len(p.name) for p in report.packages[:top]), default=0)
    for package in report.packages[:top]:
        lines.append(
            f"  {package.name:<{width}}  {_mb(package.size):>9}  {package.files:>6,} "
            + ("file" if package.files == 1 else "files")
        )
    rest = report.packages[top:]
    if rest:
        size = sum(p.size for p in rest)
        lines.append(f"  {f'{len(rest)} more':<{width}}  {_mb(size):>9}")
    lines += [
        f"Unzipped  {_mb(report.unzipped_size):>9}  of Lambda's 250 MB limit "
        f"({report.unzipped_size / UNZIPPED_LIMIT:.0%}), {report.files:,} files",
        f"Zipped    {_mb(report.zipped_size):>9}  of the 50 MB direct-upload limit "
        f"({report.zipped_size / ZIPPED_LIMIT:.0%})",
    ]
    if report.removed:
        lines.append(
            f"Left out  {', '.join(report.removed)}: the Lambda runtime provides them"
        )
    lines.append(
        f"Trimmed   {_mb(report.trimmed_size):>9}  in {report.trimmed_files:,} files "
        "(tests, stubs, source maps, scripts, Jupyter extensions, Dash dev bundles)"
    )
    if report.stripped_files:
        lines.append(
            f"Stripped  {_mb(report.stripped_size):>9}  from {report.stripped_files:,} compiled "
            "extensions (symbol tables and debug sections; --no-strip keeps them)"
        )
    modules = (
        f"{report.compiled_modules:,} module{'' if report.compiled_modules == 1 else 's'} "
        "the app imports"
        if report.bytecode == "imported"
        else f"every module ({report.compiled_modules:,})"
    )
    lines.append(
        f"Bytecode  {modules}, unchecked-hash, compiled by {report.python}"
        if report.python
        else "Bytecode  none: see the note below"
    )
    if report.sources == "drop":
        lines.append(
            f"Dropped   {_mb(report.dropped_size):>9}  in {report.dropped_files:,} sources "
            "of compiled third-party modules (--sources drop: they ship bytecode only)"
        )
    if report.verified:
        lines.append(f"Verified  {report.verified}")
    written = f"Wrote {report.output}" + (
        f" (sha256 {report.sha256})" if report.sha256 else ""
    )
    if report.template:
        written += f" and {report.template}: sam deploy reads it"
    lines.append(written)
    lines += [f"note: {note}" for note in report.notes]
    lines += [f"warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)
