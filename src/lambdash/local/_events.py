"""HTTP request to Lambda event, the way each AWS front door builds it.

Sources are cited in ``../shared/design/aws-behaviour.md``; each rule below names its section.
"""

from __future__ import annotations

import base64
import datetime
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import unquote

from lambdash._message import BinaryMediaTypes
from lambdash._message import media_type
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._model import json_response

__all__ = ["build_event"]

# Headers API Gateway never passes to the integration (§1.1.10; LS-SRC header_utils).
_DROPPED_REQUEST_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-md5",
        "expect",
        "max-forwards",
        "proxy-authenticate",
        "server",
        "te",
        "transfer-encoding",
        "trailer",
        "upgrade",
        "www-authenticate",
    }
)
# Bodies HTTP APIs, Function URLs and ALBs pass as text; everything else arrives base64 (§3.1.7, §4.4).
_TEXT_REQUEST_TYPES = frozenset(
    {"application/json", "application/xml", "application/javascript"}
)
_LEADING_SLASHES = re.compile(r"^/{2,}")


def _missing_route() -> HTTPResponse:
    return json_response(
        403, "Missing Authentication Token", reason="no route matches the request"
    )


def _forwarded(request: HTTPRequest) -> list[tuple[str, str]]:
    # API Gateway and ALB append the peer address to X-Forwarded-For and set the port and
    # protocol the client used.
    prior = [v for n, v in request.headers if n.lower() == "x-forwarded-for"]
    chain = ", ".join([*prior, request.client_ip])
    kept = [
        (n, v)
        for n, v in request.headers
        if n.lower() not in ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")
    ]
    return [
        *kept,
        ("X-Forwarded-For", chain),
        ("X-Forwarded-Port", str(request.port)),
        ("X-Forwarded-Proto", request.scheme),
    ]


def _text_request(headers: list[tuple[str, str]]) -> bool:
    found = {n.lower(): v for n, v in headers}
    if "content-encoding" in found:
        return False
    bare = media_type(found.get("content-type"))
    return bare is not None and (
        bare.startswith("text/") or bare in _TEXT_REQUEST_TYPES
    )


def _body(body: bytes, encode: bool) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if encode:
        return base64.b64encode(body).decode("ascii"), True
    # Without base64, API Gateway passes the body as a UTF-8 string; bytes that are not UTF-8 are
    # damaged (§1.1.12), as they are here.
    return body.decode("utf-8", errors="replace"), False


def _now() -> tuple[str, int]:
    now = time.time()
    stamp = datetime.datetime.fromtimestamp(now, tz=datetime.UTC).strftime(
        "%d/%b/%Y:%H:%M:%S +0000"
    )
    return stamp, int(now * 1000)


def build_event(
    config: GatewayConfig, request: HTTPRequest
) -> dict[str, Any] | HTTPResponse:
    """The event for *request*, or the gateway's own answer when no route matches."""
    raw_path, _, query = request.target.partition("?")
    raw_path = _LEADING_SLASHES.sub("/", raw_path or "/")
    prefix = config.url_prefix
    if prefix and raw_path != prefix and not raw_path.startswith(prefix + "/"):
        if config.gateway == "rest":
            return _missing_route()
        return json_response(404, "Not Found", reason=f"the path is outside {prefix}")
    # REST collapses leading slashes in ``path`` but keeps interior ones (§1.1.4).
    rest = _LEADING_SLASHES.sub("/", raw_path[len(prefix) :])
    route = rest or "/"
    if (route == "/" and not config.root_route) or (
        route != "/" and not config.proxy_route
    ):
        if config.gateway == "rest":
            return _missing_route()
        if config.gateway == "http":
            return json_response(
                404, "Not Found", reason="no route matches the request"
            )
    if config.gateway == "rest":
        return _rest_event(config, request, raw_path, prefix + rest, route, query)
    if config.gateway == "alb":
        return _alb_event(config, request, raw_path, query)
    return _v2_event(config, request, raw_path, route, query)


def _rest_event(
    config: GatewayConfig,
    request: HTTPRequest,
    sent: str,
    mapped: str,
    route: str,
    query: str,
) -> dict[str, Any]:
    """*sent* is the path the client sent, *mapped* the same with the route's leading slashes
    collapsed, and *route* the part after the stage or base path."""
    headers = [
        (n, v)
        for n, v in _forwarded(request)
        if n.lower() not in _DROPPED_REQUEST_HEADERS
    ]
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        multi.setdefault(name, []).append(value)
    # REST APIs decode query values, and the single-value map keeps the last (§1.1.11).
    pairs = parse_qsl(query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        multi_query.setdefault(key, []).append(value)
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    # The request body is base64 exactly when its Content-Type matches BinaryMediaTypes (§1.1.12).
    body, is_b64 = _body(
        request.body,
        BinaryMediaTypes(config.binary_media_types).decodes(media_type(content_type)),
    )
    proxy = route.strip("/")
    resource = "/{proxy+}" if proxy else "/"
    # On the execute-api host the stage leaves ``path``; a base path mapping stays in it (§2.2).
    path = mapped if config.base_path else route
    stamp, epoch = _now()
    host = next((v for n, v in headers if n.lower() == "host"), "localhost")
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": proxy} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "lambdashlocal",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": uuid.uuid4().hex[:16],
            "httpMethod": request.method,
            "identity": {
                "sourceIp": request.client_ip,
                "userAgent": _get(headers, "user-agent"),
            },
            "path": sent,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": stamp,
            "requestTimeEpoch": epoch,
            "resourceId": "local",
            "resourcePath": resource,
            "stage": config.stage_name,
        },
        "body": body,
        "isBase64Encoded": is_b64,
    }


def _get(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name), None)


def _v2_event(
    config: GatewayConfig, request: HTTPRequest, raw_path: str, route: str, query: str
) -> dict[str, Any]:
    # Payload 2.0: lower-case names, repeats comma-joined, cookies split out (§3.1.2, §3.1.3).
    function_url = config.gateway == "url"
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in _forwarded(request):
        lower = name.lower()
        if lower in _DROPPED_REQUEST_HEADERS - {"content-length"}:
            continue
        if lower == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            if not function_url:  # Function URLs keep the header too (§5.3).
                continue
        joined[lower] = f"{joined[lower]},{value}" if lower in joined else value
    # HTTP APIs always send content-length, "0" for a bodiless GET (§3.1.2); the captured
    # Function URL GET (aws-lambda-rust-runtime lambda_function_url_request.json) has none.
    if request.body or not function_url:
        joined["content-length"] = str(len(request.body))
    body, is_b64 = _body(request.body, not _text_request(list(joined.items())))
    decoded: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        decoded[key] = f"{decoded[key]},{value}" if key in decoded else value
    proxy = route.strip("/")
    route_key = "$default" if function_url else "ANY /{proxy+}" if proxy else "ANY /"
    stamp, epoch = _now()
    host = joined.get("host", "localhost")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": joined,
        "requestContext": {
            "accountId": "anonymous" if function_url else "123456789012",
            "apiId": "lambdashlocal",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": request.method,
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": request.client_ip,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default" if function_url else config.stage_name,
            "time": stamp,
            "timeEpoch": epoch,
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if decoded:
        event["queryStringParameters"] = decoded
    if body is not None:
        event["body"] = body
    if proxy and not function_url:
        event["pathParameters"] = {"proxy": proxy}
    return event


def _alb_event(
    config: GatewayConfig, request: HTTPRequest, raw_path: str, query: str
) -> dict[str, Any]:
    headers = [
        (n.lower(), v)
        for n, v in _forwarded(request)
        if n.lower() not in _DROPPED_REQUEST_HEADERS
    ]
    # ALB leaves query strings URL-encoded (§4.3) and base64-encodes non-text bodies (§4.4).
    pairs = [
        (k, v) for k, _, v in (item.partition("=") for item in query.split("&") if item)
    ]
    body, is_b64 = _body(request.body, not _text_request(headers))
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdash-local/0123456789abcdef"
            }
        },
        "httpMethod": request.method,
        "path": raw_path,
        "body": body or "",
        "isBase64Encoded": is_b64,
    }
    if config.multi_value_headers:
        multi: dict[str, list[str]] = {}
        for name, value in headers:
            multi.setdefault(name, []).append(value)
        multi_query: dict[str, list[str]] = {}
        for key, value in pairs:
            multi_query.setdefault(key, []).append(value)
        event["multiValueHeaders"] = multi
        event["multiValueQueryStringParameters"] = multi_query
    else:
        event["headers"] = dict(headers)
        event["queryStringParameters"] = dict(pairs)
    return event
