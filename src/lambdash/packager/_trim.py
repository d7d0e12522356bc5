"""Leaving out what Lambda provides, and trimming only what the app can never load.

What is safe to trim, and what is not, was measured on a Dash app: ../shared/design/dash.md §5.4-5.5.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "LAMBDA_PROVIDED",
    "Trimmed",
    "chooses_react_version",
    "forget_local_paths",
    "imported_test_modules",
    "imports_setuptools",
    "remove_distributions",
    "trim",
    "uses_dash_dev_tools",
]

# The python runtimes include the AWS SDK: "The runtime includes the AWS SDK for Python (Boto3)"
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html), with botocore and s3transfer.
# Their dependencies (urllib3, python-dateutil, jmespath, six) stay: other packages use them, at
# versions of their own choosing.
LAMBDA_PROVIDED: tuple[str, ...] = ("boto3", "botocore", "s3transfer")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Trimmed:
    """What the trims removed: per rule, the number of files and their apparent size."""

    files: dict[str, int]
    sizes: dict[str, int]

    @property
    def total_files(self) -> int:
        """Files removed by all the rules."""
        return sum(self.files.values())

    @property
    def total_size(self) -> int:
        """Bytes removed by all the rules."""
        return sum(self.sizes.values())


def _dist_name(dist_info: Path) -> str:
    return re.sub(r"[-_.]+", "-", dist_info.name.split("-")[0]).lower()


def remove_distributions(root: Path, names: Iterable[str]) -> list[str]:
    """Delete the named distributions: the files their RECORD lists, and their dist-info.

    :returns: ``name version`` of each one removed.
    """
    wanted = set(names)
    removed: list[str] = []
    top = root.resolve()
    for dist_info in sorted(root.glob("*.dist-info")):
        if _dist_name(dist_info) not in wanted:
            continue
        emptied: set[Path] = set()
        for row in (dist_info / "RECORD").read_text().splitlines():
            path = (root / row.rsplit(",", 2)[0]).resolve()
            if path.is_file() and path.is_relative_to(top):
                path.unlink()
                emptied.add(path.parent)
        shutil.rmtree(dist_info, ignore_errors=True)
        _prune(emptied, top)
        removed.append(" ".join(dist_info.name.removesuffix(".dist-info").split("-")))
    return removed


def _prune(directories: set[Path], top: Path) -> None:
    """Remove the directories that are now empty, and their parents that become so."""
    for directory in sorted(directories, key=lambda p: -len(p.parts)):
        while directory != top and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent


def forget_local_paths(root: Path) -> None:
    """Drop each ``direct_url.json`` (PEP 610) that points to a file of this machine.

    pip writes one for packages installed from a local directory or wheel: a path that means
    nothing on Lambda, and a temporary one for local packages, which would make two builds of the
    same project differ.
    """
    for direct_url in sorted(root.glob("*.dist-info/direct_url.json")):
        if '"file:' not in direct_url.read_text():
            continue
        direct_url.unlink()
        record = direct_url.parent / "RECORD"
        name = f"{direct_url.parent.name}/direct_url.json,"
        rows = record.read_text().splitlines(keepends=True)
        record.write_text("".join(row for row in rows if not row.startswith(name)))


# Whole paths under the package root: console scripts and data files pip puts beside packages,
# Jupyter extensions, the FigureWidget bundle, the C headers of numpy, and setuptools (declared by
# dash, never imported by dash, plotly or flask at runtime: ../shared/design/dash.md §5.5).
_PATHS = {
    "bin": ("bin",),
    "share": ("share",),
    "plotly/labextension": ("plotly/labextension",),
    "plotly/package_data/widgetbundle.js": ("plotly/package_data/widgetbundle.js",),
    "numpy/_core/include": ("numpy/_core/include", "numpy/core/include"),
    # numpy.distutils builds extensions with setuptools, which goes with it.
    "setuptools": (
        "setuptools",
        "_distutils_hack",
        "distutils-precedence.pth",
        "numpy/distutils",
    ),
    # numpy's build tooling: the static libraries and pkg-config files for compiling against
    # numpy, PyInstaller's hook, the Cython examples and numpy's own pytest set-up. numpy/f2py
    # stays: numpy 2 lists it in numpy.__all__, so `from numpy import *` (numpy.matlib, sympy's
    # lambdify) imports it.
    "numpy build tooling": (
        "numpy/_core/lib",
        "numpy/core/lib",
        "numpy/random/lib",
        "numpy/random/_examples",
        "numpy/_pyinstaller",
        "numpy/conftest.py",
    ),
}
# Source maps are fetched only by a browser's devtools; Dash's pages never request them, and the
# map of a served script is never needed to run it. Only maps of scripts and styles are trimmed.
_SOURCE_MAP = re.compile(r"\.(m?js|css)\.map$")
# Files matched by a glob under the package root.
_GLOBS = {
    # Dash's development builds: the renderer's (7.7 MB), React's and prop-types' unminified
    # builds and dcc's prop-types checks. Dash serves them only with dev tools on
    # (dev_tools_serve_dev_bundles, dev_tools_props_check: dash.py _generate_scripts_html), and
    # those are off unless the app calls enable_dev_tools() (app.run(debug=True) does, but Lambda
    # never runs app.run) or DASH_SERVE_DEV_BUNDLES or DASH_PROPS_CHECK is set; then they stay,
    # see uses_dash_dev_tools. `lambdash serve` and `python app.py` run the app's own environment,
    # not this package, so debugging locally keeps working.
    "Dash dev bundles": (
        "dash/dash-renderer/build/dash_renderer.dev.js",
        "dash/dcc/proptypes.js",
        "dash/deps/react@*[0-9].js",
        "dash/deps/react-dom@*[0-9].js",
        "dash/deps/prop-types@*[0-9].js",
    ),
    # numpy's SIMD test module (3 MB): only numpy's own tests import it, and they are trimmed.
    "numpy/_core/_simd": ("numpy/_core/_simd.*", "numpy/core/_simd.*"),
    # numpy 2's C test modules (_multiarray_tests, _umath_tests, ...): imported by numpy's tests,
    # its conftest and PyInstaller hook, and numpy/testing/print_coercion_tables.py, a script.
    # numpy 1's numpy/core/ ones stay: numpy/core/umath_tests.py, which apps import, wraps one.
    "numpy test modules": ("numpy/_core/_*_tests.*",),
}
# React builds Dash ships but does not serve: it loads the version its _dash_renderer.py sets
# (18.3.1 in Dash 4.4) unless the REACT_VERSION variable or a _set_react_version() call picks
# one of the others; then they stay, see chooses_react_version.
_REACT_DEFAULT = re.compile(
    r'^\s+_set_react_version\("([\d.]+)", "([\d.]+)"\)\s*$', re.MULTILINE
)
_REACT_BUILD = re.compile(r"(react|react-dom)@([\d.]+)(?:\.min)?\.js")
# dash_table's demo page, its webpack test bundles and the chunk they share (commons.js, 3.8 MB).
# Dash serves a file of its own only when a component library registers it (dash/_validate.py
# validate_js_path), and dash_table registers only bundle.js and its async-*.js chunks. A file
# its __init__.py names stays, should a later version register it.
_DASH_TABLE = "dash/dash_table"
_DASH_TABLE_UNSERVED = re.compile(
    r"(commons|demo|runtime)\.js|index\.html|\w+\.\d+\.js(\.map)?"
)


def trim(
    root: Path,
    *,
    keep_setuptools: bool = False,
    keep_dash_dev_bundles: bool = False,
    keep_react_versions: bool = False,
) -> Trimmed:
    """Remove from the installed packages what no app loads on Lambda.

    Never removed: ``*.dist-info`` (Dash reads package metadata at import), ``plotly.min.js``, the
    ``async-*.js`` chunks, or anything of the app's own code (it is copied in afterwards).

    :param keep_setuptools: keep setuptools, which the app imports.
    :param keep_dash_dev_bundles: keep Dash's development builds, which the app's dev tools serve.
    :param keep_react_versions: keep every React version Dash ships, one of which the app picks.
    """
    files: dict[str, int] = {}
    sizes: dict[str, int] = {}

    def remove(rule: str, path: Path) -> None:
        count, size = _measure(path)
        files[rule] = files.get(rule, 0) + count
        sizes[rule] = sizes.get(rule, 0) + size
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()

    for rule, paths in _PATHS.items():
        if rule == "setuptools" and keep_setuptools:
            continue
        for relative in paths:
            if (root / relative).exists():
                remove(rule, root / relative)
    for rule, patterns in _GLOBS.items():
        if rule == "Dash dev bundles" and keep_dash_dev_bundles:
            continue
        for pattern in patterns:
            for path in sorted(root.glob(pattern)):
                remove(rule, path)
    for path in _dash_table_unserved(root / _DASH_TABLE):
        remove("dash_table demo and tests", path)
    if not keep_react_versions:
        for path in _unserved_react(root / "dash"):
            remove("other React versions", path)
    imported = imported_test_modules(root)
    for path in sorted(root.rglob("*")):
        if path.parts[len(root.parts)].endswith(".dist-info") or not path.exists():
            continue
        if path.is_dir() and path.name in _TEST_DIRS:
            kept = {f for f in imported if f.is_relative_to(path)}
            if not kept:
                remove("tests", path)
                continue
            # Code outside the tests imports some of their modules (numpy 2.2's numpy.testing
            # imports numpy._core.tests._natype): those stay, with their packages' __init__.py.
            inside = sorted(path.rglob("*"))
            for item in inside:
                if item.is_file() and item not in kept:
                    remove("tests", item)
            _prune({item for item in inside if item.is_dir()}, root)
        elif path.suffix == ".pyi":
            remove("*.pyi", path)
        elif path.suffix == ".pxd" and path.is_file():
            # Cython declaration files: only `cimport`, when compiling, reads them. (A .pyx
            # source stays: tracebacks through its compiled module show its lines.)
            remove("Cython declarations", path)
        elif _SOURCE_MAP.search(path.name):
            remove("source maps", path)
    return Trimmed(files=files, sizes=sizes)


_TEST_DIRS = ("tests", "test")
_TEST_WORD = re.compile(r"\btests?\b")
# Import statements: `from .x.y import a, b`, `from x.y import (a, b)`, `import x.y`.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w., \t]+)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)


def imported_test_modules(root: Path) -> set[Path]:
    """The files in ``tests``/``test`` directories that modules outside them import.

    Read from the import statements of every other module of the installed packages, so that
    the trim keeps what a package's own code needs (numpy 2.2's ``numpy.testing``, which
    ``from numpy import *`` loads, imports ``numpy._core.tests._natype``).
    """
    needed: set[Path] = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0].endswith(".dist-info") or any(
            part in _TEST_DIRS for part in relative.parts[:-1]
        ):
            continue
        text = path.read_text(errors="replace")
        if not _TEST_WORD.search(text):  # most modules never name a tests package
            continue
        for dots, name, names, plain in _IMPORT.findall(text):
            if plain:
                modules = [plain]
            else:
                package = relative.parent.parts
                if dots:
                    package = package[: len(package) - (len(dots) - 1)]
                    base = ".".join([*package, *([name] if name else [])])
                else:
                    base = name
                listed = [n.split()[0] for n in names.split(",") if n.split()]
                modules = [base, *(f"{base}.{n}" for n in listed)]
            for module in modules:
                needed |= _test_files(root, module.split("."))
    return needed


def _test_files(root: Path, parts: list[str]) -> set[Path]:
    """The files that importing the module *parts* loads from a tests directory, if it is in one."""
    for index, part in enumerate(parts):
        directory = root.joinpath(*parts[: index + 1])
        if part in _TEST_DIRS and directory.is_dir():
            files = {
                root.joinpath(*parts[:depth], "__init__.py")
                for depth in range(index + 1, len(parts) + 1)
            }
            files.add(root.joinpath(*parts).with_suffix(".py"))
            return {f for f in files if f.is_file()}
    return set()


def _dash_table_unserved(directory: Path) -> list[Path]:
    init = directory / "__init__.py"
    if not init.is_file():
        return []
    named = init.read_text(errors="replace")
    return [
        path
        for path in sorted(directory.iterdir())
        if path.is_file()
        and _DASH_TABLE_UNSERVED.fullmatch(path.name)
        and path.name not in named
    ]


def _unserved_react(dash: Path) -> list[Path]:
    renderer = dash / "_dash_renderer.py"
    found = (
        _REACT_DEFAULT.search(renderer.read_text(errors="replace"))
        if renderer.is_file()
        else None
    )
    if found is None:
        return []  # a Dash that chooses its React another way: trim nothing
    served = {("react", found[1]), ("react-dom", found[2])}
    unserved: list[Path] = []
    for path in sorted((dash / "deps").glob("react*@*.js")):
        build = _REACT_BUILD.fullmatch(path.name)
        if build is not None and (build[1], build[2]) not in served:
            unserved.append(path)
    return unserved


def _measure(path: Path) -> tuple[int, int]:
    if path.is_file():
        return 1, path.stat().st_size
    found = [p.stat().st_size for p in path.rglob("*") if p.is_file()]
    return len(found), sum(found)


_SETUPTOOLS_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+(?:setuptools|pkg_resources|_distutils_hack)\b",
    re.MULTILINE,
)


def imports_setuptools(files: Iterable[Path]) -> bool:
    """Whether any of the app's own files imports setuptools or pkg_resources (then it stays)."""
    return any(
        _SETUPTOOLS_IMPORT.search(path.read_text(errors="replace"))
        for path in files
        if path.suffix == ".py"
    )


# What turns on the dev tools that serve Dash's development builds (dash.py enable_dev_tools,
# _setup_dev_tools), in the app's code or in its template's environment variables.
_DASH_DEV_TOOLS = re.compile(
    r"\b(enable_dev_tools|dev_tools_serve_dev_bundles|dev_tools_props_check"
    r"|DASH_SERVE_DEV_BUNDLES|DASH_PROPS_CHECK)\b"
)


def _mentions(pattern: re.Pattern[str], files: Iterable[Path]) -> bool:
    return any(
        pattern.search(path.read_text(errors="replace"))
        for path in files
        if path.suffix in (".py", ".yaml", ".yml", ".json") and path.is_file()
    )


def uses_dash_dev_tools(files: Iterable[Path]) -> bool:
    """Whether any of *files* (the app's Python files and its template) turns on Dash's dev tools."""
    return _mentions(_DASH_DEV_TOOLS, files)


# What picks another React version than Dash's default (dash/_dash_renderer.py).
_REACT_CHOICE = re.compile(r"\b(REACT_VERSION|_set_react_version)\b")


def chooses_react_version(files: Iterable[Path]) -> bool:
    """Whether any of *files* (the app's Python files and its template) picks a React version."""
    return _mentions(_REACT_CHOICE, files)
