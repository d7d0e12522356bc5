"""A WSGI app that returns what it received: the body as sent, the query and X-Test headers."""

from __future__ import annotations

from collections.abc import Iterable
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    headers = [
        ("Content-Type", environ.get("CONTENT_TYPE") or "application/octet-stream"),
        ("X-Echo-Query", environ["QUERY_STRING"]),
        ("X-Echo-Path", environ["SCRIPT_NAME"] + "|" + environ["PATH_INFO"]),
    ]
    headers += [
        ("X-Echo-Test-" + key[len("HTTP_X_TEST_") :], value)
        for key, value in environ.items()
        if key.startswith("HTTP_X_TEST_")
    ]
    start_response("200 OK", headers)
    return [body]
