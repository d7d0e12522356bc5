"""The checks. Each finding ID is stable; the table in README.md lists them all.

Static checks read the template; dynamic ones look at the app and at what the crawl fetched.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lambdash.doctor._crawl import Fetch
from lambdash.doctor._model import Finding
from lambdash.exceptions import LambdashError
from lambdash.local._template import TemplateSettings

__all__ = [
    "check_app",
    "check_binary_media_types",
    "check_build",
    "check_fetches",
    "check_package",
    "check_prefix",
    "check_template",
]

# API Gateway's integration timeouts (limits.html): a longer function Timeout only bills time
# no client waits for.
_INTEGRATION_TIMEOUTS = {"rest": 29.0, "http": 30.0}
_ZIP_LIMIT = 50 * 1024 * 1024
_UNZIPPED_LIMIT = 250 * 1024 * 1024
_WEB_TYPES = {
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".svg": "image/svg+xml",
}
_BMT_FIX = """\
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      BinaryMediaTypes: ['*/*']"""


def check_binary_media_types(
    settings: TemplateSettings, fetches: list[Fetch]
) -> Iterator[Finding]:
    """LD101 and LD102: a REST API must decode base64 responses for every Accept type a browser sends."""
    if settings.gateway != "rest" or "*/*" in settings.binary_media_types:
        return
    broken = [f for f in fetches if not f.decoded]
    evidence = ""
    if broken:
        first = broken[0]
        kind = "page" if first.accept.startswith("text/html") else "response"
        evidence = (
            f"; for example the {first.content_type or 'untyped'} {kind} {first.url} will arrive as base64 "
            f"text for a browser request whose first Accept type is {first.accept.split(',')[0]!r}"
            f" ({len(broken)} of {len(fetches)} crawled responses break)"
        )
    if not settings.binary_media_types:
        yield Finding(
            id="LD101",
            severity="error",
            message="the REST API has no BinaryMediaTypes, so API Gateway delivers every binary response "
            f"(favicon, images, fonts, compressed pages) as base64 text{evidence}",
            fix=_BMT_FIX,
            where=str(settings.path),
        )
        return
    consequence = evidence or (
        ", so binary responses fetched with another first Accept type arrive as base64 text: fonts "
        "(Accept */*), pages compressed with compress=True (Accept text/html), a favicon opened directly"
    )
    yield Finding(
        id="LD102",
        severity="error" if broken else "warning",
        message=f"BinaryMediaTypes {list(settings.binary_media_types)} is narrower than ['*/*']: API Gateway "
        f"decodes base64 only when the request's first Accept type matches{consequence}",
        fix=_BMT_FIX,
        where=str(settings.path),
    )


def check_template(
    settings: TemplateSettings, lint: list[tuple[str, str, int]]
) -> Iterator[Finding]:
    """LD103, LD110, LD112 and cfn-lint's own errors (LD190)."""
    where = str(settings.path)
    if (
        settings.gateway in ("rest", "http")
        and settings.proxy_route
        and not settings.root_route
    ):
        yield Finding(
            id="LD103",
            severity="error",
            message="the API routes /{proxy+} but not /: the app's root URL answers 403 "
            '{"message":"Missing Authentication Token"} on AWS',
            fix="        Root:\n          Type: Api\n          Properties: {Path: /, Method: ANY}",
            where=where,
        )
    limit = _INTEGRATION_TIMEOUTS.get(settings.gateway)
    if limit is not None and settings.timeout > limit:
        yield Finding(
            id="LD112",
            severity="warning",
            message=f"the function Timeout is {settings.timeout:g} s, but the {settings.gateway.upper()} API gives up "
            f"after {limit:g} s: clients get 504 while the function runs on, billed",
            fix=f"      Timeout: {int(limit)}",
            where=where,
        )
    for rule, message, line in lint:
        if re.fullmatch(r"[EW]253\d", rule):
            yield Finding(
                id="LD110",
                severity="error" if rule.startswith("E") else "warning",
                message=f"{message} (cfn-lint {rule})",
                fix="      Runtime: python3.13",
                where=f"{where}:{line}",
            )
        elif rule.startswith("E"):
            yield Finding(
                id="LD190",
                severity="error",
                message=f"{message} (cfn-lint {rule})",
                fix="",
                where=f"{where}:{line}",
            )


def check_prefix(
    prefixes: tuple[str, str], statuses: dict[str, int]
) -> Iterator[Finding]:
    """LD104: a hard-coded Dash prefix ties the app to the URLs it was written for.

    *prefixes* are the app's routes and requests prefixes as it set them; *statuses* maps each URL the API serves the app at (the execute-api stage, each custom domain
    base path) to the status of a browser navigation there.
    """
    routes, requests = prefixes
    if routes == "/" and requests == "/":
        return
    failing = [url for url, status in statuses.items() if status >= 400]
    working = [url for url, status in statuses.items() if status < 400]
    settings = (
        f"routes_pathname_prefix={routes!r} and requests_pathname_prefix={requests!r}"
    )
    if failing:
        outcome = f"the page fails at {', '.join(failing)}"
        if working:
            outcome += f" and works only at {', '.join(working)}"
    else:
        outcome = (
            f"it works at {', '.join(working)}, but any other stage or base path will break it, "
            "and lambdash already detects the prefix per request"
        )
    yield Finding(
        id="LD104",
        severity="error" if failing else "warning",
        message=f"the Dash app hard-codes {settings}: {outcome}",
        fix="app = Dash(__name__)  # no url_base_pathname, routes_pathname_prefix or requests_pathname_prefix",
        where="Dash()",
    )


def check_app(app: Any, dash: bool, registered: set[str]) -> Iterator[Finding]:
    """LD106 to LD109: what in the app itself cannot work on Lambda.

    *registered* holds the file suffixes the app added to ``mimetypes`` when it was imported.
    """
    if not dash:
        return
    builtin = mimetypes.MimeTypes(filenames=())
    folder = Path(app.config.assets_folder)
    if folder.is_dir():
        suffixes = sorted(
            {p.suffix.lower() for p in folder.rglob("*") if p.is_file()}
            & set(_WEB_TYPES)
        )
        unknown = [
            s
            for s in suffixes
            if builtin.guess_type("x" + s)[0] is None and s not in registered
        ]
        if unknown:
            yield Finding(
                id="LD106",
                severity="warning",
                message=f"Python's built-in MIME table has no type for {', '.join(unknown)}: where the Lambda image has "
                "no /etc/mime.types, Dash serves these assets as application/octet-stream",
                fix="import mimetypes\n"
                + "\n".join(
                    f'mimetypes.add_type("{_WEB_TYPES[s]}", "{s}")' for s in unknown
                ),
                where=str(folder),
            )
    callbacks = list(getattr(app, "callback_map", {}).values())
    background = [c for c in callbacks if isinstance(c, dict) and c.get("background")]
    managers = [
        getattr(app, "_background_manager", None),
        *(c.get("manager") for c in background),
    ]
    if background and any(type(m).__name__ == "DiskcacheManager" for m in managers):
        yield Finding(
            id="LD107",
            severity="error",
            message="background callbacks use DiskcacheManager: its job runs in a child process and its results in the "
            "function's /tmp, which the polling requests of other Lambda instances cannot see",
            fix="from dash import CeleryManager  # with a broker outside Lambda, or make the callback synchronous",
            where="Dash(background_callback_manager=...)",
        )
    if getattr(app, "_websocket_callbacks", False) or any(
        isinstance(c, dict) and c.get("websocket") for c in callbacks
    ):
        yield Finding(
            id="LD108",
            severity="error",
            message="WebSocket callbacks cannot work on Lambda: API Gateway REST and HTTP APIs, ALB and Function URLs "
            "carry request/response HTTP only",
            fix="app = Dash(__name__, websocket_callbacks=False)",
            where="Dash(websocket_callbacks=True)",
        )
    if background and not getattr(app.server, "secret_key", None):
        yield Finding(
            id="LD109",
            severity="warning",
            message="background callbacks without server.secret_key: Dash signs job handles with a per-process "
            "secret, so a poll that reaches another Lambda instance fails",
            fix='app.server.secret_key = os.environ["DASH_SECRET_KEY"]',
            where="app.server.secret_key",
        )


def check_fetches(fetches: list[Fetch], limit_name: str) -> Iterator[Finding]:
    """LD105: responses over the payload limit, and those only gzip kept under it."""
    for fetched in fetches:
        if fetched.too_large:
            yield Finding(
                id="LD105",
                severity="error",
                message=fetched.too_large,
                fix="app = Dash(__name__, compress=True)  # or serve_locally=False, or static files from a CDN",
                where=fetched.url,
            )
        elif fetched.compressed_to_fit:
            yield Finding(
                id="LD105",
                severity="warning",
                message=f"{fetched.url} is over the {limit_name} response limit uncompressed and fits only because lambdash "
                "gzips it for clients that accept gzip",
                fix="app = Dash(__name__, compress=True)",
                where=fetched.url,
            )


def check_build(settings: TemplateSettings, build_dir: Path) -> Iterator[Finding]:
    """LD111 and LD113: the built package's Python version and size."""
    function_dir = build_dir / settings.function
    if not function_dir.is_dir():
        return
    runtime = (settings.runtime or "").removeprefix("python").replace(".", "")
    tags = {
        m.group(1)
        for p in function_dir.rglob("*.so")
        if (m := re.search(r"cpython-(3\d+)", p.name))
    }
    tags |= {
        m.group(1)
        for p in function_dir.rglob("*.pyc")
        if (m := re.search(r"cpython-(3\d+)", p.name))
    }
    wrong = sorted(tag for tag in tags if tag != runtime)
    if runtime and wrong:
        versions = ", ".join(f"3.{t[1:]}" for t in wrong)
        yield Finding(
            id="LD111",
            severity="error",
            message=f"the build in {function_dir} holds compiled code for Python {versions}, but the Runtime is "
            f"{settings.runtime}: its extensions will not import",
            fix=f"lambdash build --runtime {settings.runtime}",
            where=str(function_dir),
        )
    size = sum(p.stat().st_size for p in function_dir.rglob("*") if p.is_file())
    if size > _UNZIPPED_LIMIT:
        yield Finding(
            id="LD113",
            severity="error",
            message=f"the package is {size / 1e6:.0f} MB unzipped, over Lambda's 250 MB limit",
            fix="lambdash build  # trims tests, type stubs and source maps; or move data to S3",
            where=str(function_dir),
        )
    zips = [p for p in build_dir.glob("*.zip") if p.stat().st_size > _ZIP_LIMIT]
    for archive in zips:
        yield Finding(
            id="LD113",
            severity="error",
            message=f"{archive.name} is {archive.stat().st_size / 1e6:.0f} MB zipped, over Lambda's 50 MB direct upload limit",
            fix="sam deploy  # uploads through S3 (resolve_s3 = true), which allows 250 MB unzipped",
            where=str(archive),
        )


def check_package(
    settings: TemplateSettings, build_dir: Path, template: Path
) -> Iterator[Finding]:
    """LD114: the built package imports its Handler from its own files and answers ``GET /``,
    proven as ``lambdash build`` proves it before writing (:func:`~lambdash.packager.verify_package`).
    """
    from lambdash.packager._build import DEFAULT_RUNTIME
    from lambdash.packager._bytecode import find_python
    from lambdash.packager._samtemplate import function_architecture
    from lambdash.packager._target import make_target
    from lambdash.packager._verify import explain
    from lambdash.packager._verify import lambda_environment
    from lambdash.packager._verify import verify_package

    function_dir = build_dir / settings.function
    if not settings.handler or not function_dir.is_dir():
        return
    try:
        target = make_target(
            settings.runtime or DEFAULT_RUNTIME,
            function_architecture(template, settings.function) or "x86_64",
        )
    except LambdashError:
        # A runtime lambdash cannot build for is LD110's (or cfn-lint's) to report.
        return
    verification = verify_package(
        function_dir,
        handler=settings.handler,
        interpreter=find_python(target.python_version),
        target=target,
        environment=lambda_environment(
            function=settings.function, runtime=target.runtime, root=function_dir
        ),
    )
    if not verification.ok:
        message, hint = explain(
            verification,
            requirements=f"{settings.code_dir / 'requirements.txt'} (what lambdash build reads)",
        )
        yield Finding(
            id="LD114",
            severity="error",
            message=f"the build in {function_dir} fails on Lambda: {message}",
            fix=hint,
            where=str(function_dir),
        )
    elif not verification.ran:
        yield Finding(
            id="LD114",
            severity="info",
            message=f"the build in {function_dir} could not be run here "
            f"({verification.why_not_run}): the modules the app's code imports are in it, "
            "but their own imports and GET / are unproven",
            fix=f"lambdash doctor where a python{target.python_version} runs Linux {target.arch}",
            where=str(function_dir),
        )
