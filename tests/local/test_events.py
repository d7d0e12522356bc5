"""build_event: the event each front door builds from a client's request, and its routing errors.

Every rule cites its section of ../shared/design/aws-behaviour.md.
"""

from __future__ import annotations

import base64
import copy
import datetime
import re
import time
from typing import Any

import pytest

from lambdash.local._events import build_event
from lambdash.local._model import Gateway
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse

HOST = "abc123def4.execute-api.eu-west-1.amazonaws.com"
URL_HOST = "id.lambda-url.eu-west-2.on.aws"
CLIENT_IP = "203.0.113.7"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdash-local/0123456789abcdef"
UUID4 = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)
HEX16 = re.compile(r"[0-9a-f]{16}")
STAMP_FORMAT = "%d/%b/%Y:%H:%M:%S +0000"
# The client's own forwarding headers and the ones the front door sets, for a request from CLIENT_IP.
FORWARDED = {
    "X-Forwarded-For": CLIENT_IP,
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
}
FORWARDED_LOWER = {name.lower(): value for name, value in FORWARDED.items()}


def request(
    target: str,
    *,
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    host: str = HOST,
) -> HTTPRequest:
    """A request from CLIENT_IP over HTTPS; *headers* come after ``Host``."""
    return HTTPRequest(
        method=method,
        target=target,
        headers=[("Host", host), *(headers or [])],
        body=body,
        client_ip=CLIENT_IP,
        scheme="https",
        port=443,
    )


def _check_time(stamp: str, epoch: int, before: float, after: float) -> None:
    assert int(before * 1000) <= epoch <= int(after * 1000)
    moment = datetime.datetime.fromtimestamp(epoch / 1000, tz=datetime.UTC)
    assert stamp == moment.strftime(STAMP_FORMAT)


def built(config: GatewayConfig, req: HTTPRequest) -> dict[str, Any]:
    """The event for *req*, its request ids and times checked and replaced by placeholders."""
    before = time.time()
    event = build_event(config, req)
    after = time.time()
    assert isinstance(event, dict)
    event = copy.deepcopy(event)
    context = event.get("requestContext", {})
    if "requestTimeEpoch" in context:  # REST
        assert UUID4.fullmatch(context["requestId"])
        assert HEX16.fullmatch(context["extendedRequestId"])
        _check_time(context["requestTime"], context["requestTimeEpoch"], before, after)
        context.update(
            requestId="<id>",
            extendedRequestId="<xid>",
            requestTime="<time>",
            requestTimeEpoch=0,
        )
    elif "timeEpoch" in context:  # payload 2.0
        assert UUID4.fullmatch(context["requestId"])
        _check_time(context["time"], context["timeEpoch"], before, after)
        context.update(requestId="<id>", time="<time>", timeEpoch=0)
    return event


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def rest_context(
    *,
    method: str = "GET",
    path: str,
    resource: str,
    stage: str = "Prod",
    user_agent: str | None = None,
) -> dict[str, Any]:
    """The requestContext of a REST event (placeholders for ids and times)."""
    return {
        "accountId": "123456789012",
        "apiId": "lambdashlocal",
        "domainName": HOST,
        "domainPrefix": "abc123def4",
        "extendedRequestId": "<xid>",
        "httpMethod": method,
        "identity": {"sourceIp": CLIENT_IP, "userAgent": user_agent},
        "path": path,
        "protocol": "HTTP/1.1",
        "requestId": "<id>",
        "requestTime": "<time>",
        "requestTimeEpoch": 0,
        "resourceId": "local",
        "resourcePath": resource,
        "stage": stage,
    }


class TestRestEvent:
    def test_whole_event(self) -> None:
        body = b'{"name": "dash"}'
        req = request(
            "/Prod/api/user/test%2Balias@gmail.com/?category=electronics&category=books"
            "&plus=test+alias%40gmail.com&empty=",
            method="POST",
            headers=[
                ("User-Agent", "curl/8.5.0"),
                ("Accept", "*/*"),
                ("Content-Type", "application/json"),
                ("Content-Length", "16"),
                ("Connection", "keep-alive"),
                ("X-Forwarded-For", "198.51.100.1"),
                ("X-Forwarded-Proto", "http"),
                ("X-Forwarded-Port", "80"),
                ("X-Custom", "one"),
                ("X-Custom", "two"),
            ],
            body=body,
        )
        # BinaryMediaTypes */* (the default) makes even a JSON body base64 (§1.1.12); the stage
        # leaves `path` (§1.1.4) and stays in requestContext.path (§1.1.5); Content-Length and
        # Connection are dropped and X-Forwarded-* set (§1.1.10); query values are decoded
        # (§1.1.11); the trailing slash leaves `proxy` (§1.1.7).
        assert built(GatewayConfig(), req) == {
            "resource": "/{proxy+}",
            "path": "/api/user/test%2Balias@gmail.com/",
            "httpMethod": "POST",
            "headers": {
                "Host": HOST,
                "User-Agent": "curl/8.5.0",
                "Accept": "*/*",
                "Content-Type": "application/json",
                "X-Custom": "two",
                "X-Forwarded-For": f"198.51.100.1, {CLIENT_IP}",
                "X-Forwarded-Port": "443",
                "X-Forwarded-Proto": "https",
            },
            "multiValueHeaders": {
                "Host": [HOST],
                "User-Agent": ["curl/8.5.0"],
                "Accept": ["*/*"],
                "Content-Type": ["application/json"],
                "X-Custom": ["one", "two"],
                "X-Forwarded-For": [f"198.51.100.1, {CLIENT_IP}"],
                "X-Forwarded-Port": ["443"],
                "X-Forwarded-Proto": ["https"],
            },
            "queryStringParameters": {
                "category": "books",
                "plus": "test alias@gmail.com",
                "empty": "",
            },
            "multiValueQueryStringParameters": {
                "category": ["electronics", "books"],
                "plus": ["test alias@gmail.com"],
                "empty": [""],
            },
            "pathParameters": {"proxy": "api/user/test%2Balias@gmail.com"},
            "stageVariables": None,
            "requestContext": rest_context(
                method="POST",
                path="/Prod/api/user/test%2Balias@gmail.com/",
                resource="/{proxy+}",
                user_agent="curl/8.5.0",
            ),
            "body": b64(body),
            "isBase64Encoded": True,
        }

    def test_root_without_query_or_body(self) -> None:
        assert built(GatewayConfig(), request("/Prod/")) == {
            "resource": "/",
            "path": "/",
            "httpMethod": "GET",
            "headers": {"Host": HOST, **FORWARDED},
            "multiValueHeaders": {
                "Host": [HOST],
                **{name: [value] for name, value in FORWARDED.items()},
            },
            "queryStringParameters": None,
            "multiValueQueryStringParameters": None,
            "pathParameters": None,
            "stageVariables": None,
            "requestContext": rest_context(path="/Prod/", resource="/"),
            "body": None,
            "isBase64Encoded": False,
        }

    def test_without_host_header(self) -> None:
        req = HTTPRequest(method="GET", target="/Prod/", headers=[])
        event = built(GatewayConfig(), req)
        context = event["requestContext"]
        assert (context["domainName"], context["domainPrefix"]) == (
            "localhost",
            "localhost",
        )
        assert event["headers"] == {
            "X-Forwarded-For": "127.0.0.1",
            "X-Forwarded-Port": "80",
            "X-Forwarded-Proto": "http",
        }

    @pytest.mark.parametrize(
        ("config", "target", "expected"),
        [
            pytest.param(
                GatewayConfig(),
                "/Prod",
                ("/", "/", None, "/Prod", "Prod"),
                id="stage-alone",
            ),
            pytest.param(
                GatewayConfig(),
                "/Prod/a/b/",
                ("/{proxy+}", "/a/b/", {"proxy": "a/b"}, "/Prod/a/b/", "Prod"),
                id="trailing-slash",
            ),
            pytest.param(
                GatewayConfig(),
                "/Prod/proxy-value//double-slash",
                (
                    "/{proxy+}",
                    "/proxy-value//double-slash",
                    {"proxy": "proxy-value//double-slash"},
                    "/Prod/proxy-value//double-slash",
                    "Prod",
                ),
                id="interior-double-slash-kept",
            ),
            pytest.param(
                GatewayConfig(),
                "//Prod/x",
                ("/{proxy+}", "/x", {"proxy": "x"}, "/Prod/x", "Prod"),
                id="leading-slashes-collapsed",
            ),
            pytest.param(
                GatewayConfig(),
                "/Prod/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
                (
                    "/{proxy+}",
                    "/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
                    {"proxy": "user/test%2Balias@gmail.com/plus/test+alias@gmail.com"},
                    "/Prod/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
                    "Prod",
                ),
                id="percent-encoding-kept",
            ),
            pytest.param(
                GatewayConfig(stage="v1"),
                "/v1/x",
                ("/{proxy+}", "/x", {"proxy": "x"}, "/v1/x", "v1"),
                id="named-stage",
            ),
            pytest.param(
                GatewayConfig(base_path="/dash/"),
                "/dash/x",
                ("/{proxy+}", "/dash/x", {"proxy": "x"}, "/dash/x", "Prod"),
                id="base-path-kept",
            ),
            pytest.param(
                GatewayConfig(base_path="dash"),
                "/dash",
                ("/", "/dash", None, "/dash", "Prod"),
                id="base-path-root",
            ),
        ],
    )
    def test_paths(
        self,
        config: GatewayConfig,
        target: str,
        expected: tuple[str, str, dict[str, str] | None, str, str],
    ) -> None:
        # The stage leaves `path` on the execute-api host (§1.1.4, §2.1); a custom domain's base
        # path stays in both paths (§2.2); resource, resourcePath and proxy exclude it (§1.1.3, §1.1.7).
        event = built(config, request(target))
        context = event["requestContext"]
        assert context["resourcePath"] == event["resource"]
        assert (
            event["resource"],
            event["path"],
            event["pathParameters"],
            context["path"],
            context["stage"],
        ) == expected

    def test_leading_double_slash_after_stage_collapsed_in_path(self) -> None:
        event = built(GatewayConfig(), request("/Prod//proxy-value"))
        assert (event["path"], event["requestContext"]["path"]) == (
            "/proxy-value",
            "/Prod//proxy-value",
        )

    @pytest.mark.parametrize(
        ("query", "single", "multi"),
        [
            pytest.param("", None, None, id="none"),
            pytest.param("?", None, None, id="empty"),
            pytest.param(
                "?category=electronics&category=books",
                {"category": "books"},
                {"category": ["electronics", "books"]},
                id="repeated-last-wins",
            ),
            pytest.param(
                "?plus=test+alias%40x.com&enc=%2B&blank=&flag",
                {"plus": "test alias@x.com", "enc": "+", "blank": "", "flag": ""},
                {
                    "plus": ["test alias@x.com"],
                    "enc": ["+"],
                    "blank": [""],
                    "flag": [""],
                },
                id="decoded",
            ),
        ],
    )
    def test_query(
        self,
        query: str,
        single: dict[str, str] | None,
        multi: dict[str, list[str]] | None,
    ) -> None:
        # REST decodes values; the single map keeps the last; both null without a query (§1.1.11).
        event = built(GatewayConfig(), request("/Prod/q" + query))
        assert (
            event["queryStringParameters"],
            event["multiValueQueryStringParameters"],
        ) == (single, multi)

    def test_dropped_and_forwarded_headers(self) -> None:
        dropped = [
            ("Content-Length", "3"),
            ("Content-MD5", "x"),
            ("Expect", "100-continue"),
            ("Max-Forwards", "3"),
            ("Proxy-Authenticate", "Basic"),
            ("Server", "x"),
            ("TE", "trailers"),
            ("Transfer-Encoding", "chunked"),
            ("Trailer", "X"),
            ("Upgrade", "h2c"),
            ("WWW-Authenticate", "Basic"),
            ("connection", "close"),
        ]
        req = request(
            "/Prod/",
            method="PUT",
            headers=[
                *dropped,
                ("x-forwarded-for", "198.51.100.1"),
                ("X-Forwarded-For", "198.51.100.2"),
                ("tEsT-HEADeR", "kept as sent"),
            ],
            body=b"abc",
        )
        # §1.1.10: none of these reach the event; X-Forwarded-For appends the peer to the chain.
        assert built(GatewayConfig(), req)["multiValueHeaders"] == {
            "Host": [HOST],
            "tEsT-HEADeR": ["kept as sent"],
            "X-Forwarded-For": [f"198.51.100.1, 198.51.100.2, {CLIENT_IP}"],
            "X-Forwarded-Port": ["443"],
            "X-Forwarded-Proto": ["https"],
        }

    @pytest.mark.parametrize(
        ("binary_media_types", "content_type", "body", "expected"),
        [
            pytest.param(("*/*",), "application/json", b'{"a": 1}', (b64(b'{"a": 1}'), True), id="star-json"),
            pytest.param(("*/*",), None, b"plain", (b64(b"plain"), True), id="star-no-type"),
            pytest.param(("*/*",), "text/plain", b"", (None, False), id="star-empty-body"),
            pytest.param(("image/*",), "image/png", b"\x89PNG\r\n", (b64(b"\x89PNG\r\n"), True), id="image-star-png"),
            pytest.param(("image/*",), "image/svg+xml; charset=utf-8", b"<svg/>", (b64(b"<svg/>"), True), id="image-star-svg"),
            pytest.param(("image/*",), "application/json", b'{"a": 1}', ('{"a": 1}', False), id="image-star-json"),
            pytest.param(("image/png",), "IMAGE/PNG; q=1", b"png", (b64(b"png"), True), id="case-and-parameters"),
            pytest.param(("image~1png",), "image/png", b"png", (b64(b"png"), True), id="sam-escape"),
            pytest.param(("application/json",), "application/json", b"{}", (b64(b"{}"), True), id="json-listed"),
            pytest.param(("image/png",), None, b"plain", ("plain", False), id="no-type"),
            pytest.param(("application/octet-stream", "image/*"), "multipart/form-data; boundary=x", b"--x--", ("--x--", False), id="multipart-unlisted"),
            pytest.param((), "image/png", b"\x89PNG\r\n", ("\ufffdPNG\r\n", False), id="unlisted-binary-damaged"),
        ],
    )  # fmt: skip
    def test_body(
        self,
        binary_media_types: tuple[str, ...],
        content_type: str | None,
        body: bytes,
        expected: tuple[str | None, bool],
    ) -> None:
        # Base64 exactly when the request Content-Type matches BinaryMediaTypes (§1.1.12).
        headers = [] if content_type is None else [("Content-Type", content_type)]
        config = GatewayConfig(binary_media_types=binary_media_types)
        event = built(
            config, request("/Prod/up", method="POST", headers=headers, body=body)
        )
        assert (event["body"], event["isBase64Encoded"]) == expected


def v2_context(
    *,
    method: str = "GET",
    path: str,
    route_key: str,
    stage: str = "$default",
    host: str = HOST,
    account: str = "123456789012",
    user_agent: str = "",
) -> dict[str, Any]:
    """The requestContext of a payload 2.0 event (placeholders for ids and times)."""
    return {
        "accountId": account,
        "apiId": "lambdashlocal",
        "domainName": host,
        "domainPrefix": host.split(".")[0],
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": CLIENT_IP,
            "userAgent": user_agent,
        },
        "requestId": "<id>",
        "routeKey": route_key,
        "stage": stage,
        "time": "<time>",
        "timeEpoch": 0,
    }


class TestHttpApiEvent:
    def test_whole_event_on_named_stage(self) -> None:
        req = request(
            "/v1/api/x%20y/?a=1&a=2&b=%2B&c=x+y",
            method="POST",
            headers=[
                ("User-Agent", "curl/8.5.0"),
                ("Cookie", "a=1; b=2"),
                ("Cookie", "c=3;"),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("X-Custom", "one"),
                ("x-custom", "two"),
                ("Connection", "keep-alive"),
                ("Content-Length", "5"),
            ],
            body=b"hello",
        )
        # Payload 2.0 (§3.1): names lower-cased, repeats comma-joined, the cookie header moved to
        # `cookies` (§3.1.3), decoded query values comma-joined (§3.1.4), the named stage kept in
        # rawPath (§3.1.6), a text body as text (§3.1.7).
        assert built(GatewayConfig(gateway="http", stage="v1"), req) == {
            "version": "2.0",
            "routeKey": "ANY /{proxy+}",
            "rawPath": "/v1/api/x%20y/",
            "rawQueryString": "a=1&a=2&b=%2B&c=x+y",
            "cookies": ["a=1", "b=2", "c=3"],
            "headers": {
                "host": HOST,
                "user-agent": "curl/8.5.0",
                "content-type": "text/plain; charset=utf-8",
                "x-custom": "one,two",
                "content-length": "5",
                **FORWARDED_LOWER,
            },
            "queryStringParameters": {"a": "1,2", "b": "+", "c": "x y"},
            "pathParameters": {"proxy": "api/x%20y"},
            "requestContext": v2_context(
                method="POST",
                path="/v1/api/x y/",
                route_key="ANY /{proxy+}",
                stage="v1",
                user_agent="curl/8.5.0",
            ),
            "body": "hello",
            "isBase64Encoded": False,
        }

    def test_bare_get_omits_absent_fields(self) -> None:
        # Absent fields are omitted, not null (§3.1.1).
        assert built(GatewayConfig(gateway="http"), request("/")) == {
            "version": "2.0",
            "routeKey": "ANY /",
            "rawPath": "/",
            "rawQueryString": "",
            "headers": {"host": HOST, **FORWARDED_LOWER, "content-length": "0"},
            "requestContext": v2_context(path="/", route_key="ANY /"),
            "isBase64Encoded": False,
        }

    def test_content_length_zero_without_body(self) -> None:
        event = built(GatewayConfig(gateway="http"), request("/x"))
        assert event["headers"]["content-length"] == "0"

    def test_default_stage_path(self) -> None:
        event = built(GatewayConfig(gateway="http"), request("/a/b"))
        assert (
            event["rawPath"],
            event["routeKey"],
            event["pathParameters"],
            event["requestContext"]["stage"],
        ) == ("/a/b", "ANY /{proxy+}", {"proxy": "a/b"}, "$default")


class TestFunctionUrlEvent:
    def test_whole_event(self) -> None:
        req = request(
            "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
            host=URL_HOST,
            headers=[
                ("Cookie", "test=hi"),
                ("Accept", "*/*"),
                ("User-Agent", "curl/7.68.0"),
            ],
        )
        # Payload 2.0 with $default placeholders and no pathParameters (§5.1); the cookie header
        # stays next to `cookies` (§5.3).
        assert built(GatewayConfig(gateway="url"), req) == {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": "/my/path",
            "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
            "cookies": ["test=hi"],
            "headers": {
                "host": URL_HOST,
                "cookie": "test=hi",
                "accept": "*/*",
                "user-agent": "curl/7.68.0",
                **FORWARDED_LOWER,
            },
            "queryStringParameters": {
                "parameter1": "value1,value2",
                "parameter2": "value",
            },
            "requestContext": v2_context(
                path="/my/path",
                route_key="$default",
                host=URL_HOST,
                account="anonymous",
                user_agent="curl/7.68.0",
            ),
            "isBase64Encoded": False,
        }

    def test_named_stage_is_ignored(self) -> None:
        event = built(
            GatewayConfig(gateway="url", stage="v1"), request("/v1/x", host=URL_HOST)
        )
        assert (event["rawPath"], event["requestContext"]["stage"]) == (
            "/v1/x",
            "$default",
        )


# Bodies HTTP APIs, Function URLs and ALBs pass as text; everything else arrives base64 (§3.1.7,
# §4.4, §5.2). Any Content-Encoding makes the body binary.
TEXT_OR_BINARY = [
    pytest.param("text/plain", None, False, id="text-plain"),
    pytest.param("text/html; charset=utf-8", None, False, id="text-html"),
    pytest.param("application/json", None, False, id="json"),
    pytest.param("APPLICATION/JSON; charset=utf-8", None, False, id="json-upper"),
    pytest.param("application/xml", None, False, id="xml"),
    pytest.param("application/javascript", None, False, id="javascript"),
    pytest.param("application/x-www-form-urlencoded", None, True, id="form"),
    pytest.param("multipart/form-data; boundary=x", None, True, id="multipart"),
    pytest.param("image/png", None, True, id="png"),
    pytest.param("application/ld+json", None, True, id="suffix-json"),
    pytest.param(None, None, True, id="no-type"),
    pytest.param("text/plain", "gzip", True, id="gzip-text"),
    pytest.param("application/json", "identity", True, id="identity-json"),
]


@pytest.mark.parametrize("gateway", ["http", "url", "alb"])
@pytest.mark.parametrize(("content_type", "encoding", "binary"), TEXT_OR_BINARY)
def test_v2_and_alb_body(
    gateway: Gateway, content_type: str | None, encoding: str | None, binary: bool
) -> None:
    body = b"a=1&b=%C3%A9"
    headers = [] if content_type is None else [("Content-Type", content_type)]
    if encoding is not None:
        headers.append(("Content-Encoding", encoding))
    # BinaryMediaTypes (here the default */*) plays no part off REST.
    event = built(
        GatewayConfig(gateway=gateway),
        request("/", method="POST", headers=headers, body=body),
    )
    expected = (b64(body), True) if binary else (body.decode(), False)
    assert (event["body"], event["isBase64Encoded"]) == expected


@pytest.mark.parametrize(
    ("gateway", "expected"),
    [
        pytest.param("http", {}, id="http"),
        pytest.param("url", {}, id="url"),
        pytest.param("alb", {"body": ""}, id="alb"),
    ],
)
def test_empty_body(gateway: Gateway, expected: dict[str, str]) -> None:
    event = built(
        GatewayConfig(gateway=gateway),
        request("/", method="POST", headers=[("Content-Type", "image/png")]),
    )
    assert event["isBase64Encoded"] is False
    assert {k: v for k, v in event.items() if k == "body"} == expected


class TestAlbEvent:
    def test_whole_single_value_event(self) -> None:
        req = request(
            "/lambda/x%20y?myKey=%3FshowAll%3Dtrue&a=1&a=2&b=x+y&flag",
            method="POST",
            headers=[
                ("User-Agent", "curl/8.5.0"),
                ("Content-Type", "application/json"),
                ("Content-Length", "2"),
                ("X-Custom", "one"),
                ("X-Custom", "two"),
            ],
            body=b"{}",
        )
        # Last values, query strings left URL-encoded (§4.2, §4.3), lower-case names (§4.1).
        assert built(GatewayConfig(gateway="alb"), req) == {
            "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
            "httpMethod": "POST",
            "path": "/lambda/x%20y",
            "body": "{}",
            "isBase64Encoded": False,
            "headers": {
                "host": HOST,
                "user-agent": "curl/8.5.0",
                "content-type": "application/json",
                "x-custom": "two",
                **FORWARDED_LOWER,
            },
            "queryStringParameters": {
                "myKey": "%3FshowAll%3Dtrue",
                "a": "2",
                "b": "x+y",
                "flag": "",
            },
        }

    def test_whole_multi_value_event(self) -> None:
        req = request(
            "/lambda?myKey=%3FshowAll%3Dtrue&a=1&a=2&&b=x+y",
            headers=[("X-Custom", "one"), ("x-custom", "two")],
        )
        # Multi-value mode: only the multi-value maps (§4.2); an empty body is "".
        assert built(GatewayConfig(gateway="alb", multi_value_headers=True), req) == {
            "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
            "httpMethod": "GET",
            "path": "/lambda",
            "body": "",
            "isBase64Encoded": False,
            "multiValueHeaders": {
                "host": [HOST],
                "x-custom": ["one", "two"],
                **{name: [value] for name, value in FORWARDED_LOWER.items()},
            },
            "multiValueQueryStringParameters": {
                "myKey": ["%3FshowAll%3Dtrue"],
                "a": ["1", "2"],
                "b": ["x+y"],
            },
        }

    @pytest.mark.parametrize("multi", [False, True])
    def test_no_query(self, multi: bool) -> None:
        event = built(
            GatewayConfig(gateway="alb", multi_value_headers=multi), request("/")
        )
        key = "multiValueQueryStringParameters" if multi else "queryStringParameters"
        assert event[key] == {}


MISSING_TOKEN = HTTPResponse(
    status=403,
    headers=[("Content-Type", "application/json")],
    body=b'{"message":"Missing Authentication Token"}',
    reason="no route matches the request",
)


def not_found(reason: str) -> HTTPResponse:
    return HTTPResponse(
        status=404,
        headers=[("Content-Type", "application/json")],
        body=b'{"message":"Not Found"}',
        reason=reason,
    )


@pytest.mark.parametrize(
    ("config", "target", "expected"),
    [
        pytest.param(GatewayConfig(), "/", MISSING_TOKEN, id="rest-outside-stage"),
        pytest.param(GatewayConfig(), "/Other/x", MISSING_TOKEN, id="rest-other-stage"),
        pytest.param(GatewayConfig(), "/Prodx", MISSING_TOKEN, id="rest-stage-prefix"),
        pytest.param(GatewayConfig(base_path="/dash"), "/Prod/x", MISSING_TOKEN, id="rest-outside-base-path"),
        pytest.param(GatewayConfig(root_route=False), "/Prod/", MISSING_TOKEN, id="rest-no-root"),
        pytest.param(GatewayConfig(root_route=False), "/Prod", MISSING_TOKEN, id="rest-no-root-bare"),
        pytest.param(GatewayConfig(proxy_route=False), "/Prod/x", MISSING_TOKEN, id="rest-no-proxy"),
        pytest.param(GatewayConfig(gateway="http", stage="v1"), "/x", not_found("the path is outside /v1"), id="http-outside-stage"),
        pytest.param(GatewayConfig(gateway="http", root_route=False), "/", not_found("no route matches the request"), id="http-no-root"),
        pytest.param(GatewayConfig(gateway="http", proxy_route=False), "/x", not_found("no route matches the request"), id="http-no-proxy"),
    ],
)  # fmt: skip
def test_no_route(config: GatewayConfig, target: str, expected: HTTPResponse) -> None:
    # REST answers 403 Missing Authentication Token (§1.3.3); HTTP APIs 404 Not Found (§3.3.4).
    assert build_event(config, request(target)) == expected


@pytest.mark.parametrize(
    ("config", "target"),
    [
        pytest.param(GatewayConfig(root_route=False), "/Prod/x", id="rest-proxy-without-root"),
        pytest.param(GatewayConfig(proxy_route=False), "/Prod/", id="rest-root-without-proxy"),
        pytest.param(GatewayConfig(gateway="alb", root_route=False, proxy_route=False), "/", id="alb-has-no-routes"),
        pytest.param(GatewayConfig(gateway="url", root_route=False, proxy_route=False), "/x", id="url-has-no-routes"),
    ],
)  # fmt: skip
def test_routed(config: GatewayConfig, target: str) -> None:
    assert isinstance(build_event(config, request(target)), dict)
