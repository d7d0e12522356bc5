"""HTTP API payload format 2.0 and Lambda Function URLs, which share it.

Shape: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
and https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html.
"""

from __future__ import annotations

from lambdash._formats._common import field
from lambdash._formats._common import make_request
from lambdash._formats._common import mapping
from lambdash._formats._common import single_headers
from lambdash._formats._common import split_route_prefix
from lambdash._formats._common import strip_base_path
from lambdash._formats._common import wsgi_str
from lambdash._message import Request
from lambdash._message import remember
from lambdash.exceptions import MalformedEventError

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from typing import Any

__all__ = ["parse", "render"]

SOURCE = "HTTP API"


def _with_cookies(event: dict[str, Any], headers: dict[str, str]) -> dict[str, str]:
    # Cookies move to ``cookies`` on HTTP APIs; Function URLs keep the ``cookie`` header too
    # (hattip PR #159), so the header is rebuilt from ``cookies`` alone to avoid sending each
    # cookie twice. An empty list says nothing about the header, which is then kept.
    cookies = event.get("cookies")
    if not isinstance(cookies, list):
        msg = f"the {SOURCE} event's 'cookies' must be a list, not {type(cookies).__name__}"
        raise MalformedEventError(msg)
    if cookies:
        headers["cookie"] = "; ".join(wsgi_str(cookie) for cookie in cookies)
    return headers


def _split_path(
    event: dict[str, Any], context_info: dict[str, Any], raw_path: str
) -> tuple[str, str]:
    route_key = event.get("routeKey")
    params = event.get("pathParameters")
    stage = context_info.get("stage")
    if (
        type(route_key) is str
        and type(stage) is str
        and (params is None or type(params) is dict)
    ):
        try:
            key = (raw_path, route_key, tuple(params.items()) if params else (), stage)
            return _SPLITS[key]
        except TypeError:
            pass  # an unhashable path parameter: the general way, uncached, ignores it
        except KeyError:
            found = _split(raw_path, route_key, params or {}, stage)
            remember(_SPLITS, _SPLITS_LIMIT, key, found)
            return found
    return _split(
        raw_path,
        route_key,
        mapping(event, "pathParameters", SOURCE),
        stage,
    )


def _split(
    raw_path: str, route_key: object, params: dict[str, Any], stage: object
) -> tuple[str, str]:
    """The named stage or base path in front of the route, and the route part."""
    route = route_key.partition(" ")[2] if isinstance(route_key, str) else None
    # A named stage stays in rawPath while routeKey leaves it out
    # (https://github.com/logandk/serverless-wsgi/issues/191), and so does a custom domain's
    # mapping key where AWS passes it on; both are whatever stands in front of the route.
    prefix, rest = split_route_prefix(raw_path, route or None, params)
    if prefix:
        return prefix, rest
    if isinstance(stage, str) and stage not in ("", "$default"):
        return (
            strip_base_path(raw_path, "/" + stage)
            if raw_path.startswith("/" + stage)
            else ("", raw_path)
        )
    return "", raw_path


# (rawPath, routeKey, path parameters, stage) -> _split's answer. A warm function sees the same
# paths again and again. One that sees many would grow it, so it is emptied when full and fills
# again with the paths now arriving.
_SPLITS: dict[tuple[str, str, tuple[tuple[str, Any], ...], str], tuple[str, str]] = {}
_SPLITS_LIMIT = 256


def parse(event: dict[str, Any], context: Any, *, base_path: str | None) -> Request:
    """A :class:`Request` from a payload 2.0 event.

    Fields are read with a type check inline, and only one that fails it goes through
    :func:`field` or :func:`mapping`, which raise :class:`MalformedEventError`.
    """
    context_info = event.get("requestContext")
    if type(context_info) is not dict:
        context_info = mapping(event, "requestContext", SOURCE)
    http = context_info.get("http")
    if type(http) is not dict:
        http = mapping(context_info, "http", SOURCE, where="requestContext.http")
    # Names arrive lower-cased and repeated headers comma-joined.
    headers = event.get("headers")
    if type(headers) is not dict:
        headers = mapping(event, "headers", SOURCE)
    headers = single_headers(headers, SOURCE)
    if event.get("cookies") is not None:
        headers = _with_cookies(event, headers)
    raw_path = event.get("rawPath")
    if type(raw_path) is not str:
        raw_path = field(event, "rawPath", SOURCE)
    if base_path is None:
        script_raw, path_raw = _split_path(event, context_info, raw_path)
    else:
        script_raw, path_raw = strip_base_path(raw_path, base_path)
    method = http.get("method")
    if type(method) is not str:
        method = field(http, "method", SOURCE, where="requestContext.http.method")
    query = event.get("rawQueryString")
    if type(query) is not str or not query.isascii():
        query = wsgi_str(field(event, "rawQueryString", SOURCE, default=""))
    protocol = http.get("protocol")
    if type(protocol) is not str:
        protocol = field(
            http,
            "protocol",
            SOURCE,
            default="HTTP/1.1",
            where="requestContext.http.protocol",
        )
    remote_addr = http.get("sourceIp")
    if type(remote_addr) is not str:
        remote_addr = field(
            http,
            "sourceIp",
            SOURCE,
            default="127.0.0.1",
            where="requestContext.http.sourceIp",
        )
    return make_request(
        event,
        context,
        SOURCE,
        method=method,
        script_raw=script_raw,
        path_raw=path_raw,
        query_string=query,
        headers=headers,
        protocol=protocol,
        remote_addr=remote_addr,
        remote_user=_remote_user(context_info["authorizer"])
        if "authorizer" in context_info
        else None,
    )


def _remote_user(authorizer: Any) -> str | None:
    """The principal an authorizer vouched for, as PEP 3333's REMOTE_USER, or ``None``.

    A JWT authorizer's ``sub`` claim is in ``authorizer.jwt.claims``
    (http-api-develop-integrations-lambda.html); a Lambda authorizer's ``principalId``, where the
    event carries one, is taken as on REST APIs. ``authorizer.lambda`` is the context a Lambda
    authorizer returned, whose keys are the authorizer's own, and ``authorizer.iam`` describes
    IAM credentials: neither names a user.
    """
    try:
        user = authorizer["jwt"]["claims"]["sub"]
    except (KeyError, TypeError):
        try:
            user = authorizer["principalId"]
        except (KeyError, TypeError):
            return None
    return wsgi_str(user) if type(user) is str and user else None


def render(
    status: int,
    headers: list[tuple[str, str]],
    *,
    body: str,
    is_base64: bool,
    request: Request,
    set_cookies: int,
) -> dict[str, Any]:
    """The structured 2.0 result: ``Set-Cookie`` lines go to ``cookies``, other repeats are comma-joined."""
    single: dict[str, str]
    if not set_cookies:
        # Nearly always each name comes once, and then the map is the list as it is.
        single = dict(headers)
        if len(single) == len(headers):
            return {
                "statusCode": status,
                "headers": single,
                "body": body,
                "isBase64Encoded": is_base64,
            }
    single = {}
    cookies: list[str] = []
    for name, value in headers:
        # The length test spares most names the lower-casing.
        if len(name) == 10 and name.lower() == "set-cookie":
            cookies.append(value)
        elif name in single:
            single[name] += ", " + value
        else:
            single[name] = value
    result: dict[str, Any] = {"statusCode": status, "headers": single}
    if cookies:
        result["cookies"] = cookies
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
