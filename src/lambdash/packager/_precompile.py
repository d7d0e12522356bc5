"""The bytecode step of a build: which modules get bytecode, and which Python writes it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from lambdash.packager._bytecode import Interpreter
from lambdash.packager._bytecode import compile_package
from lambdash.packager._imports import Imports
from lambdash.packager._imports import find_imports
from lambdash.packager._progress import Progress
from lambdash.packager._report import Bytecode
from lambdash.packager._target import Target

__all__ = ["Precompiled", "precompile"]

_FALLBACK = "bytecode for every module, a larger package"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Precompiled:
    """What :func:`precompile` did: the modules compiled, for which scope, and what to report."""

    modules: int
    bytecode: Bytecode
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def precompile(
    staging: Path,
    *,
    target: Target,
    handler: str | None,
    environment: Mapping[str, str],
    interpreter: Interpreter | None,
    bytecode: Bytecode,
    progress: Progress,
    found: Imports | None = None,
) -> Precompiled:
    """Compile the package in *staging*: the modules the app imports, when *bytecode* asks for
    them and *interpreter* can run the app to find them, else every module.

    :param handler: the function to run, ``None`` when unknown.
    :param environment: the app's environment variables for the run.
    :param found: what running the app once already found (the build's proof); the app then
        does not run again.
    """
    notes: list[str] = []
    warnings: list[str] = []
    modules = None
    if interpreter is not None and bytecode == "imported":
        modules = _imported(
            staging,
            target,
            handler,
            environment,
            interpreter,
            progress,
            notes,
            warnings,
            found,
        )
    progress.step("compiling bytecode")
    if interpreter is None:
        progress.done(f"no bytecode: no python{target.python_version} on PATH")
        return Precompiled(modules=0, bytecode=bytecode, notes=(_no_bytecode(target),))
    result = compile_package(staging, interpreter.path, modules=modules)
    if result.failed:
        notes.append(
            f"files that are not valid Python {target.python_version} stay source only "
            f"(they fail on Lambda too, if imported): {result.failed}"
        )
    scope = "every module" if modules is None else "the modules the app imports"
    progress.done(
        f"compiled {result.modules:,} modules ({scope}) to unchecked-hash bytecode with "
        f"{interpreter.path}"
    )
    return Precompiled(
        modules=result.modules,
        bytecode="all" if modules is None else "imported",
        notes=tuple(notes),
        warnings=tuple(warnings),
    )


def _imported(
    staging: Path,
    target: Target,
    handler: str | None,
    environment: Mapping[str, str],
    interpreter: Interpreter,
    progress: Progress,
    notes: list[str],
    warnings: list[str],
    found: Imports | None,
) -> list[Path] | None:
    """The package's modules the app imports, or ``None``: then every module is compiled."""
    if handler is None:
        notes.append(
            f"{_FALLBACK}: with no template Handler to run, the modules the app imports are "
            "unknown (pass --template)"
        )
        return None
    if not interpreter.runs(target.machine):
        notes.append(
            f"{_FALLBACK}: {interpreter.path} runs on {interpreter.platform} "
            f"{interpreter.machine}, so it cannot load this package's Linux {target.arch} "
            "wheels to run the app and find the modules it imports; build on Linux "
            f"{target.arch} (CI or a container) for the smaller package"
        )
        return None
    if found is None:
        progress.step(f"running {handler} to find the modules it imports")
        found = find_imports(
            staging, python=interpreter.path, handler=handler, environment=environment
        )
        progress.done(
            f"{handler} failed: {found.error}"
            if found.error is not None
            else f"ran {handler}: it imports {len(found.modules):,} modules of the package"
        )
    if found.written:
        warnings.append(
            f"the app wrote {', '.join(found.written)} into the package when it ran at build "
            "time; removed. On Lambda the package is read-only: write under /tmp"
        )
    if found.error is not None:
        notes.append(
            f"{_FALLBACK}: the app failed when it ran at build time to find the modules it "
            f"imports: {found.error} (if it needs environment variables to start, set them in "
            "this shell)"
        )
        return None
    if found.failed:
        notes.append(
            f"at build time {'; '.join(found.failed)}: the modules those requests import "
            "have no bytecode"
        )
    return [staging / module for module in found.modules]


def _no_bytecode(target: Target) -> str:
    return (
        f"no python{target.python_version} on PATH, so the package has no bytecode: every cold "
        "start compiles each module it imports (a Dash app starts about 3 times slower). Install "
        f"Python {target.python_version} (pyenv install {target.python_version}, uv python install "
        f"{target.python_version}, or your system's package: lambdash looks on PATH and in "
        "pyenv's and uv's directories), and build again"
    )
