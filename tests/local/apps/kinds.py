"""Callables of every shape ``lambdash serve`` must tell apart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment

from flask import Flask

flask_app = Flask(__name__)


def wsgi_function(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [b"wsgi"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": "handler"}


def underscored(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": "underscored"}


async def asgi_function(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"asgi"})


class Nested:
    handler = staticmethod(handler)
