"""Application Load Balancer events, in single-value and multi-value header mode.

Shape: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html.
Multi-value mode is a target-group attribute; the event shows it by carrying
``multiValueHeaders``, and the response must answer in the same style.
"""

from __future__ import annotations

from lambdash._formats._common import field
from lambdash._formats._common import make_request
from lambdash._formats._common import mapping
from lambdash._formats._common import multi_pairs
from lambdash._formats._common import single_headers
from lambdash._formats._common import strip_base_path
from lambdash._formats.apigw_v1 import headers_of
from lambdash._formats.apigw_v1 import render_headers
from lambdash._log import logger
from lambdash._message import Request
from lambdash._message import remember

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from typing import Any

__all__ = ["parse", "render"]

SOURCE = "ALB"

# ALB passes query strings on still URL-encoded ("the load balancer does not decode them"), so
# they are only completed here: characters a client may send raw (a space, say) are encoded, and
# an existing %XX escape is left alone instead of becoming %25XX.
_QUERY_SAFE = "!$%&'()*+,/:;=?@[]~"


def _query_string(event: dict[str, Any]) -> str:
    from urllib.parse import quote  # imported here: only requests with a query need it

    multi = mapping(event, "multiValueQueryStringParameters", SOURCE)
    pairs = (
        multi_pairs(multi, SOURCE, "multiValueQueryStringParameters")
        if multi
        else list(mapping(event, "queryStringParameters", SOURCE).items())
    )
    return "&".join(
        f"{quote(str(k), safe=_QUERY_SAFE)}={quote(str(v), safe=_QUERY_SAFE)}"
        for k, v in pairs
    )


def parse(event: dict[str, Any], context: Any, *, base_path: str | None) -> Request:
    """A :class:`Request` from an ALB event. ALB has no stages, so the prefix is only *base_path*."""
    # Single-value mode, the default, is read here; headers_of takes the other cases.
    single = event.get("headers")
    headers = (
        single_headers(single, SOURCE)
        if type(single) is dict and not event.get("multiValueHeaders")
        else headers_of(event, SOURCE)
    )
    path = event.get("path")
    if type(path) is not str:
        path = field(event, "path", SOURCE)
    script_raw, path_raw = strip_base_path(path, base_path) if base_path else ("", path)
    # ALB appends the address it saw to X-Forwarded-For; earlier entries come from the client
    # and can be forged, so only the last one is the peer's address.
    forwarded = headers.get("x-forwarded-for")
    remote_addr = forwarded.rpartition(",")[2].strip() if forwarded is not None else ""
    method = event.get("httpMethod")
    if type(method) is not str:
        method = field(event, "httpMethod", SOURCE)
    # Most requests have no query; the helper runs only for one that has.
    query = event.get("multiValueQueryStringParameters") or event.get(
        "queryStringParameters"
    )
    return make_request(
        event,
        context,
        SOURCE,
        method=method,
        script_raw=script_raw,
        path_raw=path_raw,
        query_string=_query_string(event) if query else "",
        headers=headers,
        protocol="HTTP/1.1",
        remote_addr=remote_addr or "127.0.0.1",
        # ALB has no authorizer; its own authentication hands the app x-amzn-oidc-* headers.
        remote_user=None,
    )


# Status code -> ALB's statusDescription, such as "200 OK". Status codes are 100-999, so the
# bound is not reached in practice; were it reached, the cache is emptied and fills again.
_DESCRIPTIONS: dict[int, str] = {}
_DESCRIPTIONS_LIMIT = 1000


def _description(status: int) -> str:
    from http import HTTPStatus  # imported here: only ALB results carry a reason phrase

    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    description = f"{status} {reason}"
    remember(_DESCRIPTIONS, _DESCRIPTIONS_LIMIT, status, description)
    return description


def render(
    status: int,
    headers: list[tuple[str, str]],
    *,
    body: str,
    is_base64: bool,
    request: Request,
    set_cookies: int,
) -> dict[str, Any]:
    """The ALB result, ``statusDescription`` included, in the header style of the request."""
    multi_value = "multiValueHeaders" in request.event
    if set_cookies > 1 and not multi_value:
        # Single-value mode has room for one Set-Cookie only (lambda-functions.html).
        logger().warning(
            "ALB single-value headers can carry one Set-Cookie; %d were set and only the first "
            "is sent. Enable the target group attribute lambda.multi_value_headers.enabled.",
            set_cookies,
        )
        cookies = [value for name, value in headers if name.lower() == "set-cookie"]
        kept = [(n, v) for n, v in headers if n.lower() != "set-cookie"]
        headers = [*kept, ("Set-Cookie", cookies[0])]
    try:
        description = _DESCRIPTIONS[status]
    except KeyError:
        description = _description(status)
    single = None if multi_value else dict(headers)
    # Nearly always each name comes once, and then the map is the list as it is.
    result: dict[str, Any] = (
        {"headers": single}
        if single is not None and len(single) == len(headers)
        else render_headers(headers, multi_value=multi_value)
    )
    result["statusCode"] = status
    result["statusDescription"] = description
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
