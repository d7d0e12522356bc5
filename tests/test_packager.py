"""``lambdash build``: the package pieces one by one, then real builds with real pip.

The tests in ``TestHeavyBuilds`` run pip against PyPI (a session-wide pip cache under tmp avoids
downloading twice) and take about two minutes together; ``-k "not Heavy"`` skips them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import io
import json
import marshal
import os
import platform
import re
import shutil
import socket
import stat
import subprocess
import sys
import types
import zipfile
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest

import lambdash
import lambdash.packager._zip
from lambdash._command import CommandError
from lambdash.cli import main
from lambdash.packager import UNZIPPED_LIMIT
from lambdash.packager import ZIPPED_LIMIT
from lambdash.packager import BuildReport
from lambdash.packager import PackageSize
from lambdash.packager import SubprocessPip
from lambdash.packager import Verification
from lambdash.packager import build
from lambdash.packager import format_report
from lambdash.packager import make_target
from lambdash.packager import verify_package
from lambdash.packager._app import AppFiles
from lambdash.packager._app import app_files
from lambdash.packager._app import handler_found
from lambdash.packager._bytecode import Compiled
from lambdash.packager._bytecode import Interpreter
from lambdash.packager._bytecode import compile_package
from lambdash.packager._bytecode import find_python
from lambdash.packager._command import ConsoleProgress
from lambdash.packager._imports import Imports
from lambdash.packager._imports import find_imports
from lambdash.packager._pip import PipResult
from lambdash.packager._pip import install_failure
from lambdash.packager._pip import not_on_index
from lambdash.packager._pip import summarize
from lambdash.packager._report import Bytecode
from lambdash.packager._report import Sources
from lambdash.packager._report import limit_warnings
from lambdash.packager._requirements import LocalProject
from lambdash.packager._requirements import Requirements
from lambdash.packager._requirements import names_distribution
from lambdash.packager._requirements import read_pyproject
from lambdash.packager._requirements import read_requirements
from lambdash.packager._samtemplate import build_template
from lambdash.packager._samtemplate import function_architecture
from lambdash.packager._sources import Dropped
from lambdash.packager._sources import drop_sources
from lambdash.packager._strip import find_strip
from lambdash.packager._trim import Trimmed
from lambdash.packager._trim import chooses_react_version
from lambdash.packager._trim import forget_local_paths
from lambdash.packager._trim import remove_distributions
from lambdash.packager._trim import trim
from lambdash.packager._trim import uses_dash_dev_tools
from lambdash.packager._verify import requirement_for
from lambdash.packager._wheels import write_self_wheel
from lambdash.packager._zip import sam_zipped_size
from lambdash.packager._zip import write_zip
from tests.events import rest_event

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "dash_app"
SUPPORT_APP = Path(__file__).parent / "projects" / "support_lib_app"
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
# The runtime of this interpreter: its packages can be imported here, as Lambda would.
RUNTIME = f"python{VERSION}"
TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
# PEP 552: the flags word after the magic number; 0b01 is hash-based and unchecked.
UNCHECKED_HASH = (1).to_bytes(4, "little")

APP_TEMPLATE = """\
Resources:
  Function:
    Type: AWS::Serverless::Function
    Properties:
      Handler: {handler}
      Runtime: {runtime}
{extra}      Events:
        Proxy:
          Type: Api
          Properties: {{Path: "/{{proxy+}}", Method: ANY}}
"""


def make_project(
    path: Path,
    *,
    handler: str = "app.lambda_handler",
    runtime: str = RUNTIME,
    extra: str = "",
    requirements: str | None = None,
) -> Path:
    """A small app: app.py, a template, and optionally a requirements.txt."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "app.py").write_text(
        "def lambda_handler(event, context):\n    return {'statusCode': 200}\n"
    )
    (path / "template.yaml").write_text(
        APP_TEMPLATE.format(handler=handler, runtime=runtime, extra=extra)
    )
    if requirements is not None:
        (path / "requirements.txt").write_text(requirements)
    return path


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_public_names_load_on_first_use() -> None:
    import lambdash.packager as packager

    assert dir(packager) == sorted(packager.__all__)
    assert packager.__all__ == sorted(
        packager.__all__, key=lambda n: (not n.isupper(), n)
    )
    assert [
        getattr(packager, name).__module__
        for name in ("build", "BuildReport", "verify_package")
    ] == [
        "lambdash.packager._build",
        "lambdash.packager._report",
        "lambdash.packager._verify",
    ]
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = packager.nope


# ---------------------------------------------------------------------------------------------
# Targets and platform tags


def test_platform_tags_python311_x86_64_stop_at_glibc_226() -> None:
    tags = make_target("python3.11", "x86_64").platform_tags()
    expected = []
    for minor in range(26, 4, -1):
        expected.append(f"manylinux_2_{minor}_x86_64")
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}.get(minor)
        if legacy:
            expected.append(f"{legacy}_x86_64")
    assert tags == tuple(expected)


def test_platform_tags_python312_arm64_start_at_glibc_234_and_manylinux2014() -> None:
    tags = make_target("python3.12", "arm64").platform_tags()
    assert tags == (
        *(f"manylinux_2_{minor}_aarch64" for minor in range(34, 16, -1)),
        "manylinux2014_aarch64",
    )


def test_target_describes_itself() -> None:
    target = make_target("python3.13", "arm64")
    assert (target.python_version, target.machine, target.glibc, target.describe()) == (
        "3.13",
        "aarch64",
        (2, 34),
        "python3.13 on arm64 (cp313, manylinux up to glibc 2.34)",
    )


@pytest.mark.parametrize(
    ("runtime", "arch", "message", "hint"),
    [
        pytest.param(
            "python3.9",
            "x86_64",
            "unknown runtime 'python3.9'; lambdash builds for python3.10, python3.11, "
            "python3.12, python3.13, python3.14",
            "pass --runtime python3.13, or fix the template's Runtime",
            id="runtime",
        ),
        pytest.param(
            "python3.12",
            "aarch64",
            "unknown architecture 'aarch64'; Lambda offers x86_64 and arm64",
            "pass --arch x86_64 or --arch arm64",
            id="arch",
        ),
    ],
)
def test_make_target_rejects_what_lambda_does_not_offer(
    runtime: str, arch: str, message: str, hint: str
) -> None:
    with pytest.raises(CommandError) as caught:
        make_target(runtime, arch)
    assert (str(caught.value), caught.value.hint) == (message, hint)


# ---------------------------------------------------------------------------------------------
# Requirements


def test_requirements_file_splits_out_local_packages(tmp_path: Path) -> None:
    (tmp_path / "libs" / "support_lib_dir").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "wheels").mkdir()
    wheel = tmp_path / "wheels" / "w-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    (tmp_path / "s-1.0.tar.gz").write_bytes(b"")
    app = tmp_path / "app"
    app.mkdir()
    (app / "base.txt").write_text("flask==3.1.3\n-r requirements.txt\n")
    (app / "requirements.txt").write_text(
        "# the app's requirements\n"
        "dash[compress]==4.4.1  # pinned\n"
        "-r base.txt\n"
        "-c constraints.txt\n"
        "--find-links ../wheels\n"
        "--extra-index-url https://example.invalid/simple\n"
        "-f https://example.invalid/links\n"
        "../libs/support_lib_dir[extra]\n"
        "-e ../other\n"
        "-e git+https://example.invalid/x.git#egg=x\n"
        "support @ file:../s-1.0.tar.gz\n"
        "file:../libs/support_lib_dir ; python_version >= '3.11'\n"
        "w @ file:../wheels/w-1.0-py3-none-any.whl\n"
        "requests \\\n"
        "  >=2\n"
        "https://example.invalid/pkg-1.0-py3-none-any.whl\n"
    )
    source = app / "requirements.txt"
    assert read_requirements(source) == Requirements(
        source=source,
        lines=(
            "dash[compress]==4.4.1",
            "flask==3.1.3",
            f"-c {(app / 'constraints.txt').resolve()}",
            f"--find-links {(tmp_path / 'wheels').resolve()}",
            "--extra-index-url https://example.invalid/simple",
            "-f https://example.invalid/links",
            "--editable git+https://example.invalid/x.git#egg=x",
            str(wheel.resolve()),
            "requests   >=2",
            "https://example.invalid/pkg-1.0-py3-none-any.whl",
        ),
        local=(
            LocalProject(
                path=(tmp_path / "libs" / "support_lib_dir").resolve(),
                extras="[extra]",
                origin=f"{source}:8",
            ),
            LocalProject(
                path=(tmp_path / "other").resolve(), extras="", origin=f"{source}:9"
            ),
            LocalProject(
                path=(tmp_path / "s-1.0.tar.gz").resolve(),
                extras="",
                origin=f"{source}:11",
            ),
            LocalProject(
                path=(tmp_path / "libs" / "support_lib_dir").resolve(),
                extras="",
                origin=f"{source}:12",
            ),
        ),
    )


def test_pyproject_dependencies_with_file_references_and_uv_sources(
    tmp_path: Path,
) -> None:
    for name in ("libs/support_lib_dir", "other", "third"):
        (tmp_path / name).mkdir(parents=True)
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        "[project]\n"
        'name = "app"\n'
        "dependencies = [\n"
        '  "dash==4.4.1",\n'
        '  "support-lib[x] @ file:///${PROJECT_ROOT}/../libs/support_lib_dir",\n'
        '  "Other_Lib[y]>=1",\n'
        '  "third @ {root:uri}/../third",\n'
        "]\n"
        "[tool.uv.sources]\n"
        'other-lib = { path = "../other" }\n'
        'unrelated = { git = "https://example.invalid/x.git" }\n'
    )
    source = app / "pyproject.toml"
    assert read_pyproject(source) == Requirements(
        source=source,
        lines=("dash==4.4.1",),
        local=(
            LocalProject(
                path=(tmp_path / "libs" / "support_lib_dir").resolve(),
                extras="[x]",
                origin=f"{source} dependency 2",
            ),
            LocalProject(
                path=(tmp_path / "other").resolve(),
                extras="[y]",
                origin=f"{source} dependency 3",
            ),
            LocalProject(
                path=(tmp_path / "third").resolve(),
                extras="",
                origin=f"{source} dependency 4",
            ),
        ),
    )


def test_requirements_errors_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r missing.txt\n")
    (tmp_path / "local.txt").write_text("\n./nowhere\n")
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(CommandError) as missing_file:
        read_requirements(tmp_path / "requirements.txt")
    with pytest.raises(CommandError) as missing_dir:
        read_requirements(tmp_path / "local.txt")
    with pytest.raises(CommandError) as bad_toml:
        read_pyproject(tmp_path / "pyproject.toml")
    assert [
        str(missing_file.value),
        str(missing_dir.value),
        missing_dir.value.hint,
    ] == [
        f"cannot read the requirements file {str(tmp_path / 'missing.txt')!r} "
        f"(included from {tmp_path / 'requirements.txt'}): No such file or directory",
        f"the local package {str(tmp_path / 'nowhere')!r} ({tmp_path / 'local.txt'}:2) "
        "does not exist",
        "fix the path; it is relative to the file that names it",
    ]
    assert str(bad_toml.value).startswith(
        f"cannot read {str(tmp_path / 'pyproject.toml')!r}: "
    )


# ---------------------------------------------------------------------------------------------
# pip's output


NO_WHEEL = """\
Collecting pydantic==2.14.4
  Downloading pydantic-2.14.4-py3-none-any.whl (494 kB)
ERROR: Could not find a version that satisfies the requirement pydantic-core==2.50.5 (from pydantic) (from versions: 0.0.1)
ERROR: No matching distribution found for pydantic-core==2.50.5 (from pydantic)
"""

RESOLUTION_IMPOSSIBLE = """\
ERROR: Cannot install pydantic because these package versions have conflicting dependencies.

The conflict is caused by:
    pydantic 2.14.4 depends on pydantic-core==2.50.5
    pydantic 2.14.3 depends on pydantic-core==2.50.4

Additionally, some packages in these conflicts have no matching distributions available for your environment:
    pydantic-core
    zstd-ext

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip to attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
"""

CONFLICT = """\
ERROR: Cannot install a==1 and b==2 because these package versions have conflicting dependencies.
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
"""

PYTHON_VERSION = """\
ERROR: Ignored the following versions that require a different python version: 0.1.0 Requires-Python >=3.11
ERROR: Could not find a version that satisfies the requirement lambdash (from versions: none)
ERROR: No matching distribution found for lambdash
"""


@pytest.mark.parametrize(
    ("output", "message", "hint"),
    [
        pytest.param(
            NO_WHEEL,
            "no wheel of 'pydantic-core==2.50.5' (needed by pydantic) fits python3.12 on "
            "x86_64 (cp312, manylinux up to glibc 2.34)",
            "pin a version of pydantic-core that has wheels for python3.12 on x86_64 (see "
            "https://pypi.org/project/pydantic-core/#files), or build the wheel on Linux (a "
            "container or CI) and list the .whl file in requirements.txt",
            id="no-matching-distribution",
        ),
        pytest.param(
            RESOLUTION_IMPOSSIBLE,
            "no wheel of 'pydantic-core', 'zstd-ext' fits python3.12 on x86_64 (cp312, "
            "manylinux up to glibc 2.34)",
            "pin a version of pydantic-core and zstd-ext that has wheels for python3.12 on "
            "x86_64 (see https://pypi.org/project/pydantic-core/#files), or build the wheel on "
            "Linux (a container or CI) and list the .whl file in requirements.txt",
            id="resolution-impossible-unavailable",
        ),
        pytest.param(
            CONFLICT,
            "pip cannot resolve the requirements for python3.12 on x86_64 (cp312, manylinux up "
            "to glibc 2.34): they conflict",
            "loosen the conflicting pins pip lists above",
            id="conflict",
        ),
        pytest.param(
            PYTHON_VERSION,
            "no wheel of 'lambdash' fits python3.12 on x86_64 (cp312, manylinux up to glibc 2.34)",
            "pin a version of lambdash that has wheels for python3.12 on x86_64 (see "
            "https://pypi.org/project/lambdash/#files), or build the wheel on Linux (a "
            "container or CI) and list the .whl file in requirements.txt; pip skipped versions "
            "whose Requires-Python excludes 3.12",
            id="requires-python",
        ),
        pytest.param(
            "ERROR: You must give at least one requirement to install\n",
            "pip install failed with exit code 1",
            "read pip's output above; run again with -v for a traceback",
            id="other",
        ),
    ],
)
def test_install_failure_names_what_has_no_wheel(
    output: str, message: str, hint: str
) -> None:
    result = PipResult(command=("pip",), returncode=1, output=output)
    error = install_failure(result, make_target("python3.12", "x86_64"))
    assert (str(error), error.hint) == (message, hint)


def test_summarize_counts_where_distributions_came_from() -> None:
    output = (
        "Collecting dash\n  Downloading dash-4.4.1-py3-none-any.whl (8 MB)\n"
        "Collecting flask\n  Using cached flask-3.1.3-py3-none-any.whl\n"
        "Processing /opt/wheels/idna-3.20-py3-none-any.whl\n"
        "Successfully installed dash-4.4.1 flask-3.1.3 idna-3.20\n"
    )
    assert summarize(output) == (
        "installed 3 distributions (1 downloaded, 1 from pip's cache, 1 from local files)"
    )
    assert summarize("") == "installed 0 distributions"


# ---------------------------------------------------------------------------------------------
# Trimming, leaving out, copying


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def tree(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
    )


TRIMMABLE = {
    "pkg/__init__.py": "",
    "pkg/tests/test_x.py": "12345",
    "pkg/sub/test/x.py": "1",
    "pkg/mod.pyi": "12",
    "pkg/testing/helpers.py": "",
    "pkg/static/app.js": "",
    "pkg/static/app.js.map": "123",
    "pkg/static/style.css.map": "1",
    "pkg/static/world.map": "not a source map",
    "pkg-1.0.dist-info/METADATA": "",
    "pkg-1.0.dist-info/tests/kept": "",
    "bin/flask": "#!python",
    "share/jupyter/ext.js": "1234",
    "plotly/labextension/x.js": "1",
    "plotly/package_data/widgetbundle.js": "12",
    "plotly/package_data/plotly.min.js": "",
    "dash/dcc/async-graph.js": "",
    "setuptools/__init__.py": "123",
    "_distutils_hack/__init__.py": "",
    "distutils-precedence.pth": "",
    "numpy/_core/include/numpy/x.h": "1",
    "numpy/__init__.py": "",
    "numpy/_core/_simd.cpython-311-x86_64-linux-gnu.so": "123",
    "numpy/_core/_umath_tests.cpython-311-x86_64-linux-gnu.so": "1",
    "numpy/_core/_multiarray_tests.cpython-311-x86_64-linux-gnu.so": "12",
    "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so": "",
    "numpy/core/_umath_tests.cpython-311-x86_64-linux-gnu.so": "",
    # numpy's build tooling goes; numpy.testing and numpy.f2py, which apps may import, stay.
    "numpy/distutils/__init__.py": "1",
    "numpy/f2py/__init__.py": "12",
    "numpy/_core/lib/libnpymath.a": "123",
    "numpy/random/lib/libnpyrandom.a": "1",
    "numpy/random/_examples/cython/extending.pyx": "1",
    "numpy/_pyinstaller/hook-numpy.py": "1",
    "numpy/conftest.py": "12",
    "numpy/testing/__init__.py": "",
    "numpy/__init__.pxd": "123",
    "pkg/speedups.pyx": "12",
    "pkg/speedups.c": "",
    # Dash's development builds, and the production ones that stay.
    "dash/dash-renderer/build/dash_renderer.dev.js": "1234567",
    "dash/dash-renderer/build/dash_renderer.min.js": "",
    "dash/dcc/proptypes.js": "1",
    "dash/dcc/dash_core_components.js": "",
    "dash/deps/react@18.3.1.js": "12",
    "dash/deps/react@18.3.1.min.js": "",
    "dash/deps/react-dom@16.14.0.js": "123",
    "dash/deps/react-dom@16.14.0.min.js": "",
    "dash/deps/prop-types@15.8.1.js": "1",
    "dash/deps/prop-types@15.8.1.min.js": "",
    "dash/deps/polyfill@7.12.1.min.js": "",
    # The React version Dash serves stays; the others it ships go.
    "dash/_dash_renderer.py": 'else:\n    _set_react_version("18.3.1", "18.3.1")\n',
    "dash/deps/react-dom@18.3.1.min.js": "",
    "dash/deps/react@18.2.0.min.js": "1234",
    # dash_table: what it registers stays, its demo and test bundles go, unless it names them.
    "dash/dash_table/__init__.py": '_js_dist = ["bundle.js", "async-table.js", "runtime.js"]',
    "dash/dash_table/bundle.js": "",
    "dash/dash_table/async-table.js": "",
    "dash/dash_table/async-table.js.LICENSE.txt": "",
    "dash/dash_table/runtime.js": "",
    "dash/dash_table/package-info.json": "",
    "dash/dash_table/commons.js": "12345",
    "dash/dash_table/demo.js": "12",
    "dash/dash_table/index.html": "1",
    "dash/dash_table/sorting_test.2769206697.js": "1",
    "dash/dash_table/exportUtils_tests.2912917026.js.map": "1",
}
KEPT = [
    "dash/_dash_renderer.py",
    "dash/dash-renderer/build/dash_renderer.min.js",
    "dash/dash_table/__init__.py",
    "dash/dash_table/async-table.js",
    "dash/dash_table/async-table.js.LICENSE.txt",
    "dash/dash_table/bundle.js",
    "dash/dash_table/package-info.json",
    "dash/dash_table/runtime.js",
    "dash/dcc/async-graph.js",
    "dash/dcc/dash_core_components.js",
    "dash/deps/polyfill@7.12.1.min.js",
    "dash/deps/prop-types@15.8.1.min.js",
    "dash/deps/react-dom@18.3.1.min.js",
    "dash/deps/react@18.3.1.min.js",
    "numpy/__init__.py",
    "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
    "numpy/core/_umath_tests.cpython-311-x86_64-linux-gnu.so",
    "numpy/f2py/__init__.py",
    "numpy/testing/__init__.py",
    "pkg-1.0.dist-info/METADATA",
    "pkg-1.0.dist-info/tests/kept",
    "pkg/__init__.py",
    "pkg/speedups.c",
    "pkg/speedups.pyx",
    "pkg/static/app.js",
    "pkg/static/world.map",
    "pkg/testing/helpers.py",
    "plotly/package_data/plotly.min.js",
]
DEV_BUNDLES = [
    "dash/dash-renderer/build/dash_renderer.dev.js",
    "dash/dcc/proptypes.js",
    "dash/deps/prop-types@15.8.1.js",
    "dash/deps/react-dom@16.14.0.js",
    "dash/deps/react@18.3.1.js",
]


def test_trim_removes_only_what_no_app_loads(tmp_path: Path) -> None:
    write_tree(tmp_path, TRIMMABLE)
    trimmed = trim(tmp_path)
    assert tree(tmp_path) == KEPT
    assert trimmed == Trimmed(
        files={
            "bin": 1,
            "share": 1,
            "plotly/labextension": 1,
            "plotly/package_data/widgetbundle.js": 1,
            "numpy/_core/include": 1,
            "setuptools": 4,
            "numpy build tooling": 5,
            "Dash dev bundles": 5,
            "numpy/_core/_simd": 1,
            "numpy test modules": 2,
            "dash_table demo and tests": 5,
            "other React versions": 2,
            "tests": 2,
            "*.pyi": 1,
            "Cython declarations": 1,
            "source maps": 2,
        },
        sizes={
            "bin": 8,
            "share": 4,
            "plotly/labextension": 1,
            "plotly/package_data/widgetbundle.js": 2,
            "numpy/_core/include": 1,
            "setuptools": 4,
            "numpy build tooling": 8,
            "Dash dev bundles": 14,
            "numpy/_core/_simd": 3,
            "numpy test modules": 3,
            "dash_table demo and tests": 10,
            "other React versions": 4,
            "tests": 6,
            "*.pyi": 2,
            "Cython declarations": 3,
            "source maps": 4,
        },
    )
    assert (trimmed.total_files, trimmed.total_size) == (35, 77)


def test_trim_keeps_the_test_modules_other_code_imports(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            # numpy 2.2: numpy.testing, which `from numpy import *` loads, needs one of them.
            "numpy/testing/_private/utils.py": "from numpy._core.tests._natype import pd_NA\n",
            "numpy/_core/tests/__init__.py": "",
            "numpy/_core/tests/_natype.py": "pd_NA = None\n",
            "numpy/_core/tests/test_umath.py": "12",
            "numpy/_core/tests/data/umath.csv": "1",
            # A relative import of a module in a tests package, and a plain import of one.
            "pkg/suite.py": "from .tests import (helpers,\n    other)\nimport lib.tests\n",
            "pkg/tests/__init__.py": "",
            "pkg/tests/helpers.py": "",
            "pkg/tests/test_pkg.py": "123",
            "lib/tests/__init__.py": "",
            "lib/tests/test_lib.py": "1",
            # Imports inside tests keep nothing, and a module named test is not a directory.
            "solo/tests/test_a.py": "from solo.tests.test_b import x\n",
            "solo/tests/test_b.py": "",
            "werkzeug/test.py": "",
            "werkzeug/wrappers.py": "from .test import Client\n",
        },
    )
    trimmed = trim(tmp_path)
    assert tree(tmp_path) == [
        "lib/tests/__init__.py",
        "numpy/_core/tests/__init__.py",
        "numpy/_core/tests/_natype.py",
        "numpy/testing/_private/utils.py",
        "pkg/suite.py",
        "pkg/tests/__init__.py",
        "pkg/tests/helpers.py",
        "werkzeug/test.py",
        "werkzeug/wrappers.py",
    ]
    assert trimmed == Trimmed(files={"tests": 6}, sizes={"tests": 39})


def test_trim_keeps_what_the_app_uses(tmp_path: Path) -> None:
    write_tree(tmp_path, TRIMMABLE)
    trim(
        tmp_path,
        keep_setuptools=True,
        keep_dash_dev_bundles=True,
        keep_react_versions=True,
    )
    assert sorted(
        [
            *KEPT,
            *DEV_BUNDLES,
            "dash/deps/react-dom@16.14.0.min.js",
            "dash/deps/react@18.2.0.min.js",
            "setuptools/__init__.py",
            "_distutils_hack/__init__.py",
            "distutils-precedence.pth",
            "numpy/distutils/__init__.py",
        ]
    ) == tree(tmp_path)


DEV_TOOLS = uses_dash_dev_tools
REACT = chooses_react_version


@pytest.mark.parametrize(
    ("detect", "name", "text", "found"),
    [
        pytest.param(
            DEV_TOOLS, "app.py", "app.enable_dev_tools(debug=True)\n", True, id="call"
        ),
        pytest.param(
            DEV_TOOLS,
            "app.py",
            "app.run(dev_tools_props_check=True)\n",
            True,
            id="props-check",
        ),
        pytest.param(
            DEV_TOOLS,
            "template.yaml",
            "Variables:\n  DASH_SERVE_DEV_BUNDLES: 'true'\n",
            True,
            id="template-variable",
        ),
        pytest.param(
            DEV_TOOLS,
            "app.py",
            'if __name__ == "__main__":\n    app.run(debug=True)\n',
            False,
            id="run-debug-is-not-on-lambda",
        ),
        pytest.param(DEV_TOOLS, "notes.txt", "enable_dev_tools", False, id="not-code"),
        pytest.param(
            DEV_TOOLS,
            "app.py",
            "my_enable_dev_tools_flag = 1\n",
            False,
            id="other-name",
        ),
        pytest.param(
            REACT,
            "app.py",
            "from dash import _dash_renderer\n_dash_renderer._set_react_version('16.14.0')\n",
            True,
            id="react-call",
        ),
        pytest.param(
            REACT,
            "template.yaml",
            "Variables:\n  REACT_VERSION: 18.2.0\n",
            True,
            id="react-template-variable",
        ),
        pytest.param(REACT, "notes.txt", "REACT_VERSION", False, id="react-not-code"),
        pytest.param(
            REACT, "app.py", "MY_REACT_VERSIONS = 1\n", False, id="react-other-name"
        ),
    ],
)
def test_what_the_app_turns_on_keeps_files(
    tmp_path: Path,
    detect: Callable[[list[Path]], bool],
    name: str,
    text: str,
    found: bool,
) -> None:
    (tmp_path / name).write_text(text)
    assert detect([tmp_path / name, tmp_path / "missing.py"]) is found


def test_an_unknown_react_default_trims_no_react_build(tmp_path: Path) -> None:
    files = {
        "dash/_dash_renderer.py": "_set_react_version(pick_one())\n",
        "dash/deps/react@16.14.0.min.js": "",
        "dash/deps/react@18.3.1.min.js": "",
    }
    write_tree(tmp_path, files)
    assert trim(tmp_path).total_files == 0
    assert tree(tmp_path) == sorted(files)


def test_remove_distributions_deletes_their_files_and_metadata(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "boto3/__init__.py": "",
            "boto3/data/x.json": "",
            "boto3-1.44.8.dist-info/METADATA": "",
            "boto3-1.44.8.dist-info/RECORD": "boto3/__init__.py,sha256=x,0\n"
            "boto3/data/x.json,sha256=x,0\n../../bin/boto,,\n"
            "boto3-1.44.8.dist-info/METADATA,,\nboto3-1.44.8.dist-info/RECORD,,\n",
            "urllib3/__init__.py": "",
            "urllib3-2.8.0.dist-info/RECORD": "urllib3/__init__.py,,\n",
        },
    )
    removed = remove_distributions(tmp_path, ["boto3", "botocore"])
    assert (removed, tree(tmp_path)) == (
        ["boto3 1.44.8"],
        ["urllib3-2.8.0.dist-info/RECORD", "urllib3/__init__.py"],
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "urllib3",
        "urllib3-2.8.0.dist-info",
    ]


def test_forget_local_paths_drops_direct_url_json_of_local_files(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "a-1.dist-info/direct_url.json": '{"url": "file:///tmp/x/a-1-py3-none-any.whl"}',
            "a-1.dist-info/RECORD": "a/__init__.py,,\na-1.dist-info/direct_url.json,sha256=x,1\n",
            "b-1.dist-info/direct_url.json": '{"url": "https://example.invalid/b.whl"}',
            "b-1.dist-info/RECORD": "b-1.dist-info/direct_url.json,,\n",
        },
    )
    forget_local_paths(tmp_path)
    assert tree(tmp_path) == [
        "a-1.dist-info/RECORD",
        "b-1.dist-info/RECORD",
        "b-1.dist-info/direct_url.json",
    ]
    assert (tmp_path / "a-1.dist-info/RECORD").read_text() == "a/__init__.py,,\n"


def test_app_files_leave_out_builds_caches_virtualenvs_and_tests(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "",
            "app.pyc": "",
            "assets/dist/bundle.js": "",
            "assets/__pycache__/x.pyc": "",
            "dist/app.zip": "",
            ".aws-sam/build/template.yaml": "",
            ".venv/pyvenv.cfg": "",
            "env/pyvenv.cfg": "",
            "env/lib/x.py": "",
            ".git/HEAD": "",
            "tests/test_app.py": "",
            "pkg/tests/data.txt": "",
            "support_lib_dir/pyproject.toml": "",
            "out/app.zip": "",
        },
    )
    found = app_files(
        tmp_path, exclude=[tmp_path / "support_lib_dir", tmp_path / "out"]
    )
    assert found == AppFiles(
        files=[
            Path("app.py"),
            Path("assets/dist/bundle.js"),
            Path("pkg/tests/data.txt"),
        ],
        broken_links=[],
        loops=[],
        special=[],
    )


def test_app_files_follow_symbolic_links_as_sam_build_does(tmp_path: Path) -> None:
    """Linked files and directories ship their contents; links to nothing and loops are listed."""
    write_tree(tmp_path, {"shared/util.py": "X = 1\n", "app/app.py": "import util\n"})
    app = tmp_path / "app"
    (app / "lib").symlink_to("../shared")
    (app / "helper.py").symlink_to("../shared/util.py")
    (app / ".#app.py").symlink_to("someone@host.1234")  # an editor's lock file
    (app / "again").symlink_to(".")
    (tmp_path / "shared" / "back").symlink_to("../app")
    assert app_files(app) == AppFiles(
        files=[Path("app.py"), Path("helper.py"), Path("lib/util.py")],
        broken_links=[Path(".#app.py")],
        loops=[Path("again"), Path("lib/back")],
        special=[],
    )


@pytest.mark.parametrize(
    ("files", "handler", "found"),
    [
        pytest.param(["app.py"], "app.lambda_handler", True, id="module"),
        pytest.param(["pkg/__init__.py"], "pkg.handler", True, id="package"),
        pytest.param(["a/b.py"], "a.b.handler", True, id="dotted"),
        pytest.param(
            ["fast.cpython-311-x86_64-linux-gnu.so"],
            "fast.handler",
            True,
            id="extension",
        ),
        pytest.param(["app.py"], "other.lambda_handler", False, id="missing"),
        pytest.param(["app.py"], "lambda_handler", False, id="no-module"),
    ],
)
def test_handler_found(
    tmp_path: Path, files: list[str], handler: str, found: bool
) -> None:
    write_tree(tmp_path, dict.fromkeys(files, ""))
    assert handler_found(tmp_path, handler) is found


# ---------------------------------------------------------------------------------------------
# The zip


# A member that deflate makes larger, so it is stored: bytes with no pattern, the same each run.
NOISE = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(8))
SOURCE = "def main():\n    print('hello')\n" * 20


def zip_tree(root: Path, mode: int, mtime: int) -> None:
    write_tree(root, {"b/data.txt": "data " * 50, "a.py": SOURCE, "run": "#!/bin/sh\n"})
    (root / "b" / "noise.bin").write_bytes(NOISE)
    (root / "b" / "empty").write_bytes(b"")
    (root / "café.txt").write_text("crème " * 20)
    (root / "e").mkdir()
    for path in root.rglob("*"):
        path.chmod(0o775 if path.is_dir() else mode)
        os.utime(path, (mtime, mtime))
    (root / "run").chmod(mode | 0o100)


def test_write_zip_is_reproducible_whatever_the_times_and_modes(tmp_path: Path) -> None:
    archives = []
    for attempt, (mode, mtime) in enumerate(
        [(0o600, 1_700_000_000), (0o664, 1_800_000_000)]
    ):
        root = tmp_path / str(attempt)
        zip_tree(root, mode, mtime)
        buffer = io.BytesIO()
        assert write_zip(root, buffer) == 7
        archives.append(buffer.getvalue())
    assert archives[0] == archives[1]
    with zipfile.ZipFile(io.BytesIO(archives[0])) as archive:
        assert archive.testzip() is None  # every member's CRC checks
        infos = archive.infolist()
        contents = {i.filename: archive.read(i) for i in infos}
    epoch = (1980, 1, 1, 0, 0, 0)
    file, executable = stat.S_IFREG | 0o644, stat.S_IFREG | 0o755
    assert [
        (
            i.filename,
            i.date_time,
            i.external_attr >> 16,
            i.create_system,
            i.compress_type,
        )
        for i in infos
    ] == [
        ("a.py", epoch, file, 3, zipfile.ZIP_DEFLATED),
        ("b/data.txt", epoch, file, 3, zipfile.ZIP_DEFLATED),
        # Nothing to compress, and noise that deflate would make larger: both stored.
        ("b/empty", epoch, file, 3, zipfile.ZIP_STORED),
        ("b/noise.bin", epoch, file, 3, zipfile.ZIP_STORED),
        ("café.txt", epoch, file, 3, zipfile.ZIP_DEFLATED),
        # Only an empty directory has an entry; unzipping makes b/ for its files.
        ("e/", epoch, stat.S_IFDIR | 0o755, 3, zipfile.ZIP_STORED),
        # Ten bytes: deflate's block header would cost more than it saves.
        ("run", epoch, executable, 3, zipfile.ZIP_STORED),
    ]
    assert contents == {
        "a.py": SOURCE.encode(),
        "b/data.txt": b"data " * 50,
        "b/empty": b"",
        "b/noise.bin": NOISE,
        "café.txt": ("crème " * 20).encode(),
        "e/": b"",
        "run": b"#!/bin/sh\n",
    }


@pytest.mark.skipif(shutil.which("unzip") is None, reason="needs Info-ZIP unzip")
def test_unzip_restores_the_files_and_their_modes(tmp_path: Path) -> None:
    # Info-ZIP's unzip, what people and sam local use, checks the CRCs and applies the Unix modes.
    zip_tree(tmp_path / "src", 0o600, 1_700_000_000)
    with (tmp_path / "app.zip").open("wb") as file:
        write_zip(tmp_path / "src", file)
    subprocess.run(
        ["unzip", "-q", str(tmp_path / "app.zip"), "-d", str(tmp_path / "out")],
        check=True,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    out = tmp_path / "out"
    assert sorted(
        (p.relative_to(out).as_posix(), stat.S_IMODE(p.stat().st_mode))
        for p in out.rglob("*")
    ) == [
        ("a.py", 0o644),
        ("b", 0o755),
        ("b/data.txt", 0o644),
        ("b/empty", 0o644),
        ("b/noise.bin", 0o644),
        ("café.txt", 0o644),
        ("e", 0o755),
        ("run", 0o755),
    ]
    assert (out / "b" / "noise.bin").read_bytes() == NOISE
    assert (out / "café.txt").read_text() == "crème " * 20


def test_write_zip_is_smaller_than_zipfile_at_level_9(tmp_path: Path) -> None:
    # The reason the zip is not written with zipfile: on the project's own sources, a mix of
    # Python much like a package's, libdeflate saves 2 % over zlib's best (3.3 % with pandas).
    root = Path(__file__).parents[1] / "src" / "lambdash"
    stdlib = io.BytesIO()
    with zipfile.ZipFile(stdlib, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(root.rglob("*.py")):
            archive.write(path, path.relative_to(root).as_posix())
    for path in root.rglob("*.py"):
        target = tmp_path / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    ours = io.BytesIO()
    write_zip(tmp_path, ours)
    deflated = [
        sum(info.compress_size for info in zipfile.ZipFile(buffer).infolist())
        for buffer in (ours, stdlib)
    ]
    assert deflated[0] < 0.99 * deflated[1]


def test_sam_zipped_size_is_the_size_of_sams_zip(tmp_path: Path) -> None:
    zip_tree(tmp_path / "src", 0o644, 1_700_000_000)
    # What aws-sam-cli's make_zip_with_permissions does: files only, zlib's default level.
    with zipfile.ZipFile(tmp_path / "sam.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((tmp_path / "src").rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(tmp_path / "src").as_posix())
    assert sam_zipped_size(tmp_path / "src") == (tmp_path / "sam.zip").stat().st_size


def test_write_zip_refuses_more_than_a_zip_without_zip64_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real limits, 65,535 entries and 4 GB, are far past Lambda's 250 MB: lowered here.
    zip_tree(tmp_path, 0o644, 1_700_000_000)
    monkeypatch.setattr(lambdash.packager._zip, "_MAX_ENTRIES", 6)
    with pytest.raises(CommandError, match=r"the package has 7 files, more than a zip"):
        write_zip(tmp_path, io.BytesIO())
    monkeypatch.setattr(lambdash.packager._zip, "_MAX_ENTRIES", 7)
    # The members take 583 bytes, the last starting at 540: past the limit while writing the
    # members (a.py alone is 620 bytes unzipped), or only where the directory starts.
    for limit in (100, 560):
        monkeypatch.setattr(lambdash.packager._zip, "_MAX_OFFSET", limit)
        with pytest.raises(CommandError, match=r"the package has over 4 GB") as caught:
            write_zip(tmp_path, io.BytesIO())
        assert "container image" in caught.value.hint


# ---------------------------------------------------------------------------------------------
# The SAM template for .aws-sam/build

SOURCE_TEMPLATE = """\
Globals:
  Function:
    CodeUri: shared/   # used by the functions without one
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      DefinitionUri: api/open api.yaml
  DashFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: "."   # the app
      Handler: app.lambda_handler
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: !Ref LayerPath
  Absolute:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: /opt/layer
  Table:
    Type: AWS::DynamoDB::Table
  Placeholder: ~
"""


def test_build_template_sets_code_uri_and_keeps_other_paths_working(
    tmp_path: Path,
) -> None:
    built = build_template(
        SOURCE_TEMPLATE,
        function="DashFunction",
        code_uri="DashFunction",
        source_dir=tmp_path,
        out_dir=tmp_path / ".aws-sam" / "build",
    )
    assert built == (
        SOURCE_TEMPLATE.replace("CodeUri: shared/", "CodeUri: ../../shared")
        .replace('CodeUri: "."', "CodeUri: DashFunction")
        .replace(
            "DefinitionUri: api/open api.yaml",
            'DefinitionUri: "../../api/open api.yaml"',
        )
    )


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        pytest.param(
            "    Properties:\n      Handler: app.h\n",
            "    Properties:\n      CodeUri: Fn\n      Handler: app.h\n",
            id="block-without-code-uri",
        ),
        pytest.param(
            "    Properties: {Handler: app.h}\n",
            "    Properties: {CodeUri: Fn, Handler: app.h}\n",
            id="flow-without-code-uri",
        ),
        pytest.param(
            "    Properties:\n      CodeUri:\n        Bucket: b\n        Key: k\n      Handler: app.h\n",
            "    Properties:\n      CodeUri: Fn\n      Handler: app.h\n",
            id="block-value",
        ),
    ],
)
def test_build_template_code_uri_forms(properties: str, expected: str) -> None:
    head = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
    built = build_template(
        head + properties,
        function="Fn",
        code_uri="Fn",
        source_dir=Path("/p"),
        out_dir=Path("/p/o"),
    )
    assert built == head + expected


def test_build_template_without_properties_is_an_error() -> None:
    with pytest.raises(CommandError) as caught:
        build_template(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
            function="Fn",
            code_uri="Fn",
            source_dir=Path("/p"),
            out_dir=Path("/p/o"),
        )
    assert str(caught.value) == "the template's Fn has no Properties to set CodeUri in"


def test_function_architecture_from_the_function_or_globals(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Globals:\n  Function:\n    Architectures: [arm64]\n"
        "Resources:\n  A:\n    Properties: {Architectures: [x86_64]}\n  B:\n    Type: x\n"
    )
    other = tmp_path / "plain.yaml"
    other.write_text("Resources:\n  A:\n    Properties: {}\n")
    assert [
        function_architecture(path, "A"),
        function_architecture(path, "B"),
        function_architecture(other, "A"),
    ] == ["x86_64", "arm64", None]


# ---------------------------------------------------------------------------------------------
# Finding a Python, compiling


def fake_python(directory: Path, name: str, script: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(script)
    path.chmod(0o755)
    return path


MACHINE = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[
    platform.machine().lower()
]
MACHINE_ARCH = "arm64" if MACHINE == "aarch64" else "x86_64"


def test_find_python_accepts_the_running_one() -> None:
    assert find_python(VERSION) == Interpreter(
        path=sys.executable, has_pip=True, platform=sys.platform, machine=MACHINE
    )


def test_find_python_finds_what_pyenv_and_uv_installed(tmp_path: Path) -> None:
    # pyenv's shim for 3.99 is on PATH but fails, as it does for a version not selected; the
    # newest 3.99 that pyenv or uv installed is used instead. Free-threaded and other minor
    # versions' directories are not.
    fake_python(tmp_path / "shim", "python3.99", "#!/bin/sh\nexit 127\n")
    pyenv, uv = tmp_path / "pyenv" / "versions", tmp_path / "uv" / "python"
    probe = "#!/bin/sh\necho 3 99 True linux x86_64\n"
    fake_python(pyenv / "3.99.2" / "bin", "python3.99", probe)
    fake_python(pyenv / "3.99.10t" / "bin", "python3.99", probe)
    fake_python(pyenv / "3.990.1" / "bin", "python3.99", probe)
    newest = fake_python(
        uv / "cpython-3.99.10-linux-x86_64-gnu" / "bin", "python3.99", probe
    )
    (pyenv / "3.99.11").mkdir()
    assert find_python(
        "3.99", search_path=str(tmp_path / "shim"), managed_roots=(pyenv, uv)
    ) == Interpreter(path=str(newest), has_pip=True, platform="linux", machine="x86_64")
    assert find_python(
        "3.99", search_path=str(tmp_path / "shim"), managed_roots=(pyenv,)
    ) == Interpreter(
        path=str(pyenv / "3.99.2" / "bin" / "python3.99"),
        has_pip=True,
        platform="linux",
        machine="x86_64",
    )


def test_find_python_checks_what_path_offers(tmp_path: Path) -> None:
    good = fake_python(
        tmp_path / "good", "python3.99", "#!/bin/sh\necho 3 99 False linux x86_64\n"
    )
    mac = fake_python(
        tmp_path / "mac", "python3.99", "#!/bin/sh\necho 3 99 True darwin arm64\n"
    )
    # A pyenv shim for a version that is installed but not selected: on PATH, and failing.
    fake_python(tmp_path / "shim", "python3.99", "#!/bin/sh\nexit 127\n")
    fake_python(tmp_path / "broken", "python3.99", "#!/nonexistent/interpreter\n")
    fake_python(tmp_path / "short", "python3.99", "#!/bin/sh\necho 3 99 False\n")
    (tmp_path / "empty").mkdir()
    assert [
        find_python("3.99", search_path=str(tmp_path / name), managed_roots=())
        for name in ("good", "mac", "shim", "broken", "short", "empty")
    ] == [
        Interpreter(path=str(good), has_pip=False, platform="linux", machine="x86_64"),
        Interpreter(path=str(mac), has_pip=True, platform="darwin", machine="aarch64"),
        None,
        None,
        None,
        None,
    ]


def test_interpreter_runs_linux_packages_of_its_own_machine() -> None:
    linux = Interpreter(path="p", has_pip=True, platform="linux", machine="aarch64")
    mac = Interpreter(path="p", has_pip=True, platform="darwin", machine="aarch64")
    assert [
        linux.runs("aarch64"),
        linux.runs("x86_64"),
        mac.runs("aarch64"),
    ] == [True, False, False]


def load_pyc(path: Path) -> types.CodeType:
    code = marshal.loads(path.read_bytes()[16:])
    assert isinstance(code, types.CodeType)
    return code


def test_compile_package_writes_unchecked_hash_bytecode(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"good.py": "x = 1\n", "pkg/__init__.py": "", "bad.py": "def (\n"}
    )
    assert compile_package(tmp_path, sys.executable) == Compiled(modules=2, failed=1)
    pyc = tmp_path / "__pycache__" / f"good.{TAG}.pyc"
    assert pyc.read_bytes()[4:8] == UNCHECKED_HASH
    assert not (tmp_path / "__pycache__" / f"bad.{TAG}.pyc").exists()
    # Named as on Lambda, and without the columns of each instruction (-X no_debug_ranges).
    code = load_pyc(pyc)
    assert code.co_filename == "/var/task/good.py"
    assert {position[2:] for position in code.co_positions()} == {(None, None)}


def test_compile_package_only_the_modules_named(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"used.py": "", "unused.py": "", "pkg/__init__.py": "", "pkg/sub/mod.py": ""},
    )
    modules = [tmp_path / "used.py", tmp_path / "pkg" / "sub" / "mod.py"]
    assert compile_package(tmp_path, sys.executable, modules=modules) == Compiled(
        modules=2, failed=0
    )
    assert sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pyc")
    ) == [f"__pycache__/used.{TAG}.pyc", f"pkg/sub/__pycache__/mod.{TAG}.pyc"]
    code = load_pyc(tmp_path / "pkg" / "sub" / "__pycache__" / f"mod.{TAG}.pyc")
    assert code.co_filename == "/var/task/pkg/sub/mod.py"


def test_compile_package_with_no_modules_compiles_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"unused.py": ""})
    assert compile_package(tmp_path, sys.executable, modules=[]) == Compiled(
        modules=0, failed=0
    )
    assert not list(tmp_path.rglob("*.pyc"))


def test_compile_package_failure_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(CommandError) as caught:
        compile_package(tmp_path, "/bin/false")
    assert (
        str(caught.value)
        == "compiling bytecode with /bin/false failed with exit code 1"
    )
    assert (
        caplog.records[0]
        .getMessage()
        .startswith("compileall failed with exit code 1: /bin/false -m compileall")
    )


def test_drop_sources_ships_compiled_third_party_modules_as_bytecode_only(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/compiled.py": "x = 1\n",
            "pkg/uncompiled.py": "y = 2\n",
            "pkg/sub/mod.py": "z = 3\n",
            "lambdash/__init__.py": "",
            "app.py": "import pkg\n",
            "mine/util.py": "",
        },
    )
    compiled = ["pkg/__init__.py", "pkg/compiled.py", "pkg/sub/mod.py"]
    compiled += ["lambdash/__init__.py", "app.py", "mine/util.py"]
    compile_package(tmp_path, sys.executable, modules=[tmp_path / m for m in compiled])
    (tmp_path / "pkg" / "__pycache__" / "stale.other-99.pyc").write_bytes(b"")
    size = len("x = 1\n") + len("z = 3\n")
    assert drop_sources(
        tmp_path, cache_tag=TAG, keep=[Path("app.py"), Path("mine/util.py")]
    ) == Dropped(files=3, size=size)
    assert tree(tmp_path) == [
        f"__pycache__/app.{TAG}.pyc",
        "app.py",
        "lambdash/__init__.py",
        f"lambdash/__pycache__/__init__.{TAG}.pyc",
        f"mine/__pycache__/util.{TAG}.pyc",
        "mine/util.py",
        "pkg/__init__.pyc",
        "pkg/__pycache__/stale.other-99.pyc",
        "pkg/compiled.pyc",
        "pkg/sub/mod.pyc",
        "pkg/uncompiled.py",
    ]
    assert not (tmp_path / "pkg" / "sub" / "__pycache__").exists()
    # The bytecode is unchanged: named as on Lambda, unchecked-hash, and it imports as it is.
    assert load_pyc(tmp_path / "pkg" / "compiled.pyc").co_filename == (
        "/var/task/pkg/compiled.py"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-B",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
            "import pkg.compiled, pkg.sub.mod, pkg.uncompiled; "
            "print(pkg.compiled.__file__, pkg.compiled.x + pkg.sub.mod.z)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"{tmp_path / 'pkg' / 'compiled.pyc'} 4\n"


def test_drop_sources_keeps_a_source_whose_bytecode_has_no_module(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {f"pkg/__pycache__/gone.{TAG}.pyc": "", "pkg/kept.py": ""})
    assert drop_sources(tmp_path, cache_tag=TAG) == Dropped(files=0, size=0)
    assert tree(tmp_path) == [f"pkg/__pycache__/gone.{TAG}.pyc", "pkg/kept.py"]


# ---------------------------------------------------------------------------------------------
# Running the app to find its imports

IMPORTING_APP = {
    "app.py": """\
import json
import os
from pathlib import Path

import helper

Path("cache").mkdir()
Path("cache/data").write_text("written at import")


def lambda_handler(event, context):
    path = event["rawPath"]
    assert context.get_remaining_time_in_millis() > 0
    if path == "/":
        import lazy

        return {"statusCode": 200, "body": os.environ["GREETING"]}
    if path == "/_dash-layout":
        return {"statusCode": 503}
    if path == "/_dash-dependencies":
        raise ValueError("boom")
    return None
""",
    "helper/__init__.py": "from helper import sub\n",
    "helper/sub.py": "",
    "lazy.py": "",
    "unused.py": "",
    "native.cpython-311-x86_64-linux-gnu.so": "",
}


def test_find_imports_runs_the_app_and_its_first_requests(tmp_path: Path) -> None:
    write_tree(tmp_path, IMPORTING_APP)
    found = find_imports(
        tmp_path,
        python=sys.executable,
        handler="app.lambda_handler",
        environment={"GREETING": "hello"},
    )
    assert found == Imports(
        modules=tuple(
            Path(name)
            for name in ("app.py", "helper/__init__.py", "helper/sub.py", "lazy.py")
        ),
        failed=(
            "GET /_dash-layout answered 503",
            "GET /_dash-dependencies raised ValueError: boom",
        ),
        written=("cache",),
        status=200,
    )
    assert not (tmp_path / "cache").exists()
    assert not list(tmp_path.rglob("__pycache__"))


@pytest.mark.parametrize(
    ("source", "error", "missing"),
    [
        pytest.param(
            "import missing\n",
            "ModuleNotFoundError: No module named 'missing'",
            "missing",
            id="import-error",
        ),
        pytest.param(
            "try:\n    import missing.sub\nexcept ImportError as exc:\n"
            "    raise RuntimeError('pip install missing') from exc\n",
            "RuntimeError: pip install missing",
            "missing",
            id="import-error-as-cause",
        ),
        pytest.param("raise SystemExit(2)\n", "SystemExit: 2", None, id="system-exit"),
        pytest.param(
            "lambda_handler = None\ndel lambda_handler\n",
            "AttributeError: module 'app' has no attribute 'lambda_handler'",
            None,
            id="no-handler",
        ),
        pytest.param(
            "import os, sys\nprint('dying', file=sys.stderr)\nos._exit(3)\n",
            "it exited with code 3: dying",
            None,
            id="hard-exit",
        ),
        pytest.param(
            "import time\ntime.sleep(30)\n",
            "it did not finish in 1 s",
            None,
            id="timeout",
        ),
    ],
)
def test_find_imports_when_the_app_cannot_start(
    tmp_path: Path, source: str, error: str, missing: str | None
) -> None:
    write_tree(tmp_path, {"app.py": source})
    found = find_imports(
        tmp_path,
        python=sys.executable,
        handler="app.lambda_handler",
        environment={},
        timeout=1,
    )
    assert found == Imports(modules=(), error=error, missing=missing)


def test_find_imports_sees_only_what_lambda_provides_from_this_machine(
    tmp_path: Path,
) -> None:
    # This environment has boto3 (which Lambda provides) and PyYAML (which it does not).
    write_tree(
        tmp_path,
        {
            "app.py": "import boto3\nimport json\ndef handler(event, context):\n"
            "    return {'statusCode': 200}\n",
            "uses_yaml.py": "import yaml\ndef handler(event, context):\n    pass\n",
        },
    )
    found = [
        find_imports(tmp_path, python=sys.executable, handler=handler, environment={})
        for handler in ("app.handler", "uses_yaml.handler")
    ]
    assert found == [
        Imports(modules=(Path("app.py"),), status=200),
        Imports(
            modules=(),
            error="ModuleNotFoundError: No module named 'yaml'",
            missing="yaml",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Progress and the report


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_progress_draws_a_spinner_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    times = iter([0.0, 1.0, 3.5])
    stream = Terminal()
    progress = ConsoleProgress(stream, clock=lambda: next(times))
    progress.step("pip install")
    progress.output("Collecting dash[compress]==4.4.1")
    progress.output("   ")
    progress.done("installed 33 distributions")
    assert stream.getvalue() == (
        "\r\x1b[K/ pip install"
        "\r\x1b[K- pip install: Collecting das"
        "\r\x1b[K    2.5s  installed 33 distributions\n"
    )


def test_console_progress_prints_only_steps_elsewhere() -> None:
    times = iter([0.0, 1.0, 1.25])
    stream = io.StringIO()
    progress = ConsoleProgress(stream, clock=lambda: next(times))
    progress.step("trimming")
    progress.output("ignored")
    progress.done("trimmed 3 files")
    assert stream.getvalue() == "    0.2s  trimmed 3 files\n"


def test_format_report_over_the_limits() -> None:
    mb = 1024 * 1024
    report = BuildReport(
        target=make_target("python3.12", "arm64"),
        output=Path("/app/.aws-sam/build/Fn"),
        template=Path("/app/.aws-sam/build/template.yaml"),
        function="Fn",
        packages=(
            PackageSize(name="numpy", size=200 * mb, files=2000),
            PackageSize(name="six.py", size=mb, files=1),
            PackageSize(name="a", size=mb, files=3),
            PackageSize(name="b", size=mb // 2, files=3),
        ),
        unzipped_size=260 * mb,
        zipped_size=60 * mb,
        files=2007,
        removed=("boto3 1.44.8",),
        trimmed_files=10,
        trimmed_size=3 * mb,
        python=None,
        compiled_modules=0,
        bytecode="imported",
        sha256=None,
        seconds=1.0,
        notes=("no python3.12 on PATH",),
        warnings=("over",),
    )
    assert format_report(report, top=3) == "\n".join(
        [
            "Largest packages (python3.12, arm64, apparent size):",
            "  numpy    200.0 MB   2,000 files",
            "  six.py     1.0 MB       1 file",
            "  a          1.0 MB       3 files",
            "  1 more     0.5 MB",
            "Unzipped   260.0 MB  of Lambda's 250 MB limit (104%), 2,007 files",
            "Zipped      60.0 MB  of the 50 MB direct-upload limit (120%)",
            "Left out  boto3 1.44.8: the Lambda runtime provides them",
            "Trimmed      3.0 MB  in 10 files (tests, stubs, source maps, scripts, Jupyter "
            "extensions, Dash dev bundles)",
            "Bytecode  none: see the note below",
            "Wrote /app/.aws-sam/build/Fn and /app/.aws-sam/build/template.yaml: sam deploy reads it",
            "note: no python3.12 on PATH",
            "warning: over",
        ]
    )


def _compiled_report(
    *,
    bytecode: Bytecode,
    sources: Sources = "keep",
    dropped_files: int = 0,
    dropped_size: int = 0,
) -> BuildReport:
    """A report of an empty build whose 1,234 modules got bytecode."""
    report = BuildReport(
        target=make_target("python3.12", "x86_64"),
        output=Path("/app/app.zip"),
        template=None,
        function=None,
        packages=(),
        unzipped_size=0,
        zipped_size=0,
        files=0,
        removed=(),
        trimmed_files=0,
        trimmed_size=0,
        python="/usr/bin/python3.12",
        compiled_modules=1234,
        bytecode=bytecode,
        sources=sources,
        dropped_files=dropped_files,
        dropped_size=dropped_size,
        sha256=None,
        seconds=1.0,
        notes=(),
        warnings=(),
    )
    return report


@pytest.mark.parametrize(
    ("bytecode", "line"),
    [
        pytest.param(
            "imported",
            "Bytecode  1,234 modules the app imports, unchecked-hash, compiled by /usr/bin/python3.12",
            id="imported",
        ),
        pytest.param(
            "all",
            "Bytecode  every module (1,234), unchecked-hash, compiled by /usr/bin/python3.12",
            id="all",
        ),
    ],
)
def test_format_report_says_which_modules_have_bytecode(
    bytecode: Bytecode, line: str
) -> None:
    report = _compiled_report(bytecode=bytecode)
    assert line in format_report(report).splitlines()


def test_format_report_says_what_sources_were_dropped() -> None:
    report = _compiled_report(
        bytecode="imported",
        sources="drop",
        dropped_files=1200,
        dropped_size=9 * 1024 * 1024,
    )
    lines = format_report(report).splitlines()
    bytecode = next(i for i, line in enumerate(lines) if line.startswith("Bytecode"))
    assert lines[bytecode + 1] == (
        "Dropped      9.0 MB  in 1,200 sources of compiled third-party modules (--sources "
        "drop: they ship bytecode only)"
    )
    kept = dataclasses.replace(report, sources="keep", dropped_files=0, dropped_size=0)
    assert not [
        line for line in format_report(kept).splitlines() if line.startswith("Dropped")
    ]


# ---------------------------------------------------------------------------------------------
# build() without the network


class Recorder:
    """A :class:`~lambdash.packager.Progress` that keeps what each step did."""

    def __init__(self) -> None:
        self.done_steps: list[str] = []

    def step(self, title: str) -> None:
        pass

    def output(self, line: str) -> None:
        pass

    def done(self, summary: str) -> None:
        self.done_steps.append(summary)


def test_build_app_without_requirements(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", handler="missing.handler")
    (project / "uses_setuptools.py").write_text(
        "import setuptools\n\ndef debug(app):\n    app.enable_dev_tools(debug=True)\n"
    )
    out = tmp_path / "app.zip"
    progress = Recorder()
    report = build(
        project,
        output=out,
        template=project / "template.yaml",
        runtime=RUNTIME,
        progress=progress,
        verify=False,
    )
    assert report.notes == (
        "no requirements.txt or pyproject.toml dependencies: the package holds the app's code only",
        "bytecode for every module, a larger package: the app failed when it ran at build time "
        "to find the modules it imports: ModuleNotFoundError: No module named 'missing' (if it "
        "needs environment variables to start, set them in this shell)",
    )
    assert report.warnings == (
        "the template's Handler 'missing.handler' names a module that is not in the package",
    )
    assert progress.done_steps[0] == (
        "trimmed 0 files, 0.0 MB (kept setuptools: the app imports it; Dash's dev bundles: "
        "the app turns on dev tools)"
    )
    assert zip_names(out) == [
        f"__pycache__/app.{TAG}.pyc",
        f"__pycache__/uses_setuptools.{TAG}.pyc",
        "app.py",
        "template.yaml",
        "uses_setuptools.py",
    ]
    assert (
        report.output,
        report.sha256,
        report.compiled_modules,
        report.bytecode,
        report.python,
    ) == (
        out,
        hashlib.sha256(out.read_bytes()).hexdigest(),
        2,
        "all",
        sys.executable,
    )
    assert report.zipped_size == out.stat().st_size


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(b"caf\xe9.csv", id="file"),
        pytest.param(b"caf\xe9/data.csv", id="directory"),
    ],
)
def test_app_files_refuse_a_file_name_that_is_not_utf8(
    tmp_path: Path, name: bytes
) -> None:
    write_tree(tmp_path, {"app.py": "", "café.txt": ""})
    path = tmp_path / os.fsdecode(name)
    path.parent.mkdir(exist_ok=True)
    path.write_text("a,b\n")
    with pytest.raises(CommandError) as info:
        app_files(tmp_path)
    assert str(info.value) == (
        f"the file name {name!r} in {tmp_path} is not UTF-8, which a zip needs"
    )
    assert info.value.hint == "rename the file, or move it out of the code directory"


def test_build_ships_linked_code_and_warns_of_broken_links_and_loops(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "app")
    write_tree(tmp_path, {"shared/util.py": "X = 1\n"})
    (project / "shared").symlink_to("../shared")
    (project / "old.py").symlink_to("gone.py")
    (project / "again").symlink_to(".")
    # A dev server's socket and a named pipe: copying either used to stop the build.
    os.mkfifo(project / "events.fifo")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(project / "dev.sock"))
        out = tmp_path / "app.zip"
        report = build(
            project, output=out, template=project / "template.yaml", runtime=RUNTIME
        )
    assert report.warnings == (
        "left out symbolic links to files that do not exist: old.py",
        "left out directories a symbolic link leads back into (a loop): again",
        "left out named pipes, sockets and devices, which have no contents to ship: "
        "dev.sock, events.fifo",
    )
    with zipfile.ZipFile(out) as archive:
        assert archive.read("shared/util.py") == b"X = 1\n"
        assert not {"old.py", "dev.sock", "events.fifo"} & set(archive.namelist())


IMPORTS_HELPER = """\
import helper
from lambdash import make_handler


def wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


lambda_handler = make_handler(wsgi)
"""


def lambdash_project(path: Path, wheels: Path, app: str) -> Path:
    """A project whose app.py is *app*, beside helper.py and unused.py, needing lambdash."""
    wheel = write_self_wheel(wheels)
    project = make_project(path, requirements=f"{wheel}\n--no-index\n")
    write_tree(project, {"app.py": app, "helper.py": "", "unused.py": ""})
    return project


def pyc_sources(archive: Path) -> list[str]:
    """The modules *archive* has bytecode for, as source paths."""
    return sorted(
        name.replace("__pycache__/", "").replace(f".{TAG}.pyc", ".py")
        for name in zip_names(archive)
        if name.endswith(".pyc")
    )


def test_build_compiles_only_the_modules_the_app_imports(tmp_path: Path) -> None:
    project = lambdash_project(tmp_path / "app", tmp_path / "wheels", IMPORTS_HELPER)
    out = tmp_path / "app.zip"
    progress = Recorder()
    report = build(project, output=out, progress=progress)
    compiled = pyc_sources(out)
    assert {"app.py", "helper.py", "lambdash/__init__.py", "lambdash/_wsgi.py"} <= set(
        compiled
    )
    assert not [m for m in compiled if m == "unused.py" or "/local/" in m]
    assert "lambdash/local/__init__.py" in zip_names(out)
    assert (report.bytecode, report.compiled_modules, report.notes) == (
        "imported",
        len(compiled),
        (),
    )
    assert (
        "verified app.lambda_handler: it imports from the package alone and GET / answered "
        f"200; it loaded {len(compiled)} modules of the package" in progress.done_steps
    )


def test_build_bytecode_for_every_module(tmp_path: Path) -> None:
    project = lambdash_project(tmp_path / "app", tmp_path / "wheels", IMPORTS_HELPER)
    out = tmp_path / "app.zip"
    report = build(project, output=out, bytecode="all")
    compiled = pyc_sources(out)
    assert {"unused.py", "lambdash/local/__init__.py"} <= set(compiled)
    assert (report.bytecode, report.compiled_modules) == ("all", len(compiled))


def test_build_reports_what_the_app_did_at_build_time(tmp_path: Path) -> None:
    # GET / answers (the proof), the two other warm-up requests fail.
    app = (
        IMPORTS_HELPER.replace(
            '"200 OK"',
            '"200 OK" if environ["PATH_INFO"] == "/" else "502 Bad Gateway"',
        )
        + 'open("state.db", "w").close()\n'
    )
    project = lambdash_project(tmp_path / "app", tmp_path / "wheels", app)
    out = tmp_path / "app.zip"
    report = build(project, output=out)
    assert report.bytecode == "imported"
    assert report.notes == (
        "at build time GET /_dash-layout answered 502; GET /_dash-dependencies answered 502: "
        "the modules those requests import have no bytecode",
    )
    assert report.warnings == (
        "the app wrote state.db into the package when it ran at build time; removed. On "
        "Lambda the package is read-only: write under /tmp",
    )
    assert "state.db" not in zip_names(out)


def test_build_for_another_machine_compiles_every_module(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    other = "arm64" if MACHINE == "x86_64" else "x86_64"
    report = build(project, output=tmp_path / "app.zip", arch=other)
    assert report.notes[-1] == (
        f"bytecode for every module, a larger package: {sys.executable} runs on "
        f"{sys.platform} {MACHINE}, so it cannot load this package's Linux {other} wheels to "
        f"run the app and find the modules it imports; build on Linux {other} (CI or a "
        "container) for the smaller package"
    )
    assert (report.bytecode, report.compiled_modules) == ("all", 1)


def test_build_zip_without_a_template_compiles_every_module(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    (project / "template.yaml").unlink()
    report = build(project, output=tmp_path / "app.zip", runtime=RUNTIME)
    assert report.notes == (
        "no requirements.txt or pyproject.toml dependencies: the package holds the app's code "
        "only",
        "the package is not verified: with no template Handler, and no lambda_handler.py "
        "(which lambdash init writes), which function Lambda runs is unknown (pass --template)",
        "bytecode for every module, a larger package: with no template Handler to run, the "
        "modules the app imports are unknown (pass --template)",
    )
    assert report.verified == "no: see the note below"
    assert (report.bytecode, report.compiled_modules) == ("all", 1)


def test_cli_bytecode_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "app")
    (project / "unused.py").write_text("")
    out = tmp_path / "app.zip"
    arguments = ["build", "--dir", str(project), "-o", str(out)]
    assert main([*arguments, "--bytecode", "all"]) == 0
    assert (
        f"Bytecode  every module (2), unchecked-hash, compiled by {sys.executable}"
        in capsys.readouterr().out.splitlines()
    )
    assert main(arguments) == 0
    assert (
        f"Bytecode  1 module the app imports, unchecked-hash, compiled by {sys.executable}"
        in capsys.readouterr().out.splitlines()
    )


def test_build_drops_the_sources_of_compiled_third_party_modules(
    tmp_path: Path,
) -> None:
    app = IMPORTS_HELPER.replace("import helper\n", "import helper\nimport vendored\n")
    project = lambdash_project(tmp_path / "app", tmp_path / "wheels", app)
    # A third-party package, installed by pip from a local directory, that the app imports.
    vendored = tmp_path / "vendored"
    write_tree(
        vendored,
        {
            "pyproject.toml": '[project]\nname = "vendored"\nversion = "1"\n',
            "vendored/__init__.py": "from vendored import used\n",
            "vendored/used.py": "x = 1\n",
            "vendored/unused.py": "",
        },
    )
    requirements = project / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"{vendored}\n")
    out = tmp_path / "app.zip"
    keep = build(project, output=out)
    kept = set(zip_names(out))
    progress = Recorder()
    report = build(project, output=out, progress=progress, sources="drop")
    names = set(zip_names(out))
    assert {"vendored/__init__.pyc", "vendored/used.pyc", "vendored/unused.py"} <= names
    assert not [n for n in names if n.startswith("vendored/") and "__pycache__" in n]
    assert not {"vendored/__init__.py", "vendored/used.py"} & names
    # Only those changed: the app's code and lambdash keep their sources and __pycache__.
    assert kept - names == {
        "vendored/__init__.py",
        "vendored/used.py",
        f"vendored/__pycache__/__init__.{TAG}.pyc",
        f"vendored/__pycache__/used.{TAG}.pyc",
    }
    assert names - kept == {"vendored/__init__.pyc", "vendored/used.pyc"}
    assert {"app.py", "helper.py", f"__pycache__/app.{TAG}.pyc"} <= names
    assert (report.sources, report.dropped_files, report.dropped_size) == (
        "drop",
        2,
        len("from vendored import used\n") + len("x = 1\n"),
    )
    assert (keep.sources, keep.dropped_files, keep.compiled_modules) == (
        "keep",
        0,
        report.compiled_modules,
    )
    assert progress.done_steps[-2] == (
        "dropped 2 sources, 0.0 MB: those modules ship bytecode only"
    )


def test_cli_sources_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "app")
    arguments = ["build", "--dir", str(project), "-o", str(tmp_path / "app.zip")]
    assert main([*arguments, "--sources", "drop"]) == 0
    assert (
        "Dropped      0.0 MB  in 0 sources of compiled third-party modules (--sources drop: "
        "they ship bytecode only)" in capsys.readouterr().out.splitlines()
    )
    assert "app.py" in zip_names(tmp_path / "app.zip")
    with pytest.raises(SystemExit) as caught:
        main([*arguments, "--sources", "none"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "lambdash build: error: argument --sources: invalid choice: 'none' (choose from "
        "'keep', 'drop')"
    )


def test_build_rejects_an_unknown_sources_choice(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        build(tmp_path, sources="none")  # type: ignore[arg-type]
    assert str(caught.value) == "unknown sources choice 'none'; choose 'keep' or 'drop'"


def test_build_rejects_an_unknown_bytecode_choice(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        build(tmp_path, bytecode="some")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "unknown bytecode choice 'some'; choose 'imported' or 'all'"
    )


def test_build_without_a_python_of_the_runtime_ships_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = "python3.14" if VERSION != "3.14" else "python3.13"
    version = other.removeprefix("python")
    wheel = write_self_wheel(tmp_path / "wheels")
    project = make_project(
        tmp_path / "app",
        runtime=other,
        extra="      Architectures: [arm64]\n",
        requirements=f"{wheel}\n--no-index\n",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "no-pythons-here"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "no-uv"))
    report = build(project, output=tmp_path / "app.zip")
    assert (report.target, report.python, report.compiled_modules) == (
        make_target(other, "arm64"),
        None,
        0,
    )
    assert report.notes == (
        f"pip evaluated environment markers (python_version < …) for Python {VERSION}, which "
        f"runs lambdash, not for {other}; put a {other} with pip on PATH to have them "
        "evaluated for the runtime",
        "GNU strip is not on PATH: compiled extensions keep their symbol tables and debug "
        "sections (install binutils for a smaller package)",
        f"could not run the package at build time (no {other} on this machine), so it was "
        "checked without importing it: the modules the app's code imports are in the "
        "package, but their own imports, their native libraries and GET / are unproven. "
        f"Build where a {other} runs Linux arm64 (CI or a container) to prove it",
        f"no {other} on PATH, so the package has no bytecode: every cold start compiles each "
        f"module it imports (a Dash app starts about 3 times slower). Install Python {version} "
        f"(pyenv install {version}, uv python install {version}, or your system's package: "
        "lambdash looks on PATH and in pyenv's and uv's directories), and build again",
    )
    names = zip_names(tmp_path / "app.zip")
    assert "lambdash/__init__.py" in names
    assert not [name for name in names if name.endswith(".pyc")]


def test_build_local_wheel_offline_warns_about_flags_and_shadowing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pure wheel named in requirements.txt installs without an index, like a PyPI one.
    wheel = write_self_wheel(tmp_path / "wheels")
    project = make_project(
        tmp_path / "app", requirements=f"{wheel}\n--no-index\n", runtime="python3.12"
    )
    write_tree(project, {"lambdash/extra.py": "", "boto3/__init__.py": ""})
    report = build(
        project,
        runtime=RUNTIME,
        arch="x86_64",
        output=tmp_path / "dist" / "app.zip",
        pip_runner=SubprocessPip(),
    )
    assert report.warnings == (
        f"--runtime {RUNTIME} differs from the template's Runtime python3.12: the function "
        "would run this package on python3.12",
        "the app's lambdash has the name of an installed package's: its files were copied "
        "over the package's",
    )
    names = zip_names(tmp_path / "dist" / "app.zip")
    dist_info = next(
        n.removesuffix("METADATA")
        for n in names
        if n.startswith("lambdash-") and n.endswith(".dist-info/METADATA")
    )
    assert "lambdash/extra.py" in names
    assert "boto3/__init__.py" in names  # the app's own files are never left out
    assert f"{dist_info}direct_url.json" not in names
    assert f"{dist_info}METADATA" in names


def test_build_pip_failure_is_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = make_project(tmp_path / "app", requirements="--no-index\nfoo bar baz\n")
    with pytest.raises(CommandError) as caught:
        build(project, output=tmp_path / "app.zip", runtime="python3.14", arch="x86_64")
    assert str(caught.value) == "pip install failed with exit code 1"
    assert "Invalid requirement: 'foo bar baz'" in caplog.text


def test_build_directory_output_replaces_the_previous_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", extra="      CodeUri: .\n")
    (project / "legacy.py").write_text("print 'Python 2'\n")
    out = tmp_path / "build"
    stale = out / "Function" / "stale.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("")
    report = build(project, output=out, bytecode="all")
    assert not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == ["Function", "template.yaml"]
    assert (out / "template.yaml").read_text() == (
        project / "template.yaml"
    ).read_text().replace("CodeUri: .", "CodeUri: Function")
    assert (report.output, report.template, report.function, report.sha256) == (
        out / "Function",
        out / "template.yaml",
        "Function",
        None,
    )
    assert report.notes[-1] == (
        f"files that are not valid Python {VERSION} stay source only "
        "(they fail on Lambda too, if imported): 1"
    )


@pytest.mark.parametrize("explicit", [True, False], ids=["explicit", "discovered"])
def test_build_reads_pyproject_dependencies(tmp_path: Path, explicit: bool) -> None:
    project = make_project(tmp_path / "app")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = []\n'
    )
    report = build(
        project,
        output=tmp_path / "app.zip",
        requirements=project / "pyproject.toml" if explicit else None,
    )
    assert report.notes == (
        "no requirements.txt or pyproject.toml dependencies: the package holds the app's code only",
    )
    assert "pyproject.toml" in zip_names(tmp_path / "app.zip")


# An in-tree PEP 517 backend that "builds" a platform wheel at once, without a compiler.
NATIVE_BACKEND = """\
import zipfile

NAME = "native-1.0-cp311-cp311-linux_x86_64.whl"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with zipfile.ZipFile(f"{wheel_directory}/{NAME}", "w") as wheel:
        wheel.writestr("native/__init__.py", "")
        wheel.writestr("native-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: native\\nVersion: 1.0\\n")
        wheel.writestr("native-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: false\\nTag: cp311-cp311-linux_x86_64\\n")
        wheel.writestr("native-1.0.dist-info/RECORD", "")
    return NAME
"""


@pytest.mark.parametrize(
    ("backend", "message", "hint"),
    [
        pytest.param(
            False,
            "cannot build the local package '{path}' ({origin})",
            "read pip's output above: the package needs a pyproject.toml or setup.py pip can build",
            id="not-a-project",
        ),
        pytest.param(
            True,
            "the local package '{path}' ({origin}) has compiled code "
            "(native-1.0-cp311-cp311-linux_x86_64.whl)",
            "build its wheel on Linux for the runtime and architecture (a container or CI), "
            "and list the .whl file in requirements.txt",
            id="compiled-code",
        ),
    ],
)
def test_local_packages_must_build_into_pure_wheels(
    tmp_path: Path, backend: bool, message: str, hint: str
) -> None:
    library = tmp_path / "native_lib"
    library.mkdir()
    if backend:
        (library / "backend.py").write_text(NATIVE_BACKEND)
        (library / "pyproject.toml").write_text(
            '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        )
    project = make_project(tmp_path / "app", requirements="../native_lib\n")
    with pytest.raises(CommandError) as caught:
        build(project, output=tmp_path / "app.zip")
    origin = f"{project / 'requirements.txt'}:1"
    assert (str(caught.value), caught.value.hint) == (
        message.format(path=library, origin=origin),
        hint,
    )


def test_limit_warnings() -> None:
    assert limit_warnings(UNZIPPED_LIMIT, ZIPPED_LIMIT) == []
    assert limit_warnings(UNZIPPED_LIMIT + 1, ZIPPED_LIMIT + 1) == [
        "the package is 250.0 MB unzipped, over Lambda's 250 MB limit (function and layers "
        "together): Lambda will refuse it. Leave out large dependencies, serve static files from "
        "S3 or a CDN (serve_locally=False), or deploy a container image (10 GB)",
        "the zip is 50.0 MB, over the 50 MB limit for direct uploads: deploy it through S3 (sam "
        "deploy does; aws lambda update-function-code --s3-bucket …)",
    ]


@pytest.mark.parametrize(
    ("setup", "message", "hint"),
    [
        pytest.param(
            "no-template",
            "a directory output ({tmp}/app/.aws-sam/build) needs a SAM template, to name the "
            "function's directory",
            "run lambdash init APP to write one (APP is your app's module:attribute, such as "
            "app:app), pass --template, or -o app.zip for a zip",
            id="directory-without-template",
        ),
        pytest.param(
            "code-uri",
            "the template's CodeUri '{tmp}/app/dist/app.zip' is not a directory",
            "point CodeUri at the directory of the app's code",
            id="code-uri-not-a-directory",
        ),
    ],
)
def test_build_plan_errors(tmp_path: Path, setup: str, message: str, hint: str) -> None:
    project = make_project(tmp_path / "app", extra="      CodeUri: dist/app.zip\n")
    if setup == "no-template":
        (project / "template.yaml").unlink()
    with pytest.raises(CommandError) as caught:
        build(project)
    assert (str(caught.value), caught.value.hint) == (
        message.format(tmp=tmp_path),
        hint,
    )


# ---------------------------------------------------------------------------------------------
# The proof: the package imports its app and answers GET / (issue 13)

DASH_APP = """\
from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("hello")
"""


def pure_wheel(directory: Path, name: str, files: dict[str, str]) -> Path:
    """A pure-Python wheel of *files*, as pip would build it."""
    dist_info = f"{name}-1.0.dist-info"
    contents = {
        **files,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    contents[f"{dist_info}/RECORD"] = "".join(f"{n},,\n" for n in contents) + (
        f"{dist_info}/RECORD,,\n"
    )
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for member, text in contents.items():
            archive.writestr(member, text)
    return wheel


def test_build_of_an_init_app_missing_dash_is_an_error_naming_the_line_to_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A requirements.txt with lambdash alone (what lambdash init wrote before it pinned what the
    # app imports, and init leaves an existing file as it is); the app imports Dash.
    project = init_project(tmp_path / "app", DASH_APP, requirements="lambdash\n")
    out = tmp_path / "app.zip"
    assert build_error(project, capsys, "-o", str(out)) == [
        "error: the package cannot serve: lambda_handler.lambda_handler fails at import: "
        "ModuleNotFoundError: No module named 'dash'",
        f"hint: add the line dash=={importlib.metadata.version('dash')} to "
        f"{project / 'requirements.txt'}, the requirements file this build read, and build "
        "again",
    ]
    assert not out.exists()


def test_build_of_an_app_importing_a_module_installed_nowhere_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # init refuses an app that does not import: the import comes after it.
    project = init_project(tmp_path / "app", WSGI_APP)
    (project / "app.py").write_text(f"import nowhere_xyz\n{WSGI_APP}")
    (project / "requirements.txt").unlink()
    assert build_error(project, capsys, "-o", str(tmp_path / "app.zip")) == [
        "error: the package cannot serve: lambda_handler.lambda_handler fails at import: "
        "ModuleNotFoundError: No module named 'nowhere_xyz'",
        f"hint: add the line nowhere_xyz to {project / 'requirements.txt'} (a new file: build "
        "reads it), and build again; no distribution installed here provides a module "
        "'nowhere_xyz', so that is the module's name: use its project's name on PyPI if it "
        "differs",
    ]


def test_build_ships_lambdash_when_the_requirements_do_not_name_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The user's requirements.txt names the app's packages but not lambdash.
    wheel = pure_wheel(
        tmp_path / "wheels", "greeting", {"greeting.py": "WORD = 'hi'\n"}
    )
    # greeting is installed only in the package: init runs before the app imports it.
    project = init_project(tmp_path / "app", WSGI_APP)
    (project / "app.py").write_text(
        "from greeting import WORD\n\n\ndef app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [WORD.encode()]\n"
    )
    (project / "requirements.txt").write_text(f"--no-index\n{wheel}\n")
    out = tmp_path / "app.zip"
    assert main(["build", "--dir", str(project), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    package = Path(lambdash.__file__).parent
    assert (
        f"lambdash {lambdash.__version__} from this checkout ({package}) is in the package "
        "(requirements.txt does not name it)"
    ) in printed.err
    assert (
        f"Verified  lambda_handler.lambda_handler imported from the package alone by "
        f"{sys.executable}; GET / answered 200"
    ) in printed.out.splitlines()
    result, _ = invoke(
        unpack(out, tmp_path / "task"),
        "lambda_handler.lambda_handler",
        rest_event(path="/"),
    )
    assert (result["statusCode"], result["body"]) == (200, "hi")


def test_build_leaves_lambdash_out_of_an_app_that_does_not_import_it(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "app")
    out = tmp_path / "app.zip"
    report = build(project, output=out)
    assert zip_names(out) == [f"__pycache__/app.{TAG}.pyc", "app.py", "template.yaml"]
    assert report.verified == (
        f"app.lambda_handler imported from the package alone by {sys.executable}; GET / "
        "answered 200"
    )


def test_build_of_an_app_whose_root_page_fails_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "app")
    (project / "app.py").write_text(
        "def lambda_handler(event, context):\n"
        "    if event['rawPath'] == '/':\n"
        "        import pandas_xyz\n"
        "    return {'statusCode': 200}\n"
    )
    assert build_error(project, capsys, "-o", str(tmp_path / "app.zip")) == [
        "error: the package cannot serve: app.lambda_handler imports, but GET / raised "
        "ModuleNotFoundError: No module named 'pandas_xyz'",
        f"hint: add the line pandas_xyz to {project / 'requirements.txt'} (a new file: build "
        "reads it), and build again; no distribution installed here provides a module "
        "'pandas_xyz', so that is the module's name: use its project's name on PyPI if it "
        "differs",
    ]
    (project / "app.py").write_text(
        "def lambda_handler(event, context):\n    return {'statusCode': 500}\n"
    )
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert build_error(project, capsys, "-o", str(tmp_path / "app.zip")) == [
        "error: the package cannot serve: app.lambda_handler imports, but GET / answered 500",
        "hint: if the app needs environment variables or services to start, set them in this "
        "shell and build again; --no-verify builds without this check",
    ]


def test_build_with_a_handler_module_not_in_the_package_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "app", handler="missing.handler")
    assert build_error(project, capsys, "-o", str(tmp_path / "app.zip")) == [
        "error: the package cannot serve: missing.handler fails at import: "
        "ModuleNotFoundError: No module named 'missing'",
        "hint: fix the template's Handler, or its CodeUri, to name a module of the app's code",
    ]


def test_build_no_verify_writes_a_package_that_cannot_import_its_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = init_project(tmp_path / "app", DASH_APP)
    out = tmp_path / "app.zip"
    assert main(["build", "--dir", str(project), "-o", str(out), "--no-verify"]) == 0
    assert "Verified  skipped (--no-verify)" in capsys.readouterr().out.splitlines()
    assert "lambda_handler.py" in zip_names(out)


def test_build_dependency_pinned_in_pyproject_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = init_project(tmp_path / "app", "import yaml\napp = None\n")
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["lambdash"]\n'
    )
    assert build_error(project, capsys, "-o", str(tmp_path / "app.zip"))[1] == (
        f"hint: add the line PyYAML=={importlib.metadata.version('PyYAML')} to [project] "
        f"dependencies in {project / 'pyproject.toml'}, and build again"
    )


def test_build_for_another_machine_resolves_the_imports_without_running_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "arm64" if MACHINE == "x86_64" else "x86_64"
    project = init_project(tmp_path / "app", DASH_APP, requirements="lambdash\n")
    out = tmp_path / "app.zip"
    error = build_error(project, capsys, "-o", str(out), "--arch", other)
    assert error[0] == (
        "error: the package cannot serve: app.py:1 imports 'dash', which is not in the package "
        f"(found without running it: {sys.executable} runs on linux {MACHINE}, not Linux "
        f"{make_target(RUNTIME, other).machine})"
    )
    (project / "app.py").write_text("import json\n\napp = None\n")
    report = build(project, output=out, arch=other)
    assert report.verified == (
        "lambda_handler.lambda_handler: its imports resolve in the package (not run: see the "
        "note below)"
    )
    assert report.notes[0] == (
        f"could not run the package at build time ({sys.executable} runs on linux {MACHINE}, "
        f"not Linux {make_target(RUNTIME, other).machine}), so it was checked without "
        "importing it: the modules the app's code imports are in the package, but their own "
        "imports, their native libraries and GET / are unproven. Build where a "
        f"{RUNTIME} runs Linux {other} (CI or a container) to prove it"
    )


def test_build_zip_without_a_template_verifies_the_handler_init_wrote(
    tmp_path: Path,
) -> None:
    project = init_project(
        tmp_path / "app",
        "def app(environ, start_response):\n"
        "    start_response('404 Not Found', [])\n    return [b'']\n",
    )
    (project / "template.yaml").unlink()
    report = build(project, output=tmp_path / "app.zip", runtime=RUNTIME)
    # Any answer below 500 proves the app is there and serving.
    assert report.verified == (
        f"lambda_handler.lambda_handler imported from the package alone by {sys.executable}; "
        "GET / answered 404"
    )
    assert report.bytecode == "imported"


def test_build_in_an_empty_directory_points_to_lambdash_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for arguments in ([], ["-o", str(tmp_path / "app.zip")]):
        assert build_error(tmp_path, capsys, *arguments) == [
            f"error: there is no Python code in {tmp_path} to build",
            "hint: run lambdash build in your app's directory (or pass --dir); lambdash init "
            "APP (your app's module:attribute, such as app:app) writes the handler and "
            "template.yaml there",
        ]
    assert not (tmp_path / "app.zip").exists()


@pytest.mark.parametrize(
    "umask", [pytest.param(0o022, id="022"), pytest.param(0o027, id="027")]
)
def test_build_zip_has_the_mode_the_umask_gives(tmp_path: Path, umask: int) -> None:
    project = make_project(tmp_path / "app")
    out = tmp_path / "app.zip"
    previous = os.umask(umask)
    try:
        build(project, output=out)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["app", "app.zip"]


def test_build_zip_that_fails_to_write_leaves_the_old_zip_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "app")
    out = tmp_path / "app.zip"
    out.write_bytes(b"the previous build")
    monkeypatch.setattr(lambdash.packager._zip, "_MAX_ENTRIES", 1)
    with pytest.raises(CommandError, match=r"more than a zip"):
        build(project, output=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app", "app.zip"]
    assert out.read_bytes() == b"the previous build"


# verify_package, as lambdash doctor calls it on a package already built.

STATIC_APP = {
    "app.py": """\
from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import boto3

from helpers import tools
from . import nothing

try:
    import ujson
except ImportError:
    ujson = None
try:
    import orjson
except (ValueError, ModuleNotFoundError):
    pass
if TYPE_CHECKING:
    import mypy_types_xyz
try:
    import compiled
except KeyError:
    pass
try:
    import anything_xyz
except:
    pass
if __name__ == "__main__":
    import uvicorn


def lambda_handler(event, context):
    import installed

    return {"statusCode": 200}
""",
    "helpers/__init__.py": "from .inner import deep\n",
    "helpers/inner/__init__.py": "",
    "helpers/inner/deep.py": "import {needed}\n",
    "helpers/tools.py": "from ..unreached import x\n",
    "installed/__init__.py": "import not_followed_xyz\n",
    "installed-1.0.dist-info/RECORD": "installed/__init__.py,,\n",
    "compiled.cpython-311-x86_64-linux-gnu.so": "",
    "broken.py": "def (:\n",
}


@pytest.mark.parametrize(
    ("needed", "error", "missing", "requirement"),
    [
        pytest.param("compiled", None, None, None, id="found"),
        pytest.param(
            "yaml",
            "helpers/inner/deep.py:1 imports 'yaml', which is not in the package",
            "yaml",
            f"PyYAML=={importlib.metadata.version('PyYAML')}",
            id="missing",
        ),
    ],
)
def test_verify_package_without_a_python_resolves_the_apps_imports(
    tmp_path: Path,
    needed: str,
    error: str | None,
    missing: str | None,
    requirement: str | None,
) -> None:
    write_tree(
        tmp_path,
        {
            **STATIC_APP,
            "helpers/inner/deep.py": f"import {needed}\nimport broken\n",
        },
    )
    verification = verify_package(
        tmp_path,
        handler="app.lambda_handler",
        interpreter=None,
        target=make_target("python3.13", "x86_64"),
        environment={},
    )
    assert verification == Verification(
        handler="app.lambda_handler",
        ran=False,
        why_not_run="no python3.13 on this machine",
        error=error,
        missing=missing,
        requirement=requirement,
        checked=6 if error is None else 4,
    )
    assert verification.ok is (error is None)


def test_verify_package_without_a_python_and_without_the_handlers_module(
    tmp_path: Path,
) -> None:
    assert verify_package(
        tmp_path,
        handler="app.lambda_handler",
        interpreter=None,
        target=make_target("python3.13", "x86_64"),
        environment={},
    ) == Verification(
        handler="app.lambda_handler",
        ran=False,
        why_not_run="no python3.13 on this machine",
        error="the handler's module 'app' is not in the package",
        missing="app",
    )


def test_verify_package_of_an_unzipped_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    build(project, output=tmp_path / "app.zip")
    package = unpack(tmp_path / "app.zip", tmp_path / "task")
    interpreter = find_python(VERSION)
    verification = verify_package(
        package,
        handler="app.lambda_handler",
        interpreter=interpreter,
        target=make_target(RUNTIME, MACHINE_ARCH),
        environment={},
    )
    assert verification == Verification(
        handler="app.lambda_handler",
        ran=True,
        python=sys.executable,
        status=200,
        run=Imports(modules=(Path("app.py"),), status=200),
    )


def test_verify_package_falls_back_when_the_app_needs_what_lambda_provides(
    tmp_path: Path,
) -> None:
    # The SnapStart hooks exist only on Lambda: the run stops there, the files are then read.
    write_tree(
        tmp_path,
        {
            "app.py": "import snapshot_restore_py\n\ndef handler(event, context):\n    pass\n"
        },
    )
    verification = verify_package(
        tmp_path,
        handler="app.handler",
        interpreter=find_python(VERSION),
        target=make_target(RUNTIME, MACHINE_ARCH),
        environment={},
    )
    assert (verification.ran, verification.ok, verification.why_not_run) == (
        False,
        True,
        f"the app imports snapshot_restore_py, which the Lambda runtime provides and "
        f"{sys.executable} does not have",
    )
    assert verification.run is not None


def test_not_on_index_says_nothing_when_pip_could_not_reach_the_index() -> None:
    # Offline, pip retries, then finds "none": nothing is known about the project then.
    offline = PipResult(
        command=("pip",),
        returncode=1,
        output="WARNING: Retrying (Retry(total=4, connect=None)) after connection broken\n"
        "ERROR: Could not find a version that satisfies the requirement dash (from "
        "versions: none)\n",
    )
    assert not_on_index(SubprocessPip(), offline, lines=[], on_line=print) is None


def test_requirement_for_pins_what_this_environment_has() -> None:
    assert [requirement_for(m) for m in ("dash", "yaml", "nowhere_xyz")] == [
        f"dash=={importlib.metadata.version('dash')}",
        f"PyYAML=={importlib.metadata.version('PyYAML')}",
        "nowhere_xyz",
    ]


def test_names_distribution() -> None:
    lines = [
        "--no-index",
        "Dash[diskcache]>=4",
        "lambdash_x",
        "/w/Lambdash-0.1-py3-none-any.whl",
    ]
    assert [names_distribution(lines, n) for n in ("dash", "lambdash", "flask")] == [
        True,
        True,
        False,
    ]
    assert not names_distribution(["lambdash-x"], "lambdash")


# ---------------------------------------------------------------------------------------------
# pip's failures, as a new user meets them


WSGI_APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def init_project(path: Path, app: str, *, requirements: str | None = None) -> Path:
    """An app.py (and an existing requirements.txt), then ``lambdash init app:app`` for this
    machine's Python, as a new user does."""
    path.mkdir(parents=True)
    (path / "app.py").write_text(app)
    if requirements is not None:
        (path / "requirements.txt").write_text(requirements)
    assert main(["init", "app:app", "--dir", str(path), "--runtime", RUNTIME]) == 0
    return path


def build_error(
    project: Path, capsys: pytest.CaptureFixture[str], *arguments: str
) -> list[str]:
    """``lambdash build`` of *project* fails: its ``error:`` and ``hint:`` lines."""
    assert main(["build", "--dir", str(project), *arguments]) == 1
    return [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.startswith(("error: ", "hint: "))
    ]


def test_build_requirement_that_does_not_exist_on_the_index_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = init_project(tmp_path / "app", "app = None\n")
    with (project / "requirements.txt").open("a") as file:
        file.write("lambdash-no-such-dist-xyz\n")
    error = build_error(project, capsys, "-o", str(tmp_path / "app.zip"))
    assert error[0].startswith(
        "error: the requirements name 'lambdash-no-such-dist-xyz', which does not exist on "
        "https://pypi.org/simple"
    )
    assert error[1] == (
        "hint: check the name's spelling "
        "(https://pypi.org/project/lambdash-no-such-dist-xyz/), or remove the requirement"
    )


def test_build_requirement_with_only_an_sdist_is_a_missing_wheel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pip says "from versions: none" here too; the project exists, with no wheel.
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "sdistonly-1.0.tar.gz").write_bytes(b"")
    project = make_project(
        tmp_path / "app",
        requirements=f"--no-index\n--find-links {tmp_path / 'links'}\nsdistonly\n",
    )
    error = build_error(project, capsys, "-o", str(tmp_path / "app.zip"))
    assert error[0] == (
        f"error: no wheel of 'sdistonly' fits {make_target(RUNTIME, 'x86_64').describe()}"
    )


def test_build_shows_pips_command_line_only_with_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "app", requirements="--no-index\nfoo bar baz\n")
    arguments = ["build", "--dir", str(project), "-o", str(tmp_path / "app.zip")]
    assert main(arguments) == 1
    quiet = capsys.readouterr().err
    assert main([*arguments, "--verbose"]) == 1
    verbose = capsys.readouterr().err
    assert "Invalid requirement: 'foo bar baz'" in quiet
    assert "pip failed with exit code 1\n" in quiet
    assert "--platform" not in quiet
    assert "-m pip install --target" in verbose
    assert f"--platform {make_target(RUNTIME, 'x86_64').platform_tags()[0]}" in verbose


# ---------------------------------------------------------------------------------------------
# Real builds: pip against PyPI


@pytest.fixture(scope="session")
def pip_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One pip cache for the session: each wheel is downloaded once per run."""
    cache = tmp_path_factory.mktemp("pip-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIP_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(scope="session")
def demo_zip(
    pip_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BuildReport, Path]:
    """The demo, built once for this machine's Python on x86_64."""
    out = tmp_path_factory.mktemp("demo") / "dist" / "app.zip"
    return build(DEMO, runtime=RUNTIME, arch="x86_64", output=out), out


def unpack(archive: Path, destination: Path) -> Path:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(destination)
    for path in [destination, *destination.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return destination


INVOKE = """\
import json, sys
module, _, name = sys.argv[1].rpartition(".")
handler = getattr(__import__(module, fromlist=[name]), name)
for event in json.loads(sys.argv[2]):
    print(json.dumps(handler(event, None)))
"""


def invoke_all(
    package: Path,
    handler: str,
    events: list[dict[str, object]],
    *,
    isolated: bool = False,
) -> tuple[list[dict[str, object]], str]:
    """Call the handler with each of *events* in one fresh interpreter that sees only *package*
    and the stdlib, as on Lambda; *isolated* runs ``python -I -S -B``, *package* put on
    ``sys.path`` by the script."""
    before = tree(package)
    script = (
        f"import sys; sys.path.insert(0, {str(package)!r})\n{INVOKE}"
        if isolated
        else INVOKE
    )
    flags = ["-I", "-S", "-B"] if isolated else ["-S"]
    done = subprocess.run(
        [sys.executable, *flags, "-v", "-c", script, handler, json.dumps(events)],
        env={
            "PYTHONPATH": str(package),
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert tree(package) == before  # nothing written into /var/task's stand-in
    lines = done.stdout.splitlines()[-len(events) :]
    return [json.loads(line) for line in lines], done.stderr


def invoke(
    package: Path, handler: str, event: dict[str, object]
) -> tuple[dict[str, object], str]:
    """Call the handler once in a fresh interpreter, as :func:`invoke_all` does."""
    (result,), verbose = invoke_all(package, handler, [event])
    return result, verbose


def page_scripts(page: dict[str, object]) -> list[str]:
    """The paths inside the API of the scripts a Dash page loads (REST API stage Prod)."""
    return re.findall(r'<script src="/Prod(/[^"?]+)', str(page["body"]))


# The demo's callback, as the page calls it once loaded.
DEMO_CALLBACK = rest_event(
    method="POST",
    path="/_dash-update-component",
    headers=[("Content-Type", "application/json")],
    body=json.dumps(
        {
            "output": "..graph.figure...summary.children..",
            "outputs": [
                {"id": "graph", "property": "figure"},
                {"id": "summary", "property": "children"},
            ],
            "inputs": [{"id": "frequency", "property": "value", "value": 3}],
            "changedPropIds": [],
            "state": [],
        }
    ).encode(),
)


class TestHeavyBuilds:
    """Heavy: real pip against PyPI, a session-wide cache; about two minutes in all."""

    def test_demo_zip_serves_the_page_in_a_fresh_interpreter(
        self, demo_zip: tuple[BuildReport, Path], tmp_path: Path
    ) -> None:
        _, archive = demo_zip
        package = unpack(archive, tmp_path / "task")
        result, verbose = invoke(package, "app.lambda_handler", rest_event(path="/"))
        headers = result["multiValueHeaders"]
        assert isinstance(headers, dict)
        assert (result["statusCode"], result["isBase64Encoded"]) == (200, False)
        assert headers["Content-Type"] == ["text/html; charset=utf-8"]
        assert '<script id="_dash-config" type="application/json">' in str(
            result["body"]
        )
        # Imported from the shipped bytecode, not compiled again.
        pyc = package / "dash" / "__pycache__" / f"__init__.{TAG}.pyc"
        assert f"# code object from '{pyc}'" in verbose

    def test_demo_zip_contents(self, demo_zip: tuple[BuildReport, Path]) -> None:
        report, archive = demo_zip
        with zipfile.ZipFile(archive) as opened:
            infos = opened.infolist()
            pycs = {
                i.filename: opened.read(i)[4:8]
                for i in infos
                if i.filename.endswith(".pyc")
            }
        names = [i.filename for i in infos]
        tops = {n.split("/")[0] for n in names}
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 & 0o777 for i in infos} == {0o644, 0o755}
        assert not tops & {
            "boto3",
            "botocore",
            "s3transfer",
            "bin",
            "share",
            "setuptools",
        }
        assert {
            "dash-4.4.1.dist-info",
            "plotly-7.1.0.dist-info",
            "flask_compress-1.25.dist-info",
        } <= tops
        assert {"dash", "plotly", "flask", "lambdash", "app.py", "assets"} <= tops
        assert "plotly/package_data/plotly.min.js" in names
        assert "dash/dcc/async-graph.js" in names
        assert not [n for n in names if {"tests", "test"} & set(n.split("/")[:-1])]
        assert not [n for n in names if n.endswith((".js.map", ".pyi"))]
        # Dash's production builds stay, its development builds and dash_table's demo go.
        assert {
            "dash/dash-renderer/build/dash_renderer.min.js",
            "dash/deps/react@18.3.1.min.js",
            "dash/dash_table/bundle.js",
            "dash/dash_table/async-table.js",
        } <= set(names)
        assert not {
            "dash/dash-renderer/build/dash_renderer.dev.js",
            "dash/deps/react@18.3.1.js",
            "dash/dash_table/commons.js",
        } & set(names)
        # Bytecode for the modules the app imports (some 470 of 2,400).
        assert report.bytecode == "imported"
        assert 300 < len(pycs) == report.compiled_modules < 1000
        assert set(pycs.values()) == {UNCHECKED_HASH}
        assert {
            f"dash/__pycache__/__init__.{TAG}.pyc",
            f"plotly/graph_objs/__pycache__/_figure.{TAG}.pyc",
            f"__pycache__/app.{TAG}.pyc",
        } <= set(pycs)
        assert f"plotly/graph_objs/__pycache__/_figurewidget.{TAG}.pyc" not in pycs
        assert report.warnings == (
            f"--runtime {RUNTIME} differs from the template's Runtime python3.13: the function "
            "would run this package on python3.13",
        )
        assert report.zipped_size == archive.stat().st_size
        assert report.unzipped_size == sum(p.size for p in report.packages)
        assert report.trimmed_size > 40 * 1024 * 1024
        assert report.notes == ()

    def test_demo_zip_serves_its_scripts_data_and_callback(
        self, demo_zip: tuple[BuildReport, Path], tmp_path: Path
    ) -> None:
        _, archive = demo_zip
        package = unpack(archive, tmp_path / "task")
        page, _ = invoke(package, "app.lambda_handler", rest_event(path="/"))
        scripts = page_scripts(page)
        assert [s for s in scripts if "dash_renderer" in s] == [
            next(s for s in scripts if s.endswith(".min.js") and "dash_renderer" in s)
        ]
        events = [
            *(rest_event(path=script) for script in scripts),
            rest_event(path="/_dash-layout"),
            rest_event(path="/_dash-dependencies"),
            DEMO_CALLBACK,
        ]
        results, _ = invoke_all(package, "app.lambda_handler", events)
        assert [r["statusCode"] for r in results] == [200] * len(events)
        assert "sin(3x)" in str(results[-1]["body"])

    def test_demo_with_sources_dropped_serves_in_an_isolated_interpreter(
        self, pip_cache: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "app.zip"
        report = build(DEMO, runtime=RUNTIME, arch="x86_64", output=out, sources="drop")
        names = set(zip_names(out))
        assert "flask/app.pyc" in names
        assert not {"flask/app.py", f"flask/__pycache__/app.{TAG}.pyc"} & names
        # The app and lambdash keep their sources; modules without bytecode too.
        assert {"app.py", f"__pycache__/app.{TAG}.pyc", "lambdash/__init__.py"} <= names
        assert "plotly/graph_objs/_figurewidget.py" in names
        assert 300 < report.dropped_files < report.compiled_modules
        assert report.dropped_size > 2 * 1024 * 1024
        package = unpack(out, tmp_path / "task")
        results, verbose = invoke_all(
            package,
            "app.lambda_handler",
            [rest_event(path="/"), rest_event(path="/_dash-layout")],
            isolated=True,
        )
        assert [r["statusCode"] for r in results] == [200, 200]
        assert '<script id="_dash-config" type="application/json">' in str(
            results[0]["body"]
        )
        assert f"# code object from '{package / 'flask' / 'app.pyc'}'" in verbose

    def test_demo_with_dev_tools_keeps_and_serves_the_dev_bundles(
        self, pip_cache: Path, tmp_path: Path
    ) -> None:
        project = tmp_path / "dash_app"
        shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".aws-sam"))
        app = project / "app.py"
        app.write_text(
            app.read_text().replace(
                "lambda_handler = make_handler(app)",
                "app.enable_dev_tools(debug=True, dev_tools_hot_reload=False)\n"
                "lambda_handler = make_handler(app)",
            )
        )
        out = tmp_path / "app.zip"
        build(project, runtime=RUNTIME, arch="x86_64", output=out)
        package = unpack(out, tmp_path / "task")
        page, _ = invoke(package, "app.lambda_handler", rest_event(path="/"))
        scripts = page_scripts(page)
        # The renderer's, React's and ReactDOM's development builds.
        assert [
            any(part in s and not s.endswith(".min.js") for s in scripts)
            for part in ("/dash_renderer.", "/react@", "/react-dom@")
        ] == [True, True, True]
        # As a browser asks: uncompressed, the renderer's 8 MB build is over Lambda's 6 MB limit.
        gzip = [("Accept-Encoding", "gzip")]
        results, _ = invoke_all(
            package,
            "app.lambda_handler",
            [rest_event(path=s, headers=gzip) for s in scripts],
        )
        assert [r["statusCode"] for r in results] == [200] * len(scripts)

    def test_demo_zip_is_reproducible(
        self, demo_zip: tuple[BuildReport, Path], tmp_path: Path
    ) -> None:
        first, archive = demo_zip
        again = build(
            DEMO, runtime=RUNTIME, arch="x86_64", output=tmp_path / "again.zip"
        )
        assert (
            again.sha256
            == first.sha256
            == hashlib.sha256(archive.read_bytes()).hexdigest()
        )

    def test_arm64_directory_for_sam_deploy(
        self, pip_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        project = tmp_path / "dash_app"
        shutil.copytree(DEMO, project)
        with (project / "requirements.txt").open("a") as requirements:
            requirements.write("boto3\n")
        python312 = find_python("3.12")
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        if python312:
            (bin_dir / "python3.12").symlink_to(python312.path)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        report = build(project, runtime="python3.12", arch="arm64")
        out = project / ".aws-sam" / "build"
        function_dir = out / "DashFunction"
        assert (report.output, report.template) == (function_dir, out / "template.yaml")
        assert (out / "template.yaml").read_text() == (
            project / "template.yaml"
        ).read_text().replace("      CodeUri: .\n", "      CodeUri: DashFunction\n")
        assert [r.split()[0] for r in report.removed] == [
            "boto3",
            "botocore",
            "s3transfer",
        ]
        binary = 0
        for wheel in function_dir.glob("*.dist-info/WHEEL"):
            text = wheel.read_text()
            if "Root-Is-Purelib: true" in text:
                continue
            binary += 1
            tags = [
                line.split(": ")[1]
                for line in text.splitlines()
                if line.startswith("Tag: ")
            ]
            assert all(tag.endswith("_aarch64") for tag in tags), (wheel, tags)
            assert min(glibc_of(tag) for tag in tags) <= (2, 34), (wheel, tags)
        assert binary >= 4
        shared = list(function_dir.rglob("*.so"))
        # ELF e_machine 183 is AArch64.
        assert shared
        assert {so.read_bytes()[18:20] for so in shared} == {
            (183).to_bytes(2, "little")
        }
        if python312:
            assert report.python == str(bin_dir / "python3.12")
            pyc = function_dir / "dash" / "__pycache__" / "__init__.cpython-312.pyc"
            assert pyc.read_bytes()[4:8] == UNCHECKED_HASH
            # This x86_64 machine cannot run arm64 wheels to find the imports.
            assert report.bytecode == "all"
            assert [
                n
                for n in report.notes
                if n.startswith("bytecode for every module, a larger package: ")
            ]
        else:
            assert report.python is None
            assert "no python3.12 on PATH" in report.notes[-1]

    def test_local_support_library_is_packaged_and_importable(
        self, pip_cache: Path, tmp_path: Path
    ) -> None:
        project = tmp_path / "top_dir"
        shutil.copytree(SUPPORT_APP, project)
        report = build(
            project, runtime=RUNTIME, arch="x86_64", output=tmp_path / "app.zip"
        )
        names = zip_names(tmp_path / "app.zip")
        tops = {n.split("/")[0] for n in names}
        assert {
            "support_lib",
            "support_lib-1.0.dist-info",
            "markupsafe",
            "web_app_dir",
            "lambdash",
        } <= tops
        assert not tops & {"support_lib_dir", "tests"}
        assert "support_lib-1.0.dist-info/direct_url.json" not in names
        assert not [w for w in report.warnings if "Handler" in w or "name of" in w]
        package = unpack(tmp_path / "app.zip", tmp_path / "task")
        markupsafe_wheel = next(package.glob("markupsafe-*.dist-info")) / "WHEEL"
        assert "-manylinux" in markupsafe_wheel.read_text()
        result, _ = invoke(
            package,
            "web_app_dir.lambda_handler_file.lambda_handler",
            rest_event(path="/hello"),
        )
        assert (result["statusCode"], result["body"]) == (
            200,
            "&lt;hello from support_lib&gt;",
        )

    def test_requirement_without_a_wheel_is_named(
        self, pip_cache: Path, tmp_path: Path
    ) -> None:
        # docopt 0.6.2 is published as an sdist only: check that it still is.
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--dest", str(tmp_path / "dl"), "docopt"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert download.returncode != 0, (
            "docopt has a wheel now: pick another sdist-only package"
        )
        project = make_project(tmp_path / "app", requirements="docopt\n")
        with pytest.raises(CommandError) as caught:
            build(
                project,
                runtime="python3.11",
                arch="x86_64",
                output=tmp_path / "app.zip",
            )
        assert (str(caught.value), caught.value.hint) == (
            "no wheel of 'docopt' fits python3.11 on x86_64 (cp311, manylinux up to glibc 2.26)",
            "pin a version of docopt that has wheels for python3.11 on x86_64 (see "
            "https://pypi.org/project/docopt/#files), or build the wheel on Linux (a container "
            "or CI) and list the .whl file in requirements.txt",
        )

    def test_cli_prints_the_steps_and_the_size_report(
        self, pip_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        project = tmp_path / "top_dir"
        shutil.copytree(SUPPORT_APP, project)
        out = tmp_path / "dist" / "app.zip"
        arguments = ["--dir", str(project), "--runtime", RUNTIME, "-o", str(out)]
        assert main(["build", *arguments]) == 0
        printed = capsys.readouterr()
        lines = printed.out.splitlines()
        assert lines[0] == f"Largest packages ({RUNTIME}, x86_64, apparent size):"
        assert lines[-1].startswith(f"Wrote {out} (sha256 ")
        stripped = ["Stripped"] if find_strip() else []
        assert [line.split()[0] for line in lines[-6 - len(stripped) : -1]] == [
            "Unzipped",
            "Zipped",
            "Trimmed",
            *stripped,
            "Bytecode",
            "Verified",
        ]
        steps = printed.err.splitlines()
        assert [s.split("s  ", 1)[1].split()[0] for s in steps] == [
            "built", "pip", "trimmed", *[s.lower() for s in stripped], "copied", "verified",
            "compiled", "wrote",
        ]  # fmt: skip

    def test_dash_app_whose_requirements_do_not_name_lambdash(
        self, pip_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        # An existing requirements.txt names dash but not lambdash: the handler still imports.
        project = init_project(tmp_path / "app", DASH_APP, requirements="dash==4.4.1\n")
        assert (project / "requirements.txt").read_text() == "dash==4.4.1\n"
        out = tmp_path / "app.zip"
        assert main(["build", "--dir", str(project), "-o", str(out)]) == 0
        printed = capsys.readouterr()
        assert (
            f"lambdash {lambdash.__version__} from this checkout "
            f"({Path(lambdash.__file__).parent}) is in the package (requirements.txt does not "
            "name it)"
        ) in printed.err
        (page, layout), _ = invoke_all(
            unpack(out, tmp_path / "task"),
            "lambda_handler.lambda_handler",
            [rest_event(path="/"), rest_event(path="/_dash-layout")],
        )
        assert (page["statusCode"], layout["statusCode"]) == (200, 200)
        assert json.loads(str(layout["body"])) == {
            "props": {"children": "hello"},
            "type": "Div",
            "namespace": "dash_html_components",
        }

    def test_cli_error_and_hint(
        self, pip_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        project = make_project(tmp_path / "app", requirements="docopt\n")
        code = main(
            [
                "build",
                "--dir",
                str(project),
                "--runtime",
                "python3.12",
                "-o",
                str(tmp_path / "a.zip"),
            ]
        )
        err = capsys.readouterr().err
        assert code == 1
        assert err.splitlines()[-2:] == [
            "error: no wheel of 'docopt' fits python3.12 on x86_64 (cp312, manylinux up to glibc 2.34)",
            "hint: pin a version of docopt that has wheels for python3.12 on x86_64 (see "
            "https://pypi.org/project/docopt/#files), or build the wheel on Linux (a container "
            "or CI) and list the .whl file in requirements.txt",
        ]


def glibc_of(tag: str) -> tuple[int, int]:
    """The glibc a wheel tag needs: ``manylinux_2_28_x86_64`` and ``manylinux2014_…`` alike."""
    platform = tag.split("-")[2].removesuffix("_x86_64").removesuffix("_aarch64")
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    if platform in legacy:
        return legacy[platform]
    _, major, minor = platform.split("_")
    return int(major), int(minor)


def test_glibc_of_reads_both_spellings() -> None:
    assert [
        glibc_of("cp312-cp312-manylinux_2_28_aarch64"),
        glibc_of("cp312-cp312-manylinux2014_aarch64"),
        glibc_of("cp311-cp311-manylinux1_x86_64"),
        glibc_of("cp311-cp311-manylinux_2_17_x86_64"),
    ] == [(2, 28), (2, 17), (2, 5), (2, 17)]
