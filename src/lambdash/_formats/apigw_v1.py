"""API Gateway REST API proxy events, and HTTP API payload format 1.0.

Shapes: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
and http-api-develop-integrations-lambda.html. REST events carry no ``version``; HTTP API 1.0
events carry ``"version": "1.0"`` (aws/aws-lambda-go PR #280).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

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

__all__ = ["headers_of", "parse", "render", "render_headers"]


def headers_of(event: dict[str, Any], source: str) -> list[tuple[str, str]]:
    """Request headers with lower-case names, one entry per value.

    ``multiValueHeaders`` holds every value; ``headers`` only the last of a repeated header
    (set-up-lambda-proxy-integrations.html), so the multi-value map wins when present.
    """
    multi = event.get("multiValueHeaders")
    if type(multi) is dict and all(type(values) is list for values in multi.values()):
        try:
            # The common case in one pass: lists of strings, most of them ASCII.
            return [
                (name.lower(), value if value.isascii() else wsgi_str(value))
                for name, values in multi.items()
                for value in values
            ]
        except AttributeError:
            pass  # a value that is not a string: the careful loop below
    multi = mapping(event, "multiValueHeaders", source)
    if multi:
        out: list[tuple[str, str]] = []
        for name, values in multi.items():
            if not isinstance(values, list):
                msg = f"the {source} event's multiValueHeaders[{name!r}] must be a list, not {type(values).__name__}"
                raise MalformedEventError(msg)
            out.extend(
                (name.lower(), wsgi_str(value)) for value in values if value is not None
            )
        return out
    return [
        (name.lower(), wsgi_str(value))
        for name, value in mapping(event, "headers", source).items()
        if value is not None
    ]


def _query_string(event: dict[str, Any]) -> str:
    # API Gateway decodes query values before it builds the event and keeps no raw query string
    # (api-gateway-known-issues.html), so the query string is encoded again here.
    if not event.get("multiValueQueryStringParameters") and not event.get(
        "queryStringParameters"
    ):
        return ""
    multi = mapping(event, "multiValueQueryStringParameters", "REST API")
    if multi:
        return urlencode(
            [(k, v) for k, values in multi.items() for v in (values or ())], doseq=False
        )
    single = mapping(event, "queryStringParameters", "REST API")
    return urlencode([(k, v) for k, v in single.items() if v is not None])


def _split_path(
    event: dict[str, Any], context_info: dict[str, Any], headers: list[tuple[str, str]]
) -> tuple[str, str]:
    path = field(event, "path", "REST API")
    # On a custom domain, the base path mapping stays in ``path`` while ``resource`` and the path
    # parameters leave it out (https://github.com/localstack/localstack/pull/12296).
    base, route_part = split_route_prefix(
        path, event.get("resource"), mapping(event, "pathParameters", "REST API")
    )
    # ``requestContext.path`` is the path the client asked for, stage included on execute-api
    # hosts ($context.path, api-gateway-mapping-template-reference.html).
    client_path = context_info.get("path")
    if isinstance(client_path, str) and client_path.startswith("/"):
        if route_part == "/" and not client_path.endswith("/"):
            return client_path, route_part
        if client_path.endswith(route_part):
            return client_path[: len(client_path) - len(route_part)], route_part
    stage = context_info.get("stage")
    host = dict(headers).get("host", "")
    if (
        isinstance(stage, str)
        and stage
        and stage != "$default"
        and host.endswith(".amazonaws.com")
    ):
        # Test events often lack requestContext.path; execute-api URLs always carry the stage.
        return "/" + stage + base, route_part
    return base, route_part


def parse(event: dict[str, Any], context: Any, *, base_path: str | None) -> Request:
    """A :class:`Request` from a REST API or HTTP API 1.0 event."""
    context_info = mapping(event, "requestContext", "REST API")
    headers = headers_of(event, "REST API")
    if base_path is None:
        script_raw, path_raw = _split_path(event, context_info, headers)
    else:
        script_raw, path_raw = strip_base_path(
            field(event, "path", "REST API"), base_path
        )
    identity = mapping(context_info, "identity", "REST API")
    scheme, server_name, server_port = server_address(headers)
    return Request(
        method=field(event, "httpMethod", "REST API").upper(),
        script_name=wsgi_path(script_raw),
        path=wsgi_path(path_raw),
        query_string=_query_string(event),
        headers=headers,
        body=decode_body(event, "REST API"),
        scheme=scheme,
        server_name=server_name,
        server_port=server_port,
        protocol=field(context_info, "protocol", "REST API", default="HTTP/1.1"),
        remote_addr=field(identity, "sourceIp", "REST API", default="127.0.0.1"),
        event=event,
        context=context,
    )


def render_headers(
    headers: list[tuple[str, str]], *, multi_value: bool
) -> dict[str, Any]:
    """Response headers as ``multiValueHeaders``, or as ``headers`` when the request had no multi-value map.

    ``Set-Cookie`` never shares a line: several of them go in ``multiValueHeaders`` in any case,
    which REST APIs merge with ``headers`` (set-up-lambda-proxy-integrations.html).
    """
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(value)
    if multi_value:
        return {"multiValueHeaders": grouped}
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, values in grouped.items():
        if len(values) > 1 and name.lower() == "set-cookie":
            multi[name] = values
        else:
            single[name] = ", ".join(values)
    return (
        {"headers": single, "multiValueHeaders": multi}
        if multi
        else {"headers": single}
    )


def render(
    response: Response, *, body: str, is_base64: bool, request: Request
) -> dict[str, Any]:
    """The proxy result; REST APIs reject any key besides these five (LS-TEST, sst #2760)."""
    result: dict[str, Any] = {"statusCode": response.status}
    result.update(
        render_headers(
            response.headers, multi_value="multiValueHeaders" in request.event
        )
    )
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
