"""A WSGI app that answers with the support library's greeting."""

from __future__ import annotations

from collections.abc import Iterable
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment

from support_lib import greeting  # type: ignore[import-not-found]

from lambdash import make_handler


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The greeting, as plain text."""
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [greeting().encode()]


lambda_handler = make_handler(app)
