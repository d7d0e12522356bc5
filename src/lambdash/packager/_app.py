"""The app's own code: which files of its directory go into the package."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

__all__ = ["app_files", "copy_app", "handler_found"]

# Never part of a deployment, wherever they are.
_ANYWHERE = frozenset(
    {
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".DS_Store",
    }
)
# Build outputs, the local virtualenv and the test suite, at the top of the code directory only:
# an app's own assets/dist/ may be what it serves.
_TOP_LEVEL = frozenset({".aws-sam", "dist", ".venv", "tests", ".idea", ".vscode"})


def app_files(code_dir: Path, *, exclude: Iterable[Path] = ()) -> list[Path]:
    """The files to package from *code_dir*, relative to it, sorted.

    Left out: caches and VCS directories anywhere, ``.aws-sam``, ``dist``, ``.venv`` and
    ``tests`` at the top, any directory holding a ``pyvenv.cfg`` (a virtualenv by any name),
    ``*.pyc``, and the *exclude* paths (the build output, local packages installed as wheels).
    """
    skipped = {path.resolve() for path in exclude}
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(code_dir):
        here = Path(directory)
        top = here == code_dir
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in _ANYWHERE
            and not (top and name in _TOP_LEVEL)
            and (here / name).resolve() not in skipped
            and not (here / name / "pyvenv.cfg").exists()
        )
        found.extend(
            (here / name).relative_to(code_dir)
            for name in filenames
            if name not in _ANYWHERE
            and not name.endswith(".pyc")
            and (here / name).resolve() not in skipped
        )
    return sorted(found)


def copy_app(code_dir: Path, files: Iterable[Path], destination: Path) -> list[str]:
    """Copy *files* (relative to *code_dir*) into *destination*, over installed packages.

    :returns: the top-level names of the app that replace or merge with an installed package's.
    """
    files = list(files)
    shadowed = sorted(
        {f.parts[0] for f in files if (destination / f.parts[0]).exists()}
    )
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(code_dir / relative, target)
        shutil.copymode(code_dir / relative, target)
    return shadowed


def handler_found(root: Path, handler: str) -> bool:
    """Whether the module of a ``Handler`` such as ``app.lambda_handler`` is in *root*."""
    module = handler.rpartition(".")[0]
    if not module:
        return False
    base = root.joinpath(*module.split("."))
    return (
        base.with_suffix(".py").is_file()
        or (base / "__init__.py").is_file()
        or any(base.parent.glob(f"{base.name}.*.so"))
    )
