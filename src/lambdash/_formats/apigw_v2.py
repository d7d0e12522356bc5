"""HTTP API payload format 2.0 and Lambda Function URLs, which share it.

Shape: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
and https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html.
"""

from __future__ import annotations

from typing import Any

from lambdash._formats._common import decode_body
from lambdash._formats._common import field
from lambdash._formats._common import mapping
from lambdash._formats._common import server_address
from lambdash._formats._common import split_route_prefix
from lambdash._formats._common import strip_base_path
from lambdash._formats._common import wsgi_path
from lambdash._formats._common import wsgi_str
from lambdash._message import Request
from lambdash._message import Response
from lambdash.exceptions import MalformedEventError

__all__ = ["parse", "render"]

SOURCE = "HTTP API"


def _headers(event: dict[str, Any]) -> list[tuple[str, str]]:
    # Names arrive lower-cased and repeated headers comma-joined. Cookies move to ``cookies``
    # on HTTP APIs; Function URLs keep the ``cookie`` header too (hattip PR #159), so the header
    # is rebuilt from ``cookies`` alone to avoid sending each cookie twice.
    headers = [
        (name.lower(), wsgi_str(value))
        for name, value in mapping(event, "headers", SOURCE).items()
        if value is not None
    ]
    cookies = event.get("cookies")
    if cookies is None:
        return headers
    if not isinstance(cookies, list):
        msg = f"the {SOURCE} event's 'cookies' must be a list, not {type(cookies).__name__}"
        raise MalformedEventError(msg)
    headers = [item for item in headers if item[0] != "cookie"]
    if cookies:
        headers.append(("cookie", "; ".join(wsgi_str(cookie) for cookie in cookies)))
    return headers


def _split_path(event: dict[str, Any], context_info: dict[str, Any]) -> tuple[str, str]:
    raw_path = field(event, "rawPath", SOURCE)
    route_key = event.get("routeKey")
    route = route_key.partition(" ")[2] if isinstance(route_key, str) else None
    # A named stage stays in rawPath while routeKey leaves it out
    # (https://github.com/logandk/serverless-wsgi/issues/191), and so does a custom domain's
    # mapping key where AWS passes it on; both are whatever stands in front of the route.
    prefix, rest = split_route_prefix(
        raw_path, route or None, mapping(event, "pathParameters", SOURCE)
    )
    if prefix:
        return prefix, rest
    stage = context_info.get("stage")
    if isinstance(stage, str) and stage not in ("", "$default"):
        return (
            strip_base_path(raw_path, "/" + stage)
            if raw_path.startswith("/" + stage)
            else ("", raw_path)
        )
    return "", raw_path


def parse(event: dict[str, Any], context: Any, *, base_path: str | None) -> Request:
    """A :class:`Request` from a payload 2.0 event."""
    context_info = mapping(event, "requestContext", SOURCE)
    http = mapping(context_info, "http", SOURCE)
    headers = _headers(event)
    if base_path is None:
        script_raw, path_raw = _split_path(event, context_info)
    else:
        script_raw, path_raw = strip_base_path(
            field(event, "rawPath", SOURCE), base_path
        )
    scheme, server_name, server_port = server_address(headers)
    return Request(
        method=field(http, "method", SOURCE).upper(),
        script_name=wsgi_path(script_raw),
        path=wsgi_path(path_raw),
        query_string=wsgi_str(field(event, "rawQueryString", SOURCE, default="")),
        headers=headers,
        body=decode_body(event, SOURCE),
        scheme=scheme,
        server_name=server_name,
        server_port=server_port,
        protocol=field(http, "protocol", SOURCE, default="HTTP/1.1"),
        remote_addr=field(http, "sourceIp", SOURCE, default="127.0.0.1"),
        event=event,
        context=context,
    )


def render(
    response: Response, *, body: str, is_base64: bool, request: Request
) -> dict[str, Any]:
    """The structured 2.0 result: ``Set-Cookie`` lines go to ``cookies``, other repeats are comma-joined."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in response.headers:
        if name.lower() == "set-cookie":
            cookies.append(value)
        elif name in headers:
            headers[name] += ", " + value
        else:
            headers[name] = value
    result: dict[str, Any] = {"statusCode": response.status, "headers": headers}
    if cookies:
        result["cookies"] = cookies
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
