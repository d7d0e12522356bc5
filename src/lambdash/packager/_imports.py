"""Which of the package's modules the app imports: found by running it once, at build time.

Bytecode for every module of a Dash + pandas package adds 48 MB, a third of it for modules no
app ever loads. Compiled only for the modules the app imports while it starts and answers its
first requests, the package keeps the cold-start gain at a fraction of the size
(../shared/design/dash.md §3.1 scenario D, §3.4). A module left out still works: Python compiles
it from source when it is first imported.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["RUNTIME_PROVIDED", "WARM_PATHS", "Imports", "find_imports"]

# The requests a browser makes first: Dash's first request walks the assets, validates the layout
# and renders the script tags; the page then fetches its layout and callbacks (dash.md §1.11,
# §4.2; lambdash.snapstart warms up with the same paths). Other apps answer 404, and only once.
WARM_PATHS: tuple[str, ...] = ("/", "/_dash-layout", "/_dash-dependencies")

# What the Lambda Python runtime brings on its own path: the AWS SDK with its dependencies
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html) and the SnapStart hooks
# (snapstart-runtime-hooks-python.html). A build leaves boto3 out, so while the app runs here these
# come from the building Python's site-packages, if it has them; nothing else does.
RUNTIME_PROVIDED: tuple[str, ...] = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
    "snapshot_restore_py",
)

# Run with -I -S -B: the package first, then the standard library, as on Lambda, and no bytecode
# written. Argument 1 is a JSON object: root, handler, paths, site, provided, out.
_CHILD = """\
import importlib, importlib.machinery, json, os, sys, traceback
args = json.loads(sys.argv[1])
sys.path.insert(0, args["root"])


class _RuntimeProvided:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if path is None and name in args["provided"]:
            return importlib.machinery.PathFinder.find_spec(name, args["site"], target)
        return None


sys.meta_path.append(_RuntimeProvided)


class _Context:
    aws_request_id = "lambdash-build"
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
    memory_limit_in_mb = "1024"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "lambdash-build"

    def get_remaining_time_in_millis(self):
        return 60_000


def _event(path):
    # A Function URL (payload 2.0) GET as a browser sends it: every lambdash handler accepts it.
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "host": "lambdash-build.invalid",
            "accept": "text/html,application/json;q=0.9,*/*;q=0.8",
            "accept-encoding": "gzip, deflate, br, zstd",
        },
        "requestContext": {
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "lambdash-build"},
            "requestId": "lambdash-build",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


def _why(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def _missing(exc):
    # The module a ModuleNotFoundError names, also when the app re-raised it as another error.
    while exc is not None:
        if isinstance(exc, ModuleNotFoundError):
            return exc.name
        exc = exc.__cause__ or exc.__context__
    return None


report = {"error": None, "failed": [], "modules": [], "missing": None, "status": None,
          "root": None}
module, _, name = args["handler"].rpartition(".")
try:
    handler = getattr(importlib.import_module(module), name)
except BaseException as exc:
    report["error"] = _why(exc)
    report["missing"] = _missing(exc)
    handler = None
for index, path in enumerate(args["paths"] if handler is not None else ()):
    failure = None
    try:
        result = handler(_event(path), _Context())
        status = result.get("statusCode") if isinstance(result, dict) else None
        if not isinstance(status, int) or status >= 500:
            failure = f"GET {path} answered {status}"
        if index == 0 and isinstance(status, int):
            report["status"] = status
    except BaseException as exc:
        failure = f"GET {path} raised {_why(exc)}"
        if index == 0:
            report["missing"] = _missing(exc)
    if failure is not None:
        report["failed"].append(failure)
        if index == 0:
            report["root"] = failure
report["modules"] = sorted(
    {m.__file__ for m in list(sys.modules.values()) if isinstance(getattr(m, "__file__", None), str)}
)
with open(args["out"], "w", encoding="utf-8") as out:
    json.dump(report, out)
# Threads the app started must not keep the build waiting.
os._exit(0)
"""

_SITE = "import json, site; print(json.dumps(site.getsitepackages()))"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Imports:
    """What running the app once at build time found.

    ``modules`` are the package's ``.py`` files it imported, relative to the package's root.
    ``failed`` names each warm-up request that raised or answered 5xx. ``written`` lists what the
    app created inside the package while it ran (removed since). ``error`` says why the handler
    could not be imported; ``modules`` is then empty. ``status`` is what the first request
    (``GET /``) answered, ``root_failure`` how it failed (it is also in ``failed``), and
    ``missing`` the module a ``ModuleNotFoundError`` named, when importing the handler or that
    request raised one (directly, or as the cause of what it raised).
    """

    modules: tuple[Path, ...]
    failed: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    error: str | None = None
    missing: str | None = None
    status: int | None = None
    root_failure: str | None = None


def find_imports(
    root: Path,
    *,
    python: str,
    handler: str,
    environment: Mapping[str, str],
    timeout: float = 120.0,
) -> Imports:
    """Import *handler* from the package in *root* with *python*, serve :data:`WARM_PATHS`, and
    return the modules of *root* that were imported.

    :param python: a Python of the runtime's version that can load the package's wheels.
    :param handler: the template's ``Handler``, such as ``app.lambda_handler``.
    :param environment: the app's environment variables.
    :param timeout: seconds before the run is given up.
    """
    root = root.resolve()
    before = set(root.rglob("*"))
    site = subprocess.run(
        [python, "-I", "-c", _SITE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    with tempfile.TemporaryDirectory(prefix="lambdash-imports-") as scratch:
        out = Path(scratch) / "imports.json"
        arguments = {
            "root": str(root),
            "handler": handler,
            "paths": list(WARM_PATHS),
            "site": json.loads(site.stdout) if site.returncode == 0 else [],
            "provided": list(RUNTIME_PROVIDED),
            "out": str(out),
        }
        try:
            done = subprocess.run(
                [python, "-I", "-S", "-B", "-c", _CHILD, json.dumps(arguments)],
                cwd=root,
                env=dict(environment),
                capture_output=True,
                text=True,
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Imports(
                modules=(),
                written=_remove_new(root, before),
                error=f"it did not finish in {timeout:.0f} s",
            )
        written = _remove_new(root, before)
        if not out.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return Imports(
                modules=(),
                written=written,
                error=f"it exited with code {done.returncode}: {last}",
            )
        report = json.loads(out.read_text(encoding="utf-8"))
    if report["error"] is not None:
        return Imports(
            modules=(),
            written=written,
            error=report["error"],
            missing=report["missing"],
        )
    modules = sorted(
        {
            Path(name).resolve().relative_to(root)
            for name in report["modules"]
            if name.endswith(".py") and Path(name).resolve().is_relative_to(root)
        }
    )
    return Imports(
        modules=tuple(modules),
        failed=tuple(report["failed"]),
        written=written,
        missing=report["missing"],
        status=report["status"],
        root_failure=report["root"],
    )


def _remove_new(root: Path, before: set[Path]) -> tuple[str, ...]:
    """Delete what appeared under *root* since *before*; the top-most new paths, relative."""
    new = sorted(set(root.rglob("*")) - before)
    tops: list[Path] = []
    for path in new:
        if not any(path.is_relative_to(top) for top in tops):
            tops.append(path)
    for path in reversed(new):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    return tuple(top.relative_to(root).as_posix() for top in tops)
