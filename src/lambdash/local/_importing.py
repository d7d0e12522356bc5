"""Importing the user's ``module:attribute``, and every way that fails, said so a user can act.

``lambdash serve`` (in its workers), ``lambdash doctor`` and ``lambdash init`` (in a child
process) import the app through here, so the three say the same thing about the same mistake:
an error naming what is wrong, a hint saying what to do, and, when the failure happened inside
the app's own code, the app's traceback without lambdash's and importlib's frames.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import lambdash
from lambdash._command import CommandError
from lambdash._dash import is_dash

__all__ = ["TargetError", "app_names", "import_module", "import_object", "split_spec"]

# The Lambda adapters lambdash replaces, by import name: their distribution on PyPI.
_ADAPTERS = {
    "awsgi": "aws-wsgi",
    "apig_wsgi": "apig-wsgi",
    "serverless_wsgi": "serverless-wsgi",
    "mangum": "mangum",
}
# Import names whose distribution is named otherwise; others are guessed as name with - for _.
_DISTRIBUTIONS = {
    "PIL": "Pillow",
    "bs4": "beautifulsoup4",
    "cv2": "opencv-python-headless",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "PyJWT",
    "sklearn": "scikit-learn",
    "yaml": "PyYAML",
}
_SPEC_FORM = (
    "APP is module:attribute, with a module path like app or pkg.app, not a file name"
)
_LAMBDASH_DIR = os.path.dirname(lambdash.__file__) + os.sep
_IMPORTLIB_DIR = os.path.dirname(importlib.__file__) + os.sep


class TargetError(CommandError):
    """The target cannot be imported, found, or told apart as handler or app.

    :param message: what is wrong, for the ``error:`` line.
    :param hint: what to do, for the ``hint:`` line.
    :param details: the app's own traceback, when the failure happened inside its code.
    """


def split_spec(spec: str) -> tuple[str, str]:
    """The module and attribute of ``module:attribute``.

    :raises TargetError: when *spec* has no colon, an empty side, or names a file.
    """
    module, colon, attribute = spec.partition(":")
    if module.endswith(".py") or "/" in module or "\\" in module:
        dotted = (
            module.removesuffix(".py").replace("\\", "/").strip("/").replace("/", ".")
        )
        msg = f"APP {spec!r} is a file name: {_SPEC_FORM}"
        raise TargetError(
            msg, hint=f"use the module path: {dotted or 'app'}:{attribute or 'app'}"
        )
    if not colon:
        msg = f"APP {spec!r} has no ':attribute': APP is module:attribute, the module and the app in it"
        raise TargetError(
            msg,
            hint=f"such as {spec}:app, for app = Dash(__name__) in {spec.replace('.', '/')}.py",
        )
    if not module or not attribute:
        msg = f"APP {spec!r} is not module:attribute"
        raise TargetError(msg, hint=f"such as {module or 'app'}:{attribute or 'app'}")
    return module, attribute


def import_module(name: str, code_dir: str, *, dir_option: str) -> ModuleType:
    """Import module *name* from *code_dir*, first on ``sys.path``, as Lambda imports from its task root.

    :param dir_option: the command's option that names *code_dir*, for the hint.
    :raises TargetError: for anything the import raised.
    """
    # Absolute, as Lambda's task root is: a relative entry means another directory after a chdir.
    root = os.path.abspath(code_dir)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        return importlib.import_module(name)
    except (Exception, SystemExit) as exc:
        raise _failure(exc, name, code_dir, dir_option) from exc


def import_object(spec: str, code_dir: str, *, dir_option: str = "--code-dir") -> Any:
    """The object ``module:attribute`` names, imported from *code_dir*.

    :param dir_option: the command's option that names *code_dir*, for hints.
    :raises TargetError: when *spec* is malformed, its module fails to import, or lacks the attribute.
    """
    module_name, attribute = split_spec(spec)
    module = import_module(module_name, code_dir, dir_option=dir_option)
    obj: Any = module
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            msg = f"module {module_name!r} has no attribute {attribute!r}"
            names = app_names(module)
            hint = (
                f"the names in {module_name!r} that look like apps: {', '.join(names)}"
                if names
                else f"{module_name!r} has no Dash, WSGI or ASGI app or Lambda handler at module "
                "level: name the one it makes, such as app:app"
            )
            raise TargetError(msg, hint=hint) from exc
    return obj


def app_names(module: ModuleType) -> list[str]:
    """``module:name`` for each name in *module* that looks like an app or a Lambda handler."""
    found = []
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.isclass(value) or inspect.ismodule(value):
            continue
        defined_here = getattr(value, "__module__", None) == module.__name__
        if (
            is_dash(value)
            or (inspect.isroutine(value) and defined_here)
            or (callable(value) and not inspect.isroutine(value))
        ):
            found.append(f"{module.__name__}:{name}")
    return found


def _failure(
    exc: BaseException, name: str, code_dir: str, dir_option: str
) -> TargetError:
    details = _app_traceback(exc)
    where = os.path.abspath(code_dir)
    missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
    if missing is not None and not details and f"{name}.".startswith(f"{missing}."):
        return TargetError(
            f"no module named {missing!r} in {where}",
            hint=f"{_SPEC_FORM}; {_modules_in(where, dir_option)}",
        )
    if missing is not None:
        return _missing_dependency(missing, name, details)
    msg = f"importing {name!r} raised {type(exc).__name__}: {exc}"
    hint = (
        "the traceback above is the app's own: fix the line it ends at"
        if details
        else f"check that {name!r} imports with the Python that runs lambdash ({sys.executable})"
    )
    return TargetError(msg, hint=hint, details=details)


def _missing_dependency(missing: str, name: str, details: str) -> TargetError:
    top = missing.partition(".")[0]
    if top in _ADAPTERS:
        return TargetError(
            f"{name!r} imports {missing!r}, from {_ADAPTERS[top]}, which is not installed",
            hint=f"lambdash replaces {_ADAPTERS[top]}: `lambdash init APP` writes a lambda_handler.py "
            "that calls lambdash.make_handler(app); give serve and doctor the app itself (module:attribute)",
            details=details,
        )
    if top != missing and importlib.util.find_spec(top) is not None:
        return TargetError(
            f"{name!r} imports {missing!r}, which the installed {top!r} does not have",
            hint=f"install the version of {top!r} the app was written for, and pin it in requirements.txt",
            details=details,
        )
    known = _DISTRIBUTIONS.get(top)
    install = (
        f"pip install {known}"
        if known
        else f"pip install the distribution that provides {top!r} (usually {top.replace('_', '-')})"
    )
    return TargetError(
        f"{name!r} imports {missing!r}, which is not installed",
        hint=f"{install}, and add it to requirements.txt",
        details=details,
    )


def _modules_in(directory: str, dir_option: str) -> str:
    path = Path(directory)
    names = (
        sorted(
            {p.stem for p in path.glob("*.py")}
            | {p.parent.name for p in path.glob("*/__init__.py")}
        )
        if path.is_dir()
        else []
    )
    if not names:
        return f"there is no Python module there: run lambdash in the app's directory, or pass {dir_option}"
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return f"the modules there: {shown}"


def _keep(frame: traceback.FrameSummary) -> bool:
    name = frame.filename
    return not (name.startswith((_LAMBDASH_DIR, _IMPORTLIB_DIR, "<frozen importlib")))


def _app_traceback(exc: BaseException) -> str:
    """The traceback of *exc* in the app's own frames; empty when none of them is the app's."""
    summary = traceback.TracebackException.from_exception(exc)
    summary.stack = traceback.StackSummary.from_list(
        [frame for frame in summary.stack if _keep(frame)]
    )
    if not summary.stack and not isinstance(exc, SyntaxError):
        return ""
    return "".join(summary.format()).rstrip("\n")
