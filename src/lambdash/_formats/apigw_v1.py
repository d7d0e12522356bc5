"""API Gateway REST API proxy events, and HTTP API payload format 1.0.

Shapes: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
and http-api-develop-integrations-lambda.html. REST events carry no ``version``; HTTP API 1.0
events carry ``"version": "1.0"`` (aws/aws-lambda-go PR #280).
"""

from __future__ import annotations

from lambdash._formats._common import field
from lambdash._formats._common import make_request
from lambdash._formats._common import mapping
from lambdash._formats._common import multi_headers
from lambdash._formats._common import multi_pairs
from lambdash._formats._common import single_headers
from lambdash._formats._common import split_route_prefix
from lambdash._formats._common import strip_base_path
from lambdash._formats._common import wsgi_str
from lambdash._message import Request
from lambdash._message import remember

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from typing import Any

__all__ = ["headers_of", "parse", "render", "render_headers"]

SOURCE = "REST API"
HTTP_V1_SOURCE = "HTTP API payload 1.0"


def headers_of(event: dict[str, Any], source: str) -> dict[str, str]:
    """Request headers with lower-case names, each header's values joined.

    ``multiValueHeaders`` holds every value; ``headers`` only the last of a repeated header
    (set-up-lambda-proxy-integrations.html), so the multi-value map wins when present.
    """
    multi = event.get("multiValueHeaders")
    if multi:
        if type(multi) is not dict:
            multi = mapping(event, "multiValueHeaders", source)
        return multi_headers(multi, source)
    single = event.get("headers")
    if type(single) is not dict:
        single = mapping(event, "headers", source)
    return single_headers(single, source)


def _query_string(event: dict[str, Any], source: str) -> str:
    # API Gateway decodes query values before it builds the event and keeps no raw query string
    # (api-gateway-known-issues.html), so the query string is encoded again here.
    # Imported here: only requests with a query string need it.
    from urllib.parse import urlencode

    multi = mapping(event, "multiValueQueryStringParameters", source)
    if multi:
        return urlencode(
            multi_pairs(multi, source, "multiValueQueryStringParameters"), doseq=False
        )
    single = mapping(event, "queryStringParameters", source)
    return urlencode([(k, v) for k, v in single.items() if v is not None])


# The default endpoint's host is {api-id}.execute-api.{region}.amazonaws.com, and in the China
# regions {api-id}.execute-api.{region}.amazonaws.com.cn
# (https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html).
_EXECUTE_API_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn")

# (path, requestContext.path, proxy) -> _proxy_split's answer, where it has one. A warm function
# sees the same paths again and again. One that sees many would grow it, so it is emptied when
# full and fills again with the paths now arriving.
_PROXY_SPLITS: dict[tuple[str, str, str], tuple[str, str]] = {}
_PROXY_SPLITS_LIMIT = 256


def _proxy_split(path: str, client_path: str, proxy: str) -> tuple[str, str] | None:
    """:func:`_split_path` for the ``/{proxy+}`` route of nearly every deployment, or ``None``.

    It answers only when the route part is ``"/" + proxy`` (with the trailing slash that
    ``{proxy+}`` drops put back) and ends both paths, with no slash in front of it; every other
    case goes the general way, and tests/test_formats.py checks that both agree.
    """
    if not proxy or proxy[-1] == "/":
        return None
    route_part = "/" + proxy + "/" if path[-1] == "/" else "/" + proxy
    cut = len(client_path) - len(route_part)
    if (
        cut >= 0
        and client_path.endswith(route_part)
        and path.endswith(route_part)
        and path[-len(route_part) - 1 : -len(route_part)] != "/"
        and client_path[0] == "/"
    ):
        return client_path[:cut], route_part
    return None


def _split_path(
    event: dict[str, Any],
    context_info: dict[str, Any],
    path: str,
    host: str,
    source: str,
) -> tuple[str, str]:
    # ``requestContext.path`` is the path the client asked for, stage included on execute-api
    # hosts ($context.path, api-gateway-mapping-template-reference.html).
    client_path = context_info.get("path")
    params = event.get("pathParameters")
    if type(params) is not dict:
        params = mapping(event, "pathParameters", source)
    elif (
        type(client_path) is str
        and client_path
        and path
        and event.get("resource") == "/{proxy+}"
    ):
        proxy = params.get("proxy")
        if type(proxy) is str:
            key = (path, client_path, proxy)
            try:
                return _PROXY_SPLITS[key]
            except KeyError:
                found = _proxy_split(path, client_path, proxy)
            if found is not None:
                remember(_PROXY_SPLITS, _PROXY_SPLITS_LIMIT, key, found)
                return found
    return _route_split(
        path,
        event.get("resource"),
        params,
        client_path=client_path,
        stage=context_info.get("stage"),
        host=host,
    )


def _route_split(
    path: str,
    resource: object,
    params: dict[str, Any],
    *,
    client_path: object,
    stage: object,
    host: str,
) -> tuple[str, str]:
    """The stage or base path in front of the route, and the route part, from any event."""
    # On a custom domain, the base path mapping stays in ``path`` while ``resource`` and the path
    # parameters leave it out (https://github.com/localstack/localstack/pull/12296).
    base, route_part = split_route_prefix(
        path, resource if isinstance(resource, str) else None, params
    )
    if isinstance(client_path, str) and client_path.startswith("/"):
        if route_part == "/" and not client_path.endswith("/"):
            return client_path, route_part
        if client_path.endswith(route_part):
            return client_path[: len(client_path) - len(route_part)], route_part
    if (
        isinstance(stage, str)
        and stage
        and stage != "$default"
        and host.endswith(_EXECUTE_API_DOMAINS)
    ):
        # Test events often lack requestContext.path; execute-api URLs always carry the stage.
        return "/" + stage + base, route_part
    return base, route_part


def parse(event: dict[str, Any], context: Any, *, base_path: str | None) -> Request:
    """A :class:`Request` from a REST API or HTTP API 1.0 event.

    Each field is read with a type check inline, and only a field that fails it goes through
    :func:`field` or :func:`mapping`, which raise :class:`MalformedEventError`: this runs on
    every invocation.
    """
    # Both formats share this reader; messages name the one the event is.
    source = HTTP_V1_SOURCE if event.get("version") == "1.0" else SOURCE
    context_info = event.get("requestContext")
    if type(context_info) is not dict:
        context_info = mapping(event, "requestContext", source)
    multi = event.get("multiValueHeaders")
    headers = (
        multi_headers(multi, source)
        if multi and type(multi) is dict
        else headers_of(event, source)
    )
    path = event.get("path")
    if type(path) is not str:
        path = field(event, "path", source)
    if base_path is None:
        script_raw, path_raw = _split_path(
            event, context_info, path, headers.get("host", ""), source
        )
    else:
        script_raw, path_raw = strip_base_path(path, base_path)
    method = event.get("httpMethod")
    if type(method) is not str:
        method = field(event, "httpMethod", source)
    protocol = context_info.get("protocol")
    if type(protocol) is not str:
        protocol = field(
            context_info,
            "protocol",
            source,
            default="HTTP/1.1",
            where="requestContext.protocol",
        )
    identity = context_info.get("identity")
    remote_addr = identity.get("sourceIp") if type(identity) is dict else None
    if type(remote_addr) is not str:
        remote_addr = field(
            mapping(context_info, "identity", source, where="requestContext.identity"),
            "sourceIp",
            source,
            default="127.0.0.1",
            where="requestContext.identity.sourceIp",
        )
    # Most requests have no query; the helper runs only for one that has.
    query = event.get("multiValueQueryStringParameters") or event.get(
        "queryStringParameters"
    )
    return make_request(
        event,
        context,
        source,
        method=method,
        script_raw=script_raw,
        path_raw=path_raw,
        query_string=_query_string(event, source) if query else "",
        headers=headers,
        protocol=protocol,
        remote_addr=remote_addr,
        remote_user=_remote_user(context_info["authorizer"])
        if "authorizer" in context_info
        else None,
    )


def _remote_user(authorizer: Any) -> str | None:
    """The principal an authorizer vouched for, as PEP 3333's REMOTE_USER, or ``None``.

    A Lambda authorizer's ``principalId`` (api-gateway-lambda-authorizer-output.html) comes first;
    then the ``sub`` claim, which a Cognito user pool authorizer on REST APIs and a JWT
    authorizer on HTTP API payload 1.0 put in ``authorizer.claims``
    (https://github.com/awsdocs/amazon-api-gateway-developer-guide/issues/113).
    """
    try:
        user = authorizer["principalId"]
    except (KeyError, TypeError):
        try:
            user = authorizer["claims"]["sub"]
        except (KeyError, TypeError):
            return None
    return wsgi_str(user) if type(user) is str and user else None


def render_headers(
    headers: list[tuple[str, str]], *, multi_value: bool
) -> dict[str, Any]:
    """Response headers as ``multiValueHeaders``, or as ``headers`` when the request had no multi-value map.

    ``Set-Cookie`` never shares a line: several of them go in ``multiValueHeaders`` in any case,
    which REST APIs merge with ``headers`` (set-up-lambda-proxy-integrations.html).
    """
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        if name in grouped:
            grouped[name].append(value)
        else:
            grouped[name] = [value]
    if multi_value:
        return {"multiValueHeaders": grouped}
    single = {}
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
    status: int,
    headers: list[tuple[str, str]],
    *,
    body: str,
    is_base64: bool,
    request: Request,
    set_cookies: int,
) -> dict[str, Any]:
    """The proxy result; REST APIs reject any key besides these five (LS-TEST, sst #2760)."""
    result = render_headers(headers, multi_value="multiValueHeaders" in request.event)
    result["statusCode"] = status
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
