"""Application Load Balancer events, in single-value and multi-value header mode.

Shape: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html.
Multi-value mode is a target-group attribute; the event shows it by carrying
``multiValueHeaders``, and the response must answer in the same style.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from lambdash._formats._common import decode_body
from lambdash._formats._common import field
from lambdash._formats._common import mapping
from lambdash._formats._common import server_address
from lambdash._formats._common import strip_base_path
from lambdash._formats._common import wsgi_path
from lambdash._formats.apigw_v1 import headers_of
from lambdash._formats.apigw_v1 import render_headers
from lambdash._log import logger
from lambdash._message import Request
from lambdash._message import Response

__all__ = ["parse", "render"]

SOURCE = "ALB"

# ALB passes query strings on still URL-encoded ("the load balancer does not decode them"), so
# they are only completed here: characters a client may send raw (a space, say) are encoded, and
# an existing %XX escape is left alone instead of becoming %25XX.
_QUERY_SAFE = "!$%&'()*+,/:;=?@[]~"


def _query_string(event: dict[str, Any]) -> str:
    multi = mapping(event, "multiValueQueryStringParameters", SOURCE)
    pairs = (
        [(k, v) for k, values in multi.items() for v in (values or ())]
        if multi
        else list(mapping(event, "queryStringParameters", SOURCE).items())
    )
    return "&".join(
        f"{quote(str(k), safe=_QUERY_SAFE)}={quote(str(v), safe=_QUERY_SAFE)}"
        for k, v in pairs
    )


def parse(event: dict[str, Any], context: Any, *, base_path: str | None) -> Request:
    """A :class:`Request` from an ALB event. ALB has no stages, so the prefix is only *base_path*."""
    headers = headers_of(event, SOURCE)
    script_raw, path_raw = strip_base_path(
        field(event, "path", SOURCE), base_path or ""
    )
    scheme, server_name, server_port = server_address(headers)
    # ALB appends the address it saw to X-Forwarded-For; earlier entries come from the client
    # and can be forged, so only the last one is the peer's address.
    forwarded = [value for name, value in headers if name == "x-forwarded-for"]
    remote_addr = forwarded[-1].rpartition(",")[2].strip() if forwarded else "127.0.0.1"
    return Request(
        method=field(event, "httpMethod", SOURCE).upper(),
        script_name=wsgi_path(script_raw),
        path=wsgi_path(path_raw),
        query_string=_query_string(event),
        headers=headers,
        body=decode_body(event, SOURCE),
        scheme=scheme,
        server_name=server_name,
        server_port=server_port,
        protocol="HTTP/1.1",
        remote_addr=remote_addr or "127.0.0.1",
        event=event,
        context=context,
    )


def render(
    response: Response, *, body: str, is_base64: bool, request: Request
) -> dict[str, Any]:
    """The ALB result, ``statusDescription`` included, in the header style of the request."""
    multi_value = "multiValueHeaders" in request.event
    headers = response.headers
    if not multi_value:
        cookies = [value for name, value in headers if name.lower() == "set-cookie"]
        if len(cookies) > 1:
            # Single-value mode has room for one Set-Cookie only (lambda-functions.html).
            logger().warning(
                "ALB single-value headers can carry one Set-Cookie; %d were set and only the first "
                "is sent. Enable the target group attribute lambda.multi_value_headers.enabled.",
                len(cookies),
            )
            kept = [(n, v) for n, v in headers if n.lower() != "set-cookie"]
            headers = [*kept, ("Set-Cookie", cookies[0])]
    try:
        from http import (
            HTTPStatus,
        )  # imported here: only ALB results carry a reason phrase

        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    result: dict[str, Any] = {
        "statusCode": response.status,
        "statusDescription": f"{response.status} {reason}",
    }
    rendered = render_headers(headers, multi_value=multi_value)
    result.update(rendered)
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
