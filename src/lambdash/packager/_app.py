"""The app's own code: which files of its directory go into the package."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lambdash._command import CommandError

__all__ = ["AppFiles", "app_files", "copy_app", "handler_found"]

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


@dataclass(frozen=True, kw_only=True, slots=True)
class AppFiles:
    """What :func:`app_files` found in the code directory, relative to it and sorted."""

    files: list[Path]
    #: Symbolic links to nothing, left out.
    broken_links: list[Path]
    #: Directories a symbolic link leads back into from below, left out there.
    loops: list[Path]
    #: Named pipes, sockets and devices, left out: they have no contents to ship.
    special: list[Path]


def app_files(code_dir: Path, *, exclude: Iterable[Path] = ()) -> AppFiles:
    """The files to package from *code_dir*.

    Left out: caches and VCS directories anywhere, ``.aws-sam``, ``dist``, ``.venv`` and
    ``tests`` at the top, any directory holding a ``pyvenv.cfg`` (a virtualenv by any name),
    ``*.pyc``, and the *exclude* paths (the build output, local packages installed as wheels).
    Symbolic links are followed, to files and to directories, as ``sam build`` follows them
    (aws-lambda-builders ``utils.copytree`` tests ``os.path.isdir`` and copies with
    ``shutil.copy2``), so a linked ``shared/`` ships its files.
    """
    skipped = {path.resolve() for path in exclude}
    found: list[Path] = []
    broken_links: list[Path] = []
    loops: list[Path] = []
    special: list[Path] = []
    # The real paths of the directories on the way down to each one walked: a link back to one
    # of them would make the walk endless.
    chains = {code_dir: frozenset({code_dir.resolve()})}
    for directory, dirnames, filenames in os.walk(code_dir, followlinks=True):
        here = Path(directory)
        top = here == code_dir
        chain = chains.pop(here)
        kept: list[str] = []
        for name in sorted(dirnames):
            real = (here / name).resolve()
            if (
                name in _ANYWHERE
                or (top and name in _TOP_LEVEL)
                or real in skipped
                or (here / name / "pyvenv.cfg").exists()
            ):
                continue
            if real in chain:
                loops.append((here / name).relative_to(code_dir))
                continue
            chains[here / name] = chain | {real}
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            path = here / name
            if name in _ANYWHERE or name.endswith(".pyc") or path.resolve() in skipped:
                continue
            relative = path.relative_to(code_dir)
            # The whole relative path: a directory's name can be the one that is not UTF-8.
            if not relative.as_posix().isascii():
                _check_utf8(relative, code_dir)
            # A link to nothing (an editor's lock file, say) has no bytes to ship, and neither
            # has a named pipe or a socket (a dev server's, say), which shutil.copyfile refuses
            # with SpecialFileError or ENXIO; a device could be read without end.
            try:
                mode = path.stat().st_mode
            except FileNotFoundError:
                broken_links.append(relative)
                continue
            (found if stat.S_ISREG(mode) else special).append(relative)
    return AppFiles(
        files=sorted(found),
        broken_links=sorted(broken_links),
        loops=sorted(loops),
        special=sorted(special),
    )


def _check_utf8(relative: Path, code_dir: Path) -> None:
    # A name that is not UTF-8 reaches Python with surrogate escapes (PEP 383); the zip stores
    # names as UTF-8 (APPNOTE.TXT §4.4.4 bit 11), and neither it nor an import could use it.
    try:
        relative.as_posix().encode("utf-8")
    except UnicodeEncodeError:
        msg = f"the file name {os.fsencode(relative)!r} in {code_dir} is not UTF-8, which a zip needs"
        raise CommandError(
            msg, hint="rename the file, or move it out of the code directory"
        ) from None


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
