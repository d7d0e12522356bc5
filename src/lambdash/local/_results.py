"""Lambda result to HTTP response, the way each AWS front door turns it, failures included.

Sources are cited in ``../shared/design/aws-behaviour.md``; each rule below names its section.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from typing import Any

from lambdash._message import BinaryMediaTypes
from lambdash._message import first_accept_type
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._model import json_response

__all__ = ["MalformedResult", "function_error", "to_http"]

_REST_KEYS = frozenset(
    {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
)
# API Gateway sets these itself and renames the function's copies (§1.3.6).
_REMAPPED = frozenset({"connection", "content-length", "date", "server"})
_DROPPED = frozenset({"transfer-encoding"})


class MalformedResult(Exception):
    """The function's result is not a valid response for this front door.

    *status* is what API Gateway answers: 502, but 500 for a body that is not valid base64
    (localstack's AWS-validated matrix, §1.2.2).
    """

    def __init__(self, message: str, *, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


def function_error(
    config: GatewayConfig, reason: str, *, status: int = 502
) -> HTTPResponse:
    """What the client gets when the function fails, times out or returns a malformed result."""
    if config.gateway == "rest":
        return json_response(status, "Internal server error", reason=reason)
    if config.gateway == "http":
        return json_response(500, "Internal Server Error", reason=reason)
    if config.gateway == "alb":
        body = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
        return HTTPResponse(
            status=502,
            headers=[("Content-Type", "text/html")],
            body=body,
            reason=reason,
        )
    return json_response(502, "Internal Server Error", key="Message", reason=reason)


def _status(value: Any) -> int:
    # REST accepts a string of digits ("201") and rejects anything else (§1.3.2).
    if isinstance(value, bool) or not isinstance(value, int | str):
        msg = f"statusCode {value!r} is not an integer"
        raise MalformedResult(msg)
    text = str(value)
    if not text.isascii() or not text.isdigit() or not 100 <= int(text) <= 599:
        msg = f"statusCode {value!r} is not a valid HTTP status"
        raise MalformedResult(msg)
    return int(text)


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    msg = f"header {name!r} has a {type(value).__name__} value"
    raise MalformedResult(msg)


def _headers(
    result: dict[str, Any], *, multi_key: bool, remap: bool = False
) -> list[tuple[str, str]]:
    """``multiValueHeaders`` and ``headers`` merged: one list per name, a pair in both once (§1.3.4).

    With *remap* (REST APIs), the headers API Gateway sets itself come back renamed (§1.3.6);
    elsewhere the front door's own copies simply replace them.
    """
    merged: dict[str, tuple[str, list[str]]] = {}
    multi = result.get("multiValueHeaders") if multi_key else None
    if multi is not None:
        if not isinstance(multi, dict):
            msg = "multiValueHeaders is not an object"
            raise MalformedResult(msg)
        for name, values in multi.items():
            if not isinstance(values, list):
                msg = f"multiValueHeaders[{name!r}] is not a list"
                raise MalformedResult(msg)
            merged.setdefault(name.lower(), (name, []))[1].extend(
                _scalar(name, v) for v in values
            )
    single = result.get("headers")
    if single is not None:
        if not isinstance(single, dict):
            msg = "headers is not an object"
            raise MalformedResult(msg)
        for name, value in single.items():
            values = merged.setdefault(name.lower(), (name, []))[1]
            text = _scalar(name, value)
            if text not in values:
                values.append(text)
    lines: list[tuple[str, str]] = []
    for lower, (name, values) in merged.items():
        if lower in _DROPPED or (lower in _REMAPPED and not remap):
            continue
        out = f"x-amzn-Remapped-{name}" if lower in _REMAPPED else name
        lines.extend((out, value) for value in values)
    return lines


def _body(result: dict[str, Any], *, decode: bool) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        msg = f"body is a {type(body).__name__}, not a string"
        raise MalformedResult(msg)
    encoded = result.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        msg = f"isBase64Encoded is {encoded!r}, not a boolean"
        raise MalformedResult(msg)
    if encoded and decode:
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            msg = "isBase64Encoded is true but the body is not valid base64"
            raise MalformedResult(msg, status=500) from exc
    return body.encode("utf-8")


def _finish(
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    default_type: bool = True,
) -> HTTPResponse:
    if default_type and not any(name.lower() == "content-type" for name, _ in headers):
        # API Gateway adds a Content-Type to every integration response (§1.3.5).
        headers = [*headers, ("Content-Type", "application/json")]
    return HTTPResponse(status=status, headers=headers, body=body)


def to_http(config: GatewayConfig, request: HTTPRequest, payload: str) -> HTTPResponse:
    """The response the client gets for the function's JSON *payload*.

    :raises MalformedResult: with the reason in plain words, when AWS would refuse the result.
    """
    try:
        result = json.loads(payload)
    except ValueError as exc:
        msg = "the result is not JSON"
        raise MalformedResult(msg) from exc
    if config.gateway == "rest":
        return _rest(config, request, result)
    if config.gateway == "alb":
        return _alb(config, result)
    return _v2(result)


def _rest(config: GatewayConfig, request: HTTPRequest, result: Any) -> HTTPResponse:
    if not isinstance(result, dict):
        msg = f"the result is a {type(result).__name__}, not an object"
        raise MalformedResult(msg)
    unknown = sorted(set(result) - _REST_KEYS)
    if unknown:
        msg = f"unknown key {unknown[0]!r}"
        raise MalformedResult(msg)
    status = _status(result.get("statusCode", 200))
    headers = _headers(result, multi_key=True, remap=True)
    # REST decodes base64 only when the request's first Accept type matches
    # BinaryMediaTypes; the response Content-Type plays no part (§1.2.1).
    accept = next((v for n, v in request.headers if n.lower() == "accept"), None)
    first = first_accept_type(accept)
    decode = BinaryMediaTypes(config.binary_media_types).decodes(first)
    response = _finish(status, headers, _body(result, decode=decode))
    if result.get("isBase64Encoded") and not decode:
        reason = (
            f"the response is base64-encoded, but the request's first Accept type {first!r} does not "
            f"match BinaryMediaTypes {list(config.binary_media_types)}, so API Gateway sends the base64 "
            "text instead of the bytes; set BinaryMediaTypes to ['*/*']"
        )
        response = dataclasses.replace(response, reason=reason)
    return response


def _v2(result: Any) -> HTTPResponse:
    if not isinstance(result, dict) or "statusCode" not in result:
        # Payload 2.0 infers a response from any JSON without a statusCode (§3.3.2).
        body = result if isinstance(result, str) else json.dumps(result)
        return HTTPResponse(
            status=200,
            headers=[("Content-Type", "application/json")],
            body=body.encode(),
        )
    status = _status(result["statusCode"])
    headers = _headers(result, multi_key=False)
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        msg = "cookies is not a list"
        raise MalformedResult(msg)
    headers.extend(("Set-Cookie", _scalar("cookies", cookie)) for cookie in cookies)
    return _finish(status, headers, _body(result, decode=True))


def _alb(config: GatewayConfig, result: Any) -> HTTPResponse:
    if not isinstance(result, dict) or "statusCode" not in result:
        msg = "the result has no statusCode"
        raise MalformedResult(msg)
    status = _status(result["statusCode"])
    # "You must use multiValueHeaders if you have enabled multi-value headers and headers
    # otherwise" (ALB lambda-functions.html): the other key is ignored here.
    key = "multiValueHeaders" if config.multi_value_headers else "headers"
    headers = _headers({key: result.get(key)}, multi_key=config.multi_value_headers)
    return _finish(status, headers, _body(result, decode=True), default_type=False)
