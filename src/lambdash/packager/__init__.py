"""``lambdash build``: Lambda packages built without Docker (dev-time only).

``import lambdash`` never loads this package. :func:`build` is the library entry point and the CLI
a thin layer over it. The names below load on first use, so that ``lambdash --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdash.packager._build import DEFAULT_RUNTIME as DEFAULT_RUNTIME
    from lambdash.packager._build import build as build
    from lambdash.packager._pip import PipResult as PipResult
    from lambdash.packager._pip import PipRunner as PipRunner
    from lambdash.packager._pip import SubprocessPip as SubprocessPip
    from lambdash.packager._progress import NullProgress as NullProgress
    from lambdash.packager._progress import Progress as Progress
    from lambdash.packager._report import UNZIPPED_LIMIT as UNZIPPED_LIMIT
    from lambdash.packager._report import ZIPPED_LIMIT as ZIPPED_LIMIT
    from lambdash.packager._report import BuildReport as BuildReport
    from lambdash.packager._report import Bytecode as Bytecode
    from lambdash.packager._report import PackageSize as PackageSize
    from lambdash.packager._report import Sources as Sources
    from lambdash.packager._report import format_report as format_report
    from lambdash.packager._target import ARCHES as ARCHES
    from lambdash.packager._target import RUNTIMES as RUNTIMES
    from lambdash.packager._target import Target as Target
    from lambdash.packager._target import make_target as make_target
    from lambdash.packager._verify import Verification as Verification
    from lambdash.packager._verify import verify_package as verify_package

__all__ = [
    "ARCHES",
    "DEFAULT_RUNTIME",
    "RUNTIMES",
    "UNZIPPED_LIMIT",
    "ZIPPED_LIMIT",
    "BuildReport",
    "Bytecode",
    "NullProgress",
    "PackageSize",
    "PipResult",
    "PipRunner",
    "Progress",
    "Sources",
    "SubprocessPip",
    "Target",
    "Verification",
    "build",
    "format_report",
    "make_target",
    "verify_package",
]

_MODULES = {
    "DEFAULT_RUNTIME": "_build",
    "build": "_build",
    "PipResult": "_pip",
    "PipRunner": "_pip",
    "SubprocessPip": "_pip",
    "NullProgress": "_progress",
    "Progress": "_progress",
    "UNZIPPED_LIMIT": "_report",
    "ZIPPED_LIMIT": "_report",
    "BuildReport": "_report",
    "Bytecode": "_report",
    "PackageSize": "_report",
    "Sources": "_report",
    "format_report": "_report",
    "ARCHES": "_target",
    "RUNTIMES": "_target",
    "Target": "_target",
    "make_target": "_target",
    "Verification": "_verify",
    "verify_package": "_verify",
}


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value: object = getattr(
        importlib.import_module(f"{__name__}.{_MODULES[name]}"), name
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
