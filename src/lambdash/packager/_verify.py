"""Proving a Lambda package: its handler imports from the package alone and answers ``GET /``.

``lambdash build`` calls :func:`verify_package` on the package it is about to write, and it works
the same on one already written: a ``.aws-sam/build/<Function>/`` directory, or a zip unpacked
into one.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib.metadata
import os
import sys
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path

from lambdash.packager._bytecode import Interpreter
from lambdash.packager._imports import RUNTIME_PROVIDED
from lambdash.packager._imports import Imports
from lambdash.packager._imports import find_imports
from lambdash.packager._target import Target

__all__ = [
    "Verification",
    "app_imports_lambdash",
    "explain",
    "lambda_environment",
    "requirement_for",
    "verify_package",
]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Verification:
    """What :func:`verify_package` found.

    ``ran`` says whether ``python`` imported the handler and served ``GET /``; when it could not
    (``why_not_run`` says why), the imports of the app's own modules were resolved against the
    package's files instead (``checked`` modules read). ``error`` says why the package cannot
    serve, ``None`` when it can. ``missing`` is the module the package lacks, and ``requirement``
    the line that provides it: the distribution installed here with its version pinned
    (``dash==4.4.1``), else the module's name; ``None`` when the missing module is the handler's
    own. ``status`` is what ``GET /`` answered; ``run`` is that run's whole result (the modules
    it imported, the other warm-up requests, what it wrote).
    """

    handler: str
    ran: bool
    python: str | None = None
    why_not_run: str | None = None
    error: str | None = None
    missing: str | None = None
    requirement: str | None = None
    status: int | None = None
    checked: int = 0
    run: Imports | None = None

    @property
    def ok(self) -> bool:
        """Whether the package imports its handler (and, when it ran, answers ``GET /``)."""
        return self.error is None


def verify_package(
    root: Path,
    *,
    handler: str,
    interpreter: Interpreter | None,
    target: Target,
    environment: Mapping[str, str],
    timeout: float = 120.0,
) -> Verification:
    """Prove that the package in *root* serves: import *handler* from it and answer ``GET /``.

    The proof runs in a fresh ``python -I -S -B`` of *interpreter* that sees the package, the
    standard library and what the Lambda runtime provides (boto3), as on Lambda, and passes when
    the handler imports and ``GET /`` (a Function URL event) returns a response whose
    ``statusCode`` is below 500: a 404 still proves the app is there and serving, while a raise, a
    5xx or no response at all is a failure. It also serves ``/_dash-layout`` and
    ``/_dash-dependencies``, whose results are in :attr:`Verification.run`, not in the proof.
    Anything the app writes into *root* while it runs is removed.

    When *interpreter* is ``None``, or cannot load the package's Linux wheels (another OS or
    architecture), or the app stops at a module the Lambda runtime provides that *interpreter*
    lacks, the package is checked without running it: every absolute import of the handler's
    module and of the app's modules it imports, followed transitively, must be found in the
    package, the standard library or what Lambda provides. Imports inside ``try`` blocks that
    catch ``ImportError``, under ``if TYPE_CHECKING:`` or ``if __name__ == "__main__":`` are not
    needed. The app's modules are the top-level ones no ``*.dist-info/RECORD`` lists.

    :param root: the package: the directory Lambda would unpack to ``/var/task``.
    :param handler: the function's ``Handler``, such as ``lambda_handler.lambda_handler``.
    :param interpreter: a Python of the runtime's version (:func:`~._bytecode.find_python`).
    :param target: the runtime and architecture the package is for.
    :param environment: the app's environment variables for the run.
    :param timeout: seconds before the run is given up (a failure).
    """
    if interpreter is None:
        why = f"no python{target.python_version} on this machine"
    elif not interpreter.runs(target.machine):
        why = (
            f"{interpreter.path} runs on {interpreter.platform} {interpreter.machine}, not "
            f"Linux {target.machine}"
        )
    else:
        run = find_imports(
            root,
            python=interpreter.path,
            handler=handler,
            environment=environment,
            timeout=timeout,
        )
        provided = (run.missing or "").partition(".")[0]
        if provided not in RUNTIME_PROVIDED:
            return _from_run(root, handler, interpreter.path, run)
        why = (
            f"the app imports {provided}, which the Lambda runtime provides and "
            f"{interpreter.path} does not have"
        )
        return dataclasses.replace(_static(root, handler, why), run=run)
    return _static(root, handler, why)


def lambda_environment(*, function: str, runtime: str, root: Path) -> dict[str, str]:
    """The environment the app runs in to be proven: this shell's variables, which the app may
    need to start, and those Lambda sets
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).

    :param function: the function's name (the template's logical ID).
    :param runtime: such as ``python3.13``.
    :param root: the package, as ``LAMBDA_TASK_ROOT``.
    """
    return {
        **os.environ,
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "LAMBDA_TASK_ROOT": str(root),
    }


def explain(verification: Verification, *, requirements: str) -> tuple[str, str]:
    """The message and the hint for a package that cannot serve.

    :param verification: a failed :func:`verify_package`.
    :param requirements: where the requirement line goes, such as ``requirements.txt, the
        requirements file this build read``.
    """
    how = (
        ""
        if verification.ran
        else f" (found without running it: {verification.why_not_run})"
    )
    message = f"the package cannot serve: {verification.error}{how}"
    missing = verification.missing or ""
    requirement = verification.requirement
    if requirement is not None:
        hint = f"add the line {requirement} to {requirements}, and build again"
        if "==" not in requirement:
            hint += (
                f"; no distribution installed here provides a module {missing!r}, so that is "
                "the module's name: use its project's name on PyPI if it differs"
            )
    elif missing.partition(".")[0] == verification.handler.partition(".")[0]:
        hint = "fix the template's Handler, or its CodeUri, to name a module of the app's code"
    else:
        hint = (
            "if the app needs environment variables or services to start, set them in this "
            "shell and build again; --no-verify builds without this check"
        )
    return message, hint


def _from_run(root: Path, handler: str, python: str, run: Imports) -> Verification:
    failure = (
        f"{handler} fails at import: {run.error}"
        if run.error is not None
        else f"{handler} imports, but {run.root_failure}"
        if run.root_failure is not None
        else None
    )
    missing = run.missing if failure is not None else None
    return Verification(
        handler=handler,
        ran=True,
        python=python,
        error=failure,
        missing=missing,
        requirement=_requirement(root, handler, missing),
        status=run.status,
        run=run,
    )


def _requirement(root: Path, handler: str, missing: str | None) -> str | None:
    """The line to add for *missing*: not for the handler's own module, or one the package has."""
    if missing is None:
        return None
    top = missing.partition(".")[0]
    if top == handler.partition(".")[0] or _in_package(root, top):
        return None
    return requirement_for(top)


def requirement_for(module: str) -> str:
    """The requirement line for the distribution that provides *module* in this environment,
    pinned to the version installed here (``dash==4.4.1``); else *module* itself.
    """
    distributions = sorted(importlib.metadata.packages_distributions().get(module, []))
    if not distributions:
        return module
    name = distributions[0]
    return f"{name}=={importlib.metadata.version(name)}"


def app_imports_lambdash(files: list[Path]) -> bool:
    """Whether any of the Python *files* imports ``lambdash`` (where it is needed or not)."""
    for path in files:
        tree = _parse(path)
        if tree is not None and any(
            name.partition(".")[0] == "lambdash"
            for name, _ in _absolute_imports(tree, package="", everywhere=True)
        ):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Without running: the app's imports resolved against the package's files


def _static(root: Path, handler: str, why: str) -> Verification:
    checked = functools.partial(
        Verification, handler=handler, ran=False, why_not_run=why
    )
    module = handler.rpartition(".")[0]
    start = _module_file(root, module) if module else None
    if start is None:
        return checked(
            error=f"the handler's module {module!r} is not in the package",
            missing=module,
        )
    installed = _installed(root)
    queue = [(module, start)]
    seen = {start}
    read = 0
    while queue:
        name, path = queue.pop()
        read += 1
        tree = _parse(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for imported, line in _absolute_imports(tree, package=package) if tree else ():
            top = imported.partition(".")[0]
            if top in sys.stdlib_module_names or top in RUNTIME_PROVIDED:
                continue
            where = f"{path.relative_to(root).as_posix()}:{line}"
            if not _in_package(root, top):
                return checked(
                    error=f"{where} imports {imported!r}, which is not in the package",
                    missing=top,
                    requirement=requirement_for(top),
                    checked=read,
                )
            if top in installed:
                continue
            for found in _app_modules(root, imported):
                if found[1] not in seen:
                    seen.add(found[1])
                    queue.append(found)
    return checked(checked=read)


def _parse(path: Path) -> ast.Module | None:
    # A file this Python cannot parse (newer syntax than its own, say) is left unchecked.
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return None


_OPTIONAL = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
)


def _absolute_imports(
    tree: ast.Module, *, package: str, everywhere: bool = False
) -> Iterator[tuple[str, int]]:
    """The modules *tree* needs, absolute, with their lines; relative ones resolved in *package*.

    ``from a import b`` yields ``a`` and ``a.b`` (which may be a module or a name in ``a``).
    Unless *everywhere*, imports the code does without are skipped (see :func:`verify_package`).
    """
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, package)
            if base:
                yield base, node.lineno
                yield from (
                    (f"{base}.{alias.name}", node.lineno)
                    for alias in node.names
                    if alias.name != "*"
                )
        elif not everywhere and isinstance(node, ast.Try | ast.TryStar):
            if any(_catches_import_error(h.type) for h in node.handlers):
                stack += [*node.orelse, *node.finalbody, *node.handlers]
                continue
        elif (
            not everywhere and isinstance(node, ast.If) and _never_on_lambda(node.test)
        ):
            stack += node.orelse
            continue
        stack += ast.iter_child_nodes(node)


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    if node.level > len(parts):
        # Beyond the top-level package: Python refuses it (ImportError) when it runs.
        return ""
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _catches_import_error(handler: ast.expr | None) -> bool:
    if handler is None:
        return True
    names = handler.elts if isinstance(handler, ast.Tuple) else [handler]
    return any(
        (
            n.id
            if isinstance(n, ast.Name)
            else n.attr
            if isinstance(n, ast.Attribute)
            else ""
        )
        in _OPTIONAL
        for n in names
    )


def _never_on_lambda(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` and ``__name__ == "__main__"``: false when Lambda imports the module."""
    if isinstance(test, ast.Name | ast.Attribute):
        return (test.id if isinstance(test, ast.Name) else test.attr) == "TYPE_CHECKING"
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(
            isinstance(c, ast.Constant) and c.value == "__main__"
            for c in test.comparators
        )
    )


def _installed(root: Path) -> set[str]:
    """The top-level names the package's distributions installed (their RECORD lists them)."""
    names: set[str] = set()
    for record in root.glob("*.dist-info/RECORD"):
        for line in record.read_text(errors="replace").splitlines():
            top = line.partition(",")[0].partition("/")[0]
            names.add(top.partition(".")[0])
    return names


def _in_package(root: Path, top: str) -> bool:
    return (
        (root / top).is_dir()
        or (root / f"{top}.py").is_file()
        or (root / f"{top}.pyc").is_file()
        or any(root.glob(f"{top}.*.so"))
        or (root / f"{top}.so").is_file()
    )


def _module_file(root: Path, dotted: str) -> Path | None:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _app_modules(root: Path, imported: str) -> Iterator[tuple[str, Path]]:
    """The app's source files that importing *imported* runs: each package on the way, then it."""
    parts = imported.split(".")
    for end in range(1, len(parts) + 1):
        dotted = ".".join(parts[:end])
        path = _module_file(root, dotted)
        if path is not None:
            yield dotted, path
