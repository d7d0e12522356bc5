"""Keyword-only factories for the events each AWS front door sends, and a model of what it delivers.

The shapes follow ../shared/design/aws-behaviour.md; each factory builds the event the way the
named front door would for a request to ``path`` under its prefix.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from typing import Literal
from urllib.parse import quote

Source = Literal["rest", "http-v1", "http-v2", "url", "alb", "alb-multi"]
SOURCES: tuple[Source, ...] = ("rest", "http-v1", "http-v2", "url", "alb", "alb-multi")

EVENTS_DIR = Path(__file__).parent / "events"
EXECUTE_API_HOST = "abc123def4.execute-api.eu-west-1.amazonaws.com"
CLIENT_IP = "203.0.113.7"


def load_event(name: str) -> dict[str, Any]:
    """One of the JSON fixtures in ``tests/events``."""
    loaded: dict[str, Any] = json.loads((EVENTS_DIR / f"{name}.json").read_text())
    return loaded


def _body(body: bytes, binary: bool) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if binary:
        return base64.b64encode(body).decode("ascii"), True
    return body.decode("utf-8"), False


def _proxy(route: str) -> dict[str, str] | None:
    proxy = route.strip("/")
    return {"proxy": proxy} if proxy else None


def rest_event(
    *,
    method: str = "GET",
    path: str = "/",
    stage: str = "Prod",
    domain: str | None = None,
    base_path: str = "",
    headers: list[tuple[str, str]] | None = None,
    query: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    binary: bool = False,
    version: str | None = None,
) -> dict[str, Any]:
    """A REST API proxy event for *path* (the path inside the API, percent-encoded as sent).

    On the execute-api host the stage leaves ``path`` and stays in ``requestContext.path``; on a
    custom *domain* with *base_path* mapped to the stage, the base path stays in both.
    """
    host = domain or EXECUTE_API_HOST
    all_headers = [("Host", host), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Port", "443"),
                   ("X-Forwarded-For", f"198.51.100.1, {CLIENT_IP}"), *(headers or [])]  # fmt: skip
    multi: dict[str, list[str]] = {}
    for name, value in all_headers:
        multi.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query or []:
        multi_query.setdefault(name, []).append(value)
    text, is_b64 = _body(body, binary)
    route = path
    event_path = base_path + route if domain else route
    client_path = event_path if domain else f"/{stage}{route}"
    event: dict[str, Any] = {
        "resource": "/{proxy+}" if route.strip("/") else "/",
        "path": event_path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": _proxy(route),
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123def4",
            "domainName": host,
            "httpMethod": method,
            "identity": {"sourceIp": CLIENT_IP, "userAgent": "test-agent"},
            "path": client_path,
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "resourcePath": "/{proxy+}" if route.strip("/") else "/",
            "stage": stage,
        },
        "body": text,
        "isBase64Encoded": is_b64,
    }
    if version is not None:
        event["version"] = version
    return event


def http_v1_event(
    *, stage: str = "$default", path: str = "/", **kwargs: Any
) -> dict[str, Any]:
    """An HTTP API payload 1.0 event: REST's shape plus ``version``, a named stage kept in the path."""
    event = rest_event(path=path, stage=stage, version="1.0", **kwargs)
    prefix = "" if stage == "$default" else f"/{stage}"
    event["path"] = event["requestContext"]["path"] = prefix + path
    return event


def http_v2_event(
    *,
    method: str = "GET",
    path: str = "/",
    stage: str = "$default",
    route_key: str = "ANY /{proxy+}",
    headers: list[tuple[str, str]] | None = None,
    query: str = "",
    body: bytes = b"",
    binary: bool = False,
    function_url: bool = False,
) -> dict[str, Any]:
    """A payload 2.0 event from an HTTP API or, with *function_url*, a Lambda Function URL."""
    host = "abc123.lambda-url.eu-west-1.on.aws" if function_url else EXECUTE_API_HOST
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in [("host", host), ("x-forwarded-proto", "https"), ("x-forwarded-port", "443"),
                        ("x-forwarded-for", f"198.51.100.1, {CLIENT_IP}"), *(headers or [])]:  # fmt: skip
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(part.strip() for part in value.split(";"))
            if not function_url:
                continue
        joined[lower] = f"{joined[lower]},{value}" if lower in joined else value
    text, is_b64 = _body(body, binary)
    raw_path = ("" if stage == "$default" else f"/{stage}") + path
    if function_url:
        stage, route_key = "$default", "$default"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": joined,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": host,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": CLIENT_IP,
                "userAgent": "test-agent",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": route_key,
            "stage": stage,
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if text is not None:
        event["body"] = text
    if "{proxy+}" in route_key and path.strip("/"):
        event["pathParameters"] = _proxy(path)
    return event


def alb_event(
    *,
    multi: bool = False,
    method: str = "GET",
    path: str = "/",
    headers: list[tuple[str, str]] | None = None,
    query: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    binary: bool = False,
) -> dict[str, Any]:
    """An ALB event; query pairs are given as the client sent them, still URL-encoded."""
    all_headers = [("host", "my-alb-123.eu-west-1.elb.amazonaws.com"), ("x-forwarded-proto", "https"),
                   ("x-forwarded-port", "443"), ("x-forwarded-for", f"198.51.100.1, {CLIENT_IP}"),
                   *((n.lower(), v) for n, v in headers or [])]  # fmt: skip
    text, is_b64 = _body(body, binary)
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"
            }
        },
        "httpMethod": method,
        "path": path,
        "body": text or "",
        "isBase64Encoded": is_b64,
    }
    if multi:
        mh: dict[str, list[str]] = {}
        for name, value in all_headers:
            mh.setdefault(name, []).append(value)
        mq: dict[str, list[str]] = {}
        for name, value in query or []:
            mq.setdefault(name, []).append(value)
        event["multiValueHeaders"] = mh
        event["multiValueQueryStringParameters"] = mq
    else:
        event["headers"] = dict(all_headers)
        event["queryStringParameters"] = dict(query or [])
    return event


def event_for(
    source: Source,
    *,
    method: str = "GET",
    path: str = "/",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    binary: bool = False,
) -> dict[str, Any]:
    """The event *source* sends for one request."""
    if source == "rest":
        return rest_event(
            method=method, path=path, headers=headers, body=body, binary=binary
        )
    if source == "http-v1":
        return http_v1_event(
            method=method, path=path, headers=headers, body=body, binary=binary
        )
    if source in ("http-v2", "url"):
        return http_v2_event(
            method=method,
            path=path,
            headers=headers,
            body=body,
            binary=binary,
            function_url=source == "url",
        )
    return alb_event(
        multi=source == "alb-multi",
        method=method,
        path=path,
        headers=headers,
        body=body,
        binary=binary,
    )


def delivered(
    result: dict[str, Any], *, rest_decodes: bool = True
) -> tuple[int, list[tuple[str, str]], bytes]:
    """What the client receives for *result*: status, header lines and body bytes.

    Every front door decodes ``isBase64Encoded`` bodies, except a REST API whose
    BinaryMediaTypes do not match the first Accept type (*rest_decodes* false).
    """
    body = result.get("body") or ""
    assert isinstance(body, str), f"body must be a string, got {type(body).__name__}"
    raw = (
        base64.b64decode(body, validate=True)
        if result.get("isBase64Encoded") and rest_decodes
        else body.encode("utf-8")
    )
    lines: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        lines.append((name.lower(), value))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        lines.extend((name.lower(), value) for value in values)
    lines.extend(("set-cookie", cookie) for cookie in result.get("cookies", []))
    return int(result["statusCode"]), lines, raw


def quoted(path: str) -> str:
    """*path* percent-encoded the way a browser sends it."""
    return quote(path, safe="/:@!$&'()*+,;=~")
