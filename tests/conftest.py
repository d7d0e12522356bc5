"""Shared fixtures: a Lambda context and an echo WSGI app that reports its environ."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from collections.abc import Iterable
from wsgiref.types import StartResponse
from wsgiref.types import WSGIApplication
from wsgiref.types import WSGIEnvironment
from wsgiref.validate import validator

import pytest


def require_no_awsgi() -> None:
    """Fail at once where aws-wsgi is installed: the user story's handler must not import.

    With aws-wsgi importable, ``lambdash serve`` of that handler starts and serves for ever.
    ``make bench`` installs the peers into its own ``.venv-bench``, never into ``.venv``.
    """
    if importlib.util.find_spec("awsgi") is not None:
        pytest.fail(
            "aws-wsgi is installed here, so the user story's handler imports: run the tests in a "
            "venv without benchmarks/requirements.txt (make clean && make test)",
            pytrace=False,
        )


@dataclasses.dataclass
class FakeContext:
    """The fields of Lambda's context object that apps and lambdash read."""

    aws_request_id: str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
    function_name: str = "lambdash-test"
    memory_limit_in_mb: int = 512


ECHO_KEYS = (
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
    "SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_USER", "CONTENT_TYPE", "CONTENT_LENGTH",
    "wsgi.url_scheme",
)  # fmt: skip


def _echo(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    seen = {key: environ[key] for key in ECHO_KEYS if key in environ}
    seen.update(
        {key: value for key, value in environ.items() if key.startswith("HTTP_")}
    )
    seen["body"] = body.decode("latin-1")
    seen["has_event"] = isinstance(environ.get("lambdash.event"), dict)
    seen["request_id"] = getattr(
        environ.get("lambdash.context"), "aws_request_id", None
    )
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


echo_app: WSGIApplication = validator(_echo)


@pytest.fixture
def context() -> FakeContext:
    """A Lambda context with a fixed request id."""
    return FakeContext()
