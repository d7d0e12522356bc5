"""lambdash doctor: the user story's problems found before deploying, and none in the demo."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lambdash.cli import main
from lambdash.doctor import Finding
from lambdash.doctor import Report
from lambdash.doctor import diagnose
from lambdash.exceptions import LambdashError
from tests.conftest import require_no_awsgi

ROOT = Path(__file__).resolve().parents[1]
USER_STORY = Path(__file__).parent / "projects" / "user_story"
DEMO = ROOT / "examples" / "dash_app"

REST_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      BinaryMediaTypes: {bmt}
  Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: {module}.handler
      Runtime: {runtime}
      Timeout: 29
      Events:
        Root:
          Type: Api
          Properties: {{Path: /, Method: ANY, RestApiId: !Ref Api}}
        Proxy:
          Type: Api
          Properties: {{Path: "/{{proxy+}}", Method: ANY, RestApiId: !Ref Api}}
"""


def ids(report: Report) -> list[tuple[str, str]]:
    return [(f.id, f.severity) for f in report.findings]


def project(
    tmp_path: Path,
    app_code: str,
    *,
    bmt: str = "['*/*']",
    runtime: str = "python3.13",
    gateway: str = "rest",
) -> tuple[Path, str]:
    """A project with one app module, under a fresh module name; returns its dir and APP spec."""
    module = f"doctor_app_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(app_code)
    template = REST_TEMPLATE.format(bmt=bmt, module=module, runtime=runtime)
    if gateway == "alb":
        template = template.split("Resources:")[0] + (
            "Resources:\n  Function:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      CodeUri: .\n      Handler: {module}.handler\n      Runtime: {runtime}\n"
            "      FunctionUrlConfig: {AuthType: NONE}\n"
        )
    (tmp_path / "template.yaml").write_text(template)
    return tmp_path, f"{module}:app"


DASH_APP = """\
from dash import Dash, html
app = Dash(__name__)
app.layout = html.Div("hello")
"""


class TestUserStory:
    def test_findings_explain_what_broke(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = [
            "doctor",
            "dash_app_dir.app:app",
            "--template",
            str(USER_STORY / "template.yaml"),
            "--code-dir",
            str(USER_STORY),
        ]
        assert main([*argv, "--format", "json"]) == 1
        document = json.loads(capsys.readouterr().out)
        assert [(f["id"], f["severity"]) for f in document["findings"]] == [
            ("LD103", "error"),
            ("LD102", "warning"),
            ("LD104", "warning"),
            ("LD110", "warning"),
            ("LD112", "warning"),
        ]
        messages = {f["id"]: f["message"] for f in document["findings"]}
        assert messages["LD112"] == (
            "the function Timeout is 900 s, but the REST API gives up after 29 s: clients get 504 while the function runs on, billed"
        )
        assert messages["LD104"] == (
            "the Dash app hard-codes routes_pathname_prefix='/dash/' and requests_pathname_prefix='/dash/': it works at "
            "https://API.execute-api.REGION.amazonaws.com/dash/, https://CUSTOM-DOMAIN/dash/, but any other stage or base "
            "path will break it, and lambdash already detects the prefix per request"
        )
        assert messages["LD110"].startswith(
            "Runtime 'python3.8' was deprecated on '2024-10-14'."
        )

    def test_without_binary_media_types_the_favicon_breaks(
        self, tmp_path: Path
    ) -> None:
        shutil.copytree(USER_STORY, tmp_path / "story")
        template = tmp_path / "story" / "template.yaml"
        template.write_text(
            template.read_text().replace(
                '      BinaryMediaTypes:\n        - "image/*"\n', ""
            )
        )
        report = diagnose(tmp_path / "story", app="dash_app_dir.app:app")
        (ld101,) = [f for f in report.findings if f.id == "LD101"]
        assert (ld101.severity, ld101.message) == (
            "error",
            "the REST API has no BinaryMediaTypes, so API Gateway delivers every binary response (favicon, images, fonts, "
            "compressed pages) as base64 text; for example the image/x-icon response /dash/_favicon.ico?v=4.4.1 will arrive "
            "as base64 text for a browser request whose first Accept type is 'image/avif' (1 of 5 crawled responses break)",
        )

    def test_text_output(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(USER_STORY)
        assert main(["doctor", "dash_app_dir.app:app"]) == 1
        out = capsys.readouterr().out
        assert out.splitlines()[:4] == [
            "LD103 error: the API routes /{proxy+} but not /: the app's root URL answers 403 "
            '{"message":"Missing Authentication Token"} on AWS',
            "  where: template.yaml",
            "  fix:",
            "            Root:",
        ]
        assert out.endswith("1 error, 4 warnings (5 responses crawled)\n")

    def test_the_handler_importing_awsgi_is_an_error_the_template_checks_follow(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        require_no_awsgi()
        monkeypatch.chdir(USER_STORY)
        assert main(["doctor", "--format", "json"]) == 1
        findings = json.loads(capsys.readouterr().out)["findings"]
        assert [(f["id"], f["severity"]) for f in findings] == [
            ("LD100", "error"),
            ("LD103", "error"),
            ("LD102", "warning"),
            ("LD110", "warning"),
            ("LD112", "warning"),
        ]
        ld100 = findings[0]
        details = ld100.pop("details")
        assert ld100 == {
            "id": "LD100",
            "severity": "error",
            "message": "the app does not import: 'dash_app_dir.lambda_handler_file' imports 'awsgi', "
            "from aws-wsgi, which is not installed",
            "fix": "lambdash replaces aws-wsgi: `lambdash init APP` writes a lambda_handler.py that calls "
            "lambdash.make_handler(app); give serve and doctor the app itself (module:attribute)",
            "where": "dash_app_dir.lambda_handler_file.lambda_handler",
        }
        # The app's own traceback, and none of lambdash's or importlib's frames.
        lines = details.splitlines()
        assert (lines[:2], lines[-1]) == (
            [
                "Traceback (most recent call last):",
                f'  File "{USER_STORY}/dash_app_dir/lambda_handler_file.py", line 7, in <module>',
            ],
            "ModuleNotFoundError: No module named 'awsgi'",
        )
        assert [line for line in lines if line.startswith("  File ")] == [lines[1]]


def test_an_app_that_does_not_import_is_a_finding_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The doctor imports in this process: its code directory leaves sys.path with the test.
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "app.py").write_text(DASH_APP)
    monkeypatch.chdir(tmp_path)
    assert main(["doctor", "ap:app"]) == 1
    assert capsys.readouterr() == (
        f"LD100 error: the app does not import: no module named 'ap' in {tmp_path}\n"
        "  where: ap:app\n"
        "  fix:\n"
        "    APP is module:attribute, with a module path like app or pkg.app, not a file name; "
        "the modules there: app\n"
        "1 error (0 responses crawled)\n",
        "",
    )


def test_an_app_that_raises_shows_its_traceback_before_the_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The doctor imports in this process: its code directory leaves sys.path with the test.
    monkeypatch.setattr(sys, "path", list(sys.path))
    module = f"doctor_raises_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text("raise RuntimeError('no DATABASE_URL')\n")
    monkeypatch.chdir(tmp_path)
    assert main(["doctor", f"{module}:app"]) == 1
    assert capsys.readouterr().out == (
        "Traceback (most recent call last):\n"
        f'  File "{tmp_path}/{module}.py", line 1, in <module>\n'
        "    raise RuntimeError('no DATABASE_URL')\n"
        "RuntimeError: no DATABASE_URL\n"
        f"LD100 error: the app does not import: importing {module!r} raised RuntimeError: no DATABASE_URL\n"
        f"  where: {module}:app\n"
        "  fix:\n"
        "    the traceback above is the app's own: fix the line it ends at\n"
        "1 error (0 responses crawled)\n"
    )


def test_the_demo_has_no_findings() -> None:
    # A fresh interpreter, as `lambdash doctor` runs: the demo's own MIME registration counts.
    done = subprocess.run(
        [sys.executable, "-m", "lambdash", "doctor"],
        cwd=DEMO,
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert (done.returncode, done.stdout.splitlines()[-1]) == (
        0,
        "no problems found (40 responses crawled)",
    )


def test_compressed_pages_break_with_image_binary_media_types(tmp_path: Path) -> None:
    directory, app = project(
        tmp_path,
        DASH_APP.replace("Dash(__name__)", "Dash(__name__, compress=True)"),
        bmt="['image/*']",
    )
    report = diagnose(directory, app=app)
    (ld102,) = [f for f in report.findings if f.id == "LD102"]
    assert ld102.severity == "error"
    assert (
        "for example the text/html; charset=utf-8 page /Prod/ will arrive as base64 text for a browser request whose first Accept type is 'text/html'"
        in ld102.message
    )


def test_responses_over_the_alb_limit(tmp_path: Path) -> None:
    from lambdash.doctor._checks import check_fetches
    from lambdash.doctor._crawl import crawl
    from lambdash.local import GatewayConfig
    from lambdash.local._target import import_object

    directory, spec = project(
        tmp_path, DASH_APP.replace('html.Div("hello")', 'html.Div("x" * 1_200_000)')
    )
    app = import_object(spec, str(directory))
    fetched = crawl(app, GatewayConfig(gateway="alb"))
    findings = list(check_fetches(fetched, "ALB"))
    layout = [f for f in findings if f.where.endswith("_dash-layout")]
    assert [(f.id, f.severity) for f in layout] == [("LD105", "warning")]
    assert layout[0].message == (
        "/_dash-layout is over the ALB response limit uncompressed and fits only because lambdash gzips it for clients that accept gzip"
    )
    random = DASH_APP.replace(
        'html.Div("hello")',
        "html.Div(__import__('base64').b64encode(__import__('os').urandom(1_000_000)).decode())",
    )
    (tmp_path / "random").mkdir()
    directory2, spec2 = project(tmp_path / "random", random)
    fetched2 = crawl(
        import_object(spec2, str(directory2)), GatewayConfig(gateway="alb")
    )
    errors = [f for f in check_fetches(fetched2, "ALB") if f.severity == "error"]
    # plotly.js (4.8 MB, 1.4 MB gzipped) is over ALB's 1 MB whatever is done to it.
    assert [f.where for f in errors] == [
        "/_dash-layout",
        "/_dash-component-suites/plotly/package_data/plotly.min.js",
    ]
    assert "over the 1,048,576-byte ALB response limit" in errors[0].message


def test_app_checks(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "font.woff2").write_bytes(b"wOF2")
    code = f"""\
import diskcache
from dash import Dash, DiskcacheManager, Input, Output, html
manager = DiskcacheManager(diskcache.Cache({str(tmp_path / "cache")!r}))
app = Dash(__name__, assets_folder={str(tmp_path / "assets")!r}, background_callback_manager=manager)
app.layout = html.Div([html.Button(id="go"), html.P(id="out")])

@app.callback(Output("out", "children"), Input("go", "n_clicks"), background=True, prevent_initial_call=True)
def slow(n):
    return str(n)
"""
    directory, spec = project(tmp_path, code)
    report = diagnose(directory, app=spec)
    assert ids(report) == [
        ("LD107", "error"),
        ("LD106", "warning"),
        ("LD109", "warning"),
    ]


def test_websocket_callbacks(tmp_path: Path) -> None:
    directory, spec = project(
        tmp_path,
        DASH_APP.replace(
            "Dash(__name__)",
            'Dash(__name__, backend="fastapi", websocket_callbacks=True)',
        ),
    )
    assert ("LD108", "error") in ids(diagnose(directory, app=spec))


def test_build_for_another_python(tmp_path: Path) -> None:
    directory, spec = project(tmp_path, DASH_APP)
    built = directory / ".aws-sam" / "build" / "Function" / "pkg"
    built.mkdir(parents=True)
    (built / "fast.cpython-312-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    with (built / "huge.bin").open("wb") as sparse:
        sparse.truncate(260 * 1024 * 1024)
    with (directory / ".aws-sam" / "build" / "app.zip").open("wb") as sparse:
        sparse.truncate(51 * 1024 * 1024)
    report = diagnose(directory, app=spec)
    # The handler's module is not in the fake build either: LD114 says so.
    assert [f.id for f in report.findings] == ["LD111", "LD113", "LD113", "LD114"]
    assert report.findings[0].message == (
        f"the build in {directory / '.aws-sam' / 'build' / 'Function'} holds compiled code for Python 3.12, but the "
        "Runtime is python3.13: its extensions will not import"
    )


RUNNING = f"python{sys.version_info[0]}.{sys.version_info[1]}"
PLAIN_HANDLER = """\
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""


def built_package(directory: Path, spec: str, code: str) -> Path:
    """A ``.aws-sam/build/Function`` holding the Handler's module alone, with *code*."""
    function_dir = directory / ".aws-sam" / "build" / "Function"
    function_dir.mkdir(parents=True)
    (function_dir / f"{spec.partition(':')[0]}.py").write_text(code)
    return function_dir


def test_a_build_that_cannot_import_its_app_is_an_error_naming_the_line_to_add(
    tmp_path: Path,
) -> None:
    # The build holds the app but not Dash, as lambdash build --no-verify or sam build leaves
    # it when requirements.txt lacks dash; the app imports here, from this environment.
    directory, spec = project(tmp_path, DASH_APP, runtime=RUNNING)
    module = spec.partition(":")[0]
    function_dir = built_package(directory, spec, DASH_APP)
    report = diagnose(directory, app=spec)
    assert report.findings == (
        Finding(
            id="LD114",
            severity="error",
            message=f"the build in {function_dir} fails on Lambda: the package cannot serve: "
            f"{module}.handler fails at import: ModuleNotFoundError: No module named 'dash'",
            fix=f"add the line dash=={importlib.metadata.version('dash')} to "
            f"{directory / 'requirements.txt'} (what lambdash build reads), and build again",
            where=str(function_dir),
        ),
    )


def test_a_build_that_serves_has_no_finding(tmp_path: Path) -> None:
    directory, spec = project(tmp_path, DASH_APP, runtime=RUNNING)
    built_package(directory, spec, PLAIN_HANDLER)
    assert diagnose(directory, app=spec).findings == ()


def test_a_build_this_machine_cannot_run_is_checked_without_running(
    tmp_path: Path,
) -> None:
    other, machine = (
        ("x86_64", "x86_64")
        if platform.machine().lower() in ("aarch64", "arm64")
        else ("arm64", "aarch64")
    )
    here = "aarch64" if machine == "x86_64" else "x86_64"
    directory, spec = project(tmp_path, DASH_APP, runtime=RUNNING)
    template = directory / "template.yaml"
    template.write_text(
        template.read_text().replace(
            "Timeout: 29", f"Timeout: 29\n      Architectures: [{other}]"
        )
    )
    function_dir = built_package(directory, spec, PLAIN_HANDLER)
    assert diagnose(directory, app=spec).findings == (
        Finding(
            id="LD114",
            severity="info",
            message=f"the build in {function_dir} could not be run here ({sys.executable} runs "
            f"on linux {here}, not Linux {machine}): the modules the app's code imports are in "
            "it, but their own imports and GET / are unproven",
            fix=f"lambdash doctor where a {RUNNING} runs Linux {other}",
            where=str(function_dir),
        ),
    )


def test_cfn_lint_errors_are_findings(tmp_path: Path) -> None:
    directory, spec = project(tmp_path, DASH_APP)
    template = directory / "template.yaml"
    template.write_text(
        template.read_text().replace(
            "Timeout: 29", "Timeout: 29\n      MemorySize: 99999"
        )
    )
    (finding,) = diagnose(directory, app=spec).findings
    assert (finding.id, finding.severity, finding.message, finding.where) == (
        "LD190",
        "error",
        "99999 is greater than the maximum of 32768 (cfn-lint E3034)",
        f"{template}:16",
    )


def test_app_found_beside_the_handler(tmp_path: Path) -> None:
    directory, _ = project(tmp_path, DASH_APP)
    report = diagnose(directory)
    crawled = {f.url: f.status for f in report.fetched}
    assert (report.findings, crawled["/Prod/"], crawled["/Prod/_dash-layout"]) == (
        (),
        200,
        200,
    )


def test_no_template_and_no_app(tmp_path: Path) -> None:
    with pytest.raises(
        LambdashError, match=r"^no template at '.*template.yaml' and no APP to check$"
    ):
        diagnose(tmp_path)


def test_unreadable_template(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources: [unclosed")
    with pytest.raises(
        LambdashError, match=r"^cannot read the template '.*template.yaml': "
    ):
        diagnose(tmp_path)


def test_wsgi_app_without_template(tmp_path: Path) -> None:
    (tmp_path / "plain_wsgi_doctor.py").write_text(
        "def app(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n"
    )
    report = diagnose(tmp_path, app="plain_wsgi_doctor:app")
    # Without a template, the app is crawled behind the default front door: a REST API's Prod stage.
    assert (report.findings, [(f.url, f.status) for f in report.fetched]) == (
        (),
        [("/Prod/", 200)],
    )
