"""``lambdash serve``: settings from flags and templates, the banner, and clear failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

import lambdash
from lambdash.cli import _parser
from lambdash.cli import main
from lambdash.cli import plan_serve
from lambdash.local import GatewayConfig
from lambdash.local import Target
from tests.conftest import require_no_awsgi

ROOT = Path(__file__).resolve().parents[2]
APPS = str(Path(__file__).parent / "apps")
DEMO = ROOT / "examples" / "dash_app"

# The user story's template, as the doctor's fixture project keeps it.
USER_STORY_TEMPLATE = (
    ROOT / "tests" / "projects" / "user_story" / "template.yaml"
).read_text()


def plan(*argv: str) -> object:
    return plan_serve(_parser().parse_args(["serve", *argv]))


def test_defaults_without_a_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    resolved = plan_serve(_parser().parse_args(["serve", "app:server"]))
    assert (resolved.config, resolved.target, resolved.template, resolved.warnings) == (
        GatewayConfig(),
        Target(spec="app:server", code_dir="."),
        None,
        (),
    )


def test_the_user_story_template_is_read_and_its_pitfalls_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "template.yaml").write_text(USER_STORY_TEMPLATE)
    monkeypatch.chdir(tmp_path)
    resolved = plan_serve(
        _parser().parse_args(["serve", "--binary-media-types", "*/*"])
    )
    assert resolved.config == GatewayConfig(
        gateway="rest",
        stage="dash",
        binary_media_types=("*/*",),
        root_route=False,
        proxy_route=True,
        timeout=900.0,
        memory_size=2048,
    )
    assert resolved.target == Target(
        spec="dash_app_dir.lambda_handler_file:lambda_handler",
        kind="handler",
        code_dir=".",
        binary_media_types=("*/*",),
    )
    assert resolved.warnings == (
        "--binary-media-types ('*/*',) differs from the template's ('image/*',); AWS would deploy the template's",
        "the template routes /{proxy+} but not /: the root URL fails on AWS with 403, and here too",
    )


def test_no_app_and_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 1
    assert capsys.readouterr().err == (
        "error: name the APP to serve (module:attribute), or give a template whose function has a Handler\n"
        "hint: lambdash serve module:attribute, such as app:app for app.py's app; "
        "or lambdash init module:attribute, which writes a template.yaml that serve reads\n"
    )


def test_version_names_the_installed_lambdash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert (exited.value.code, capsys.readouterr().out) == (
        0,
        f"lambdash {lambdash.__version__}\n",
    )


def test_unknown_gateway_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "app:app", "--gateway", "websocket"])
    assert exited.value.code == 2
    assert "argument --gateway: invalid choice: 'websocket'" in capsys.readouterr().err


def test_missing_template(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["serve", "--template", str(tmp_path / "nope.yaml")]) == 1
    assert capsys.readouterr().err.startswith(
        f"error: cannot read the template '{tmp_path / 'nope.yaml'}': [Errno 2]"
    )


def test_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert (
            main(["serve", "echo_app:app", "--code-dir", APPS, "--port", str(port)])
            == 1
        )
    assert capsys.readouterr().err == (
        f"error: port {port} on 127.0.0.1 is already in use\nhint: stop the other server, or pass --port {port + 1}\n"
    )


def test_import_error_stops_serve(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "broken_import:app", "--code-dir", APPS, "--port", "0"]) == 1
    assert capsys.readouterr().err == (
        "Traceback (most recent call last):\n"
        f'  File "{APPS}/broken_import.py", line 6, in <module>\n'
        "    raise ImportError(message)\n"
        "ImportError: no module named 'dash_bootstrap_components'\n"
        "error: importing 'broken_import' raised ImportError: no module named 'dash_bootstrap_components'\n"
        "hint: the traceback above is the app's own: fix the line it ends at\n"
    )


DASH_APP = """\
from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("hello")
"""
# The user story's handler, beside the app it wraps with aws-wsgi.
AWSGI_HANDLER = """\
import awsgi
from app import app


def lambda_handler(event, context):
    return awsgi.response(app.server, event, context, ["image/x-icon"])
"""
SPEC_FORM = (
    "APP is module:attribute, with a module path like app or pkg.app, not a file name"
)


@pytest.fixture
def new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory with a Dash app.py and the user story's handler, as the current directory."""
    (tmp_path / "app.py").write_text(DASH_APP)
    (tmp_path / "lambda_handler_file.py").write_text(AWSGI_HANDLER)
    (tmp_path / "boom.py").write_text("settings = {}\nsecret = settings['SECRET']\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("app", "stderr"),
    [
        pytest.param(
            "nonexistent:app",
            "error: no module named 'nonexistent' in {dir}\n"
            f"hint: {SPEC_FORM}; the modules there: app, boom, lambda_handler_file\n",
            id="no-such-module",
        ),
        pytest.param(
            "app:missing",
            "error: module 'app' has no attribute 'missing'\n"
            "hint: the names in 'app' that look like apps: app:app\n",
            id="no-such-attribute",
        ),
        pytest.param(
            "app",
            "error: APP 'app' has no ':attribute': APP is module:attribute, the module and the app in it\n"
            "hint: such as app:app, for app = Dash(__name__) in app.py\n",
            id="no-colon",
        ),
        pytest.param(
            "app.py",
            f"error: APP 'app.py' is a file name: {SPEC_FORM}\n"
            "hint: use the module path: app:app\n",
            id="file-name",
        ),
        pytest.param(
            "src/app.py:server",
            f"error: APP 'src/app.py:server' is a file name: {SPEC_FORM}\n"
            "hint: use the module path: src.app:server\n",
            id="file-path",
        ),
        pytest.param(
            "boom:app",
            "Traceback (most recent call last):\n"
            '  File "{dir}/boom.py", line 2, in <module>\n'
            "    secret = settings['SECRET']\n"
            "             ~~~~~~~~^^^^^^^^^^\n"
            "KeyError: 'SECRET'\n"
            "error: importing 'boom' raised KeyError: 'SECRET'\n"
            "hint: the traceback above is the app's own: fix the line it ends at\n",
            id="app-raises",
        ),
        pytest.param(
            "lambda_handler_file:lambda_handler",
            "Traceback (most recent call last):\n"
            '  File "{dir}/lambda_handler_file.py", line 1, in <module>\n'
            "    import awsgi\n"
            "ModuleNotFoundError: No module named 'awsgi'\n"
            "error: 'lambda_handler_file' imports 'awsgi', from aws-wsgi, which is not installed\n"
            "hint: lambdash replaces aws-wsgi: `lambdash init APP` writes a lambda_handler.py that calls "
            "lambdash.make_handler(app); give serve and doctor the app itself (module:attribute)\n",
            id="user-story-awsgi",
        ),
    ],
)
def test_an_app_that_cannot_be_served_gets_one_error_and_one_hint(
    new_project: Path, capsys: pytest.CaptureFixture[str], app: str, stderr: str
) -> None:
    if "awsgi" in stderr:
        require_no_awsgi()
    assert main(["serve", app, "--port", "0", "--workers", "1"]) == 1
    assert capsys.readouterr().err == stderr.format(dir=new_project)


def test_an_empty_directory_has_no_module_to_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    # A name no other test's directory has: a worker that found one would serve it for ever.
    module = f"app_{uuid.uuid4().hex[:8]}"
    assert main(["serve", f"{module}:app", "--port", "0", "--workers", "1"]) == 1
    assert capsys.readouterr().err == (
        f"error: no module named {module!r} in {tmp_path}\n"
        f"hint: {SPEC_FORM}; there is no Python module there: run lambdash in the app's "
        "directory, or pass --code-dir\n"
    )


def test_the_real_command_shows_no_traceback_of_lambdash(new_project: Path) -> None:
    """The command as a user runs it: the worker's own process, and nothing of lambdash's code."""
    done = subprocess.run(
        [sys.executable, "-m", "lambdash", "serve", "app:missing", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        "error: module 'app' has no attribute 'missing'\n"
        "hint: the names in 'app' that look like apps: app:app\n",
    )


def test_serve_the_demo_from_its_template_in_a_subprocess() -> None:
    """The README's demo command, end to end: banner, URL, a page, and a clean stop."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "lambdash", "serve", "--port", "0", "--workers", "1"],
        cwd=DEMO,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        banner: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            banner.append(line.rstrip("\n"))
            if line.startswith("Open ") or not line:
                break
        url = banner[-1].removeprefix("Open ")
        assert (
            banner[0] == "lambdash serve: REST API, stage Prod, routes / and /{proxy+}"
        )
        assert banner[1:3] == [
            "  BinaryMediaTypes ['*/*']",
            "  template template.yaml (function DashFunction)",
        ]
        assert banner[3].startswith(
            "  function app:lambda_handler (handler) from .: Timeout 29 s, MemorySize 1024 MB, 1 workers"
        )
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/Prod/")
        with urllib.request.urlopen(url, timeout=30) as response:
            assert (response.status, b"_dash-config" in response.read()) == (200, True)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _start(argv: list[str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "lambdash", "serve", *argv],
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and not line.startswith("Open "):
        line = process.stderr.readline()
        if not line:
            break
    return process, line.strip().removeprefix("Open ")


def test_reload_restarts_workers_when_code_changes(tmp_path: Path) -> None:
    module = tmp_path / "versioned.py"
    module.write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'v1'}\n"
    )
    process, url = _start(
        ["versioned:handler", "--handler", "--port", "0", "--workers", "1", "--reload"],
        tmp_path,
    )
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.read() == b"v1"
        # Edit only once the watcher says it is running.
        assert process.stderr is not None
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline and "watching" not in process.stderr.readline()
        ):
            pass
        module.write_text(
            "def handler(event, context):\n    return {'statusCode': 200, 'body': 'v2'}\n"
        )
        seen = b"v1"
        deadline = time.monotonic() + 30
        while seen == b"v1" and time.monotonic() < deadline:
            time.sleep(0.5)
            with urllib.request.urlopen(url, timeout=30) as response:
                seen = response.read()
        assert seen == b"v2"
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
