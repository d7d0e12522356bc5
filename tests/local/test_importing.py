"""Every way importing ``module:attribute`` fails, said as an error and a hint (serve, doctor, init)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from lambdash.local._importing import TargetError
from lambdash.local._importing import import_object


@pytest.fixture
def code_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def fail(spec: str, code_dir: Path) -> TargetError:
    with pytest.raises(TargetError) as raised:
        import_object(spec, str(code_dir), dir_option="--dir")
    return raised.value


def unique(code_dir: Path, source: str) -> str:
    name = f"importing_{uuid.uuid4().hex[:8]}"
    (code_dir / f"{name}.py").write_text(source)
    return name


def test_a_syntax_error_shows_the_line_though_no_frame_is_the_apps(
    code_dir: Path,
) -> None:
    name = unique(code_dir, "app = (\n")
    error = fail(f"{name}:app", code_dir)
    assert (str(error), error.hint) == (
        f"importing {name!r} raised SyntaxError: '(' was never closed ({name}.py, line 1)",
        "the traceback above is the app's own: fix the line it ends at",
    )
    assert error.details.splitlines() == [
        f'  File "{code_dir}/{name}.py", line 1',
        "    app = (",
        "          ^",
        "SyntaxError: '(' was never closed",
    ]


def test_a_package_path_whose_module_is_missing_is_the_apps_own(
    code_dir: Path,
) -> None:
    package = f"pkg_{uuid.uuid4().hex[:8]}"
    (code_dir / package).mkdir()
    (code_dir / package / "__init__.py").write_text("")
    error = fail(f"{package}.app:app", code_dir)
    assert (str(error), error.hint, error.details) == (
        f"no module named '{package}.app' in {code_dir}",
        "APP is module:attribute, with a module path like app or pkg.app, not a file name; "
        f"the modules there: {package}",
        "",
    )


def test_a_known_distribution_is_named_as_pypi_names_it(code_dir: Path) -> None:
    name = unique(code_dir, "import sklearn\napp = None\n")
    error = fail(f"{name}:app", code_dir)
    assert (str(error), error.hint) == (
        f"{name!r} imports 'sklearn', which is not installed",
        "pip install scikit-learn, and add it to requirements.txt",
    )


def test_a_module_an_installed_distribution_lacks(code_dir: Path) -> None:
    name = unique(code_dir, "import flask.nowhere\napp = None\n")
    error = fail(f"{name}:app", code_dir)
    assert (str(error), error.hint) == (
        f"{name!r} imports 'flask.nowhere', which the installed 'flask' does not have",
        "install the version of 'flask' the app was written for, and pin it in requirements.txt",
    )


def test_a_module_with_no_app_says_so(code_dir: Path) -> None:
    name = unique(code_dir, "import os\nfrom os import path\nVALUE = 1\n")
    error = fail(f"{name}:app", code_dir)
    assert (str(error), error.hint) == (
        f"module {name!r} has no attribute 'app'",
        f"{name!r} has no Dash, WSGI or ASGI app or Lambda handler at module level: "
        "name the one it makes, such as app:app",
    )


def test_the_names_that_look_like_apps(code_dir: Path) -> None:
    name = unique(
        code_dir,
        "from flask import Flask\nfrom os.path import join\n"
        "server = Flask(__name__)\n"
        "def handler(event, context):\n    return {}\n"
        "class Config:\n    pass\n",
    )
    assert fail(f"{name}:app", code_dir).hint == (
        f"the names in {name!r} that look like apps: {name}:server, {name}:handler"
    )


def test_an_empty_side_of_the_colon(code_dir: Path) -> None:
    error = fail("app:", code_dir)
    assert (str(error), error.hint) == (
        "APP 'app:' is not module:attribute",
        "such as app:app",
    )
