"""to_http and function_error: the response each front door makes of a Lambda result.

Every rule cites its section of ../shared/design/aws-behaviour.md.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from lambdash.local._gateway import LocalGateway
from lambdash.local._model import Gateway
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._results import MalformedResult
from lambdash.local._results import function_error
from lambdash.local._results import to_http
from lambdash.local._workers import Invocation

JSON_TYPE = ("Content-Type", "application/json")
ALB_502 = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
DATA = b"test-data"
DATA_B64 = "dGVzdC1kYXRh"


@dataclasses.dataclass
class FixedPayload:
    """A function that always returns the same JSON text."""

    payload: str

    def invoke(
        self, event_json: str, *, gateway_timeout: float | None = None
    ) -> Invocation:
        return Invocation(request_id="fixed", payload=self.payload)


def request(accept: str | None = None) -> HTTPRequest:
    headers = [("Host", "localhost")]
    if accept is not None:
        headers.append(("Accept", accept))
    return HTTPRequest(method="GET", target="/Prod/x", headers=headers)


def convert(gateway: Gateway, result: Any, **config: Any) -> HTTPResponse:
    return to_http(
        GatewayConfig(gateway=gateway, **config), request(), json.dumps(result)
    )


def malformed(gateway: Gateway, result: Any, **config: Any) -> tuple[str, int]:
    with pytest.raises(MalformedResult) as caught:
        convert(gateway, result, **config)
    return str(caught.value), caught.value.status


# §1.2.2, every row of the AWS-validated matrix: (BMT, Accept, isBase64Encoded, the response's
# Content-Type, body) -> (status, body the client gets).
BMT_1 = ("image/png", "*/test")
BMT_2 = ("image/png", "application/*", "image/jpg")
TEXT = (200, DATA_B64.encode())
BYTES = (200, DATA)
MATRIX = [
    pytest.param((), "image/png", True, "image/png", DATA_B64, TEXT, id="no-bmt"),
    pytest.param(BMT_1, "image/png", True, "image/png", DATA_B64, BYTES, id="exact"),
    pytest.param(BMT_1, "image/jpg", True, "image/png", DATA_B64, TEXT, id="other-type"),
    pytest.param(BMT_1, "image/*", True, "image/png", DATA_B64, TEXT, id="accept-wildcard"),
    pytest.param(BMT_1, "*/test", True, "image/png", DATA_B64, TEXT, id="left-wildcard-literal"),
    pytest.param(BMT_1, "random/test", True, "image/png", DATA_B64, TEXT, id="left-wildcard"),
    pytest.param(BMT_1, "*/*", True, "image/png", DATA_B64, TEXT, id="accept-any"),
    pytest.param(BMT_1, "image/webp,image/png,*/*;q=0.8", True, "image/png", DATA_B64, TEXT, id="first-only-miss"),
    pytest.param(BMT_1, "image/png,image/*,*/*;q=0.8", True, "image/png", DATA_B64, BYTES, id="first-only-hit"),
    pytest.param(BMT_1, "image/png", False, "image/png", DATA_B64, TEXT, id="not-base64"),
    pytest.param(BMT_2, "application/whatever", True, "image/png", DATA_B64, BYTES, id="subtype-wildcard"),
    pytest.param(BMT_2, "application/test", True, "image/png", DATA_B64, BYTES, id="subtype-wildcard-2"),
    pytest.param(BMT_2, "application/*", True, "image/png", DATA_B64, BYTES, id="same-wildcard"),
    pytest.param(BMT_2, "image/jpg", True, "image/png", DATA_B64, BYTES, id="content-type-ignored"),
    pytest.param(BMT_2, "image/png", True, None, DATA_B64, BYTES, id="no-content-type"),
    pytest.param(BMT_2, "application", True, "image/png", DATA_B64, TEXT, id="malformed-accept"),
    pytest.param(BMT_2, "image/png", True, "image/png", "not base64!", (500, b'{"message":"Internal server error"}'), id="invalid-base64"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("bmt", "accept", "is_b64", "content_type", "body", "expected"), MATRIX
)
def test_rest_binary_matrix(
    bmt: tuple[str, ...],
    accept: str,
    is_b64: bool,
    content_type: str | None,
    body: str,
    expected: tuple[int, bytes],
) -> None:
    result: dict[str, Any] = {
        "statusCode": 200,
        "body": body,
        "isBase64Encoded": is_b64,
    }
    if content_type is not None:
        result["headers"] = {"Content-Type": content_type}
    gateway = LocalGateway(
        GatewayConfig(binary_media_types=bmt), FixedPayload(json.dumps(result))
    )
    response = gateway.handle(request(accept))
    status, client_body = expected
    # The Lambda's headers go out as they are, text or bytes (§1.2.6); a missing Content-Type is
    # added as application/json (§1.3.5).
    headers = [("Content-Type", content_type or "application/json")]
    assert (response.status, response.headers, response.body) == (
        status,
        [JSON_TYPE] if status == 500 else headers,
        client_body,
    )
    # The gateway explains the 500, and warns when base64 text goes out as text.
    warned = status == 500 or (is_b64 and expected == TEXT)
    assert bool(response.reason) == warned


@pytest.mark.parametrize(
    ("bmt", "accept", "expected"),
    [
        pytest.param(("*/*",), None, DATA, id="star"),
        pytest.param(("application/json",), None, DATA, id="counts-as-json"),
        pytest.param(("image/png",), None, DATA_B64.encode(), id="unlisted"),
        pytest.param(("*/*",), "", DATA, id="empty-star"),
        pytest.param(("image/png",), "", DATA_B64.encode(), id="empty-unlisted"),
    ],
)
def test_rest_absent_accept(
    bmt: tuple[str, ...], accept: str | None, expected: bytes
) -> None:
    # §1.2.2 leaves a truly absent Accept open; lambdash counts it as application/json, API
    # Gateway's default for template selection (AGW-DOC request-response-data-mappings).
    result = {"body": DATA_B64, "isBase64Encoded": True}
    config = GatewayConfig(binary_media_types=bmt)
    assert to_http(config, request(accept), json.dumps(result)).body == expected


def test_rest_base64_text_reason() -> None:
    result = {"body": DATA_B64, "isBase64Encoded": True}
    config = GatewayConfig(binary_media_types=("image/*",))
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    response = to_http(config, request(accept), json.dumps(result))
    assert response == HTTPResponse(
        status=200,
        headers=[JSON_TYPE],
        body=DATA_B64.encode(),
        reason="the response is base64-encoded, but the request's first Accept type 'text/html' "
        "does not match BinaryMediaTypes ['image/*'], so API Gateway sends the base64 text instead "
        "of the bytes; set BinaryMediaTypes to ['*/*']",
    )


class TestRestValidation:
    @pytest.mark.parametrize(
        ("result", "expected"),
        [
            pytest.param({"statusCode": 200}, HTTPResponse(status=200, headers=[JSON_TYPE], body=b""), id="status-only"),
            pytest.param({"headers": {"X-A": "1"}}, HTTPResponse(status=200, headers=[("X-A", "1"), JSON_TYPE], body=b""), id="no-status"),
            pytest.param({}, HTTPResponse(status=200, headers=[JSON_TYPE], body=b""), id="empty-object"),
            pytest.param({"statusCode": "201", "body": "made"}, HTTPResponse(status=201, headers=[JSON_TYPE], body=b"made"), id="string-status"),
            pytest.param({"statusCode": 204, "headers": {"X-Flag": True, "X-Off": False, "X-N": 3, "X-F": 1.5}}, HTTPResponse(status=204, headers=[("X-Flag", "true"), ("X-Off", "false"), ("X-N", "3"), ("X-F", "1.5"), JSON_TYPE], body=b""), id="scalar-headers"),
            pytest.param({"statusCode": 200, "headers": None, "multiValueHeaders": None, "body": None}, HTTPResponse(status=200, headers=[JSON_TYPE], body=b""), id="nulls"),
            pytest.param({"statusCode": 200, "headers": {"content-type": "text/html"}, "body": "<p>é</p>", "isBase64Encoded": False}, HTTPResponse(status=200, headers=[("content-type", "text/html")], body="<p>é</p>".encode()), id="text-body"),
        ],
    )  # fmt: skip
    def test_valid(self, result: dict[str, Any], expected: HTTPResponse) -> None:
        # §1.3.2 and §1.3.5.
        assert convert("rest", result) == expected

    @pytest.mark.parametrize(
        ("result", "message"),
        [
            pytest.param({"statusCode": "test"}, "statusCode 'test' is not a valid HTTP status", id="word-status"),
            pytest.param({"statusCode": "\u0662\u0660\u0660"}, "statusCode '٢٠٠' is not a valid HTTP status", id="non-ascii-digits"),
            pytest.param({"statusCode": 99}, "statusCode 99 is not a valid HTTP status", id="status-low"),
            pytest.param({"statusCode": 600}, "statusCode 600 is not a valid HTTP status", id="status-high"),
            pytest.param({"statusCode": True}, "statusCode True is not an integer", id="bool-status"),
            pytest.param({"statusCode": 200.0}, "statusCode 200.0 is not an integer", id="float-status"),
            pytest.param({"statusCode": None}, "statusCode None is not an integer", id="null-status"),
            pytest.param({"statusCode": 200, "cookies": ["a=1"]}, "unknown key 'cookies'", id="cookies"),
            pytest.param({"wrongValue": 1, "anotherWrong": 2}, "unknown key 'anotherWrong'", id="unknown-keys"),
            pytest.param({"multiValueHeaders": {"X-A": "1"}}, "multiValueHeaders['X-A'] is not a list", id="multi-not-list"),
            pytest.param({"multiValueHeaders": ["X-A"]}, "multiValueHeaders is not an object", id="multi-not-object"),
            pytest.param({"headers": [["X-A", "1"]]}, "headers is not an object", id="headers-not-object"),
            pytest.param({"headers": {"X-A": {"b": 1}}}, "header 'X-A' has a dict value", id="header-object"),
            pytest.param({"multiValueHeaders": {"X-A": [None]}}, "header 'X-A' has a NoneType value", id="multi-null-value"),
            pytest.param("justAString", "the result is a str, not an object", id="bare-string"),
            pytest.param([1], "the result is a list, not an object", id="list"),
            pytest.param({"body": {"a": 1}}, "body is a dict, not a string", id="body-object"),
            pytest.param({"body": "x", "isBase64Encoded": "true"}, "isBase64Encoded is 'true', not a boolean", id="b64-string"),
        ],
    )  # fmt: skip
    def test_malformed(self, result: Any, message: str) -> None:
        # §1.3.2: each is a 502 (the gateway's status for a MalformedResult).
        assert malformed("rest", result) == (message, 502)

    def test_not_json(self) -> None:
        with pytest.raises(
            MalformedResult, match=r"^the result is not JSON$"
        ) as caught:
            to_http(GatewayConfig(), request(), "{")
        assert caught.value.status == 502

    def test_invalid_base64_is_500(self) -> None:
        result = {"body": "@@@", "isBase64Encoded": True}
        assert malformed("rest", result) == (
            "isBase64Encoded is true but the body is not valid base64",
            500,
        )


class TestHeaderMerge:
    @pytest.mark.parametrize(
        ("result", "headers"),
        [
            pytest.param(
                {"multiValueHeaders": {"test-multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}},
                [("test-multi", "value-multi"), ("test-multi", "value-solo")],
                id="values-merged",
            ),
            pytest.param(
                {"multiValueHeaders": {"tesT-Multi": ["v"]}, "headers": {"test-multi": "v"}},
                [("tesT-Multi", "v")],
                id="same-pair-once-multi-spelling",
            ),
            pytest.param(
                {"multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2"]}, "headers": {"Set-Cookie": "c=3"}},
                [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2"), ("Set-Cookie", "c=3")],
                id="set-cookie-lines",
            ),
            pytest.param(
                {"headers": {"Content-Length": "5", "Date": "Mon", "server": "app", "Connection": "close", "Transfer-Encoding": "chunked", "X-A": "1"}},
                [("x-amzn-Remapped-Content-Length", "5"), ("x-amzn-Remapped-Date", "Mon"), ("x-amzn-Remapped-server", "app"), ("x-amzn-Remapped-Connection", "close"), ("X-A", "1")],
                id="remapped",
            ),
            pytest.param(
                {"multiValueHeaders": {"Date": ["a", "b"], "transfer-encoding": ["chunked"]}},
                [("x-amzn-Remapped-Date", "a"), ("x-amzn-Remapped-Date", "b")],
                id="remapped-multi",
            ),
        ],
    )  # fmt: skip
    def test_rest(self, result: dict[str, Any], headers: list[tuple[str, str]]) -> None:
        # §1.3.4 merge; §1.3.6 remapping.
        assert convert("rest", {"body": "ok", **result}) == HTTPResponse(
            status=200, headers=[*headers, JSON_TYPE], body=b"ok"
        )

    @pytest.mark.parametrize("gateway", ["http", "url"])
    def test_v2_drops_what_the_front_door_sets(self, gateway: Gateway) -> None:
        result = {
            "statusCode": 200,
            "headers": {"Content-Length": "5", "Date": "Mon", "Server": "app", "Connection": "close", "Transfer-Encoding": "chunked", "X-A": "1"},
        }  # fmt: skip
        assert convert(gateway, result).headers == [("X-A", "1"), JSON_TYPE]


class TestPayload2:
    @pytest.mark.parametrize(
        ("result", "body"),
        [
            pytest.param("Hello from Lambda!", b"Hello from Lambda!", id="string"),
            pytest.param({"message": "hi"}, b'{"message": "hi"}', id="object"),
            pytest.param({"body": "x", "headers": {"X-A": "1"}}, b'{"body": "x", "headers": {"X-A": "1"}}', id="shaped-without-status"),
            pytest.param(42, b"42", id="number"),
            pytest.param([1, "a"], b'[1, "a"]', id="list"),
            pytest.param(None, b"null", id="null"),
        ],
    )  # fmt: skip
    @pytest.mark.parametrize("gateway", ["http", "url"])
    def test_inferred(self, gateway: Gateway, result: Any, body: bytes) -> None:
        # §3.3.2, §5.2: JSON without statusCode is sent whole, as 200 application/json.
        assert convert(gateway, result) == HTTPResponse(
            status=200, headers=[JSON_TYPE], body=body
        )

    @pytest.mark.parametrize("gateway", ["http", "url"])
    def test_structured(self, gateway: Gateway) -> None:
        result = {
            "statusCode": "201",
            "headers": {"content-type": "image/png", "x-n": 1},
            "multiValueHeaders": {"x-ignored": ["1"]},
            "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
            "body": DATA_B64,
            "isBase64Encoded": True,
            "unknown": "ignored",
        }
        # Each cookie is its own Set-Cookie line (§3.3.1); base64 is always decoded, whatever the
        # Accept header and BinaryMediaTypes (§3.3.3); there is no multiValueHeaders in 2.0.
        assert to_http(
            GatewayConfig(gateway=gateway, binary_media_types=()),
            request("text/html"),
            json.dumps(result),
        ) == HTTPResponse(
            status=201,
            headers=[
                ("content-type", "image/png"),
                ("x-n", "1"),
                ("Set-Cookie", "a=1; Path=/"),
                ("Set-Cookie", "b=2; HttpOnly"),
            ],
            body=DATA,
        )

    @pytest.mark.parametrize("cookies", [None, []])
    def test_no_cookies(self, cookies: list[str] | None) -> None:
        result = {"statusCode": 200, "cookies": cookies, "body": "x"}
        assert convert("http", result) == HTTPResponse(
            status=200, headers=[JSON_TYPE], body=b"x"
        )

    @pytest.mark.parametrize(
        ("result", "message"),
        [
            pytest.param({"statusCode": 200, "cookies": "a=1"}, "cookies is not a list", id="cookies-string"),
            pytest.param({"statusCode": 200, "cookies": [{"a": 1}]}, "header 'cookies' has a dict value", id="cookie-object"),
            pytest.param({"statusCode": "test"}, "statusCode 'test' is not a valid HTTP status", id="bad-status"),
            pytest.param({"statusCode": 200, "body": 1}, "body is a int, not a string", id="body-number"),
        ],
    )  # fmt: skip
    def test_malformed(self, result: Any, message: str) -> None:
        assert malformed("http", result) == (message, 502)


class TestAlb:
    def test_multi_value(self) -> None:
        result = {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "Content-Length": ["2"], "Connection": ["close"]},
            "headers": {"X-Ignored": "1"},
            "body": "aGk=",
            "isBase64Encoded": True,
        }  # fmt: skip
        # §4.2, §4.5: the key the mode names, base64 always decoded, hop-by-hop headers and
        # Content-Length dropped, and no Content-Type added.
        assert convert("alb", result, multi_value_headers=True) == HTTPResponse(
            status=200,
            headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            body=b"hi",
        )

    def test_single_value(self) -> None:
        result = {
            "statusCode": "404",
            "multiValueHeaders": {"X-Ignored": ["1"]},
            "headers": {"Content-Type": "text/plain", "Transfer-Encoding": "chunked"},
            "body": "missing",
            "isBase64Encoded": False,
        }
        assert convert("alb", result, binary_media_types=()) == HTTPResponse(
            status=404, headers=[("Content-Type", "text/plain")], body=b"missing"
        )

    def test_bare_status(self) -> None:
        assert convert("alb", {"statusCode": 204}) == HTTPResponse(
            status=204, headers=[], body=b""
        )

    @pytest.mark.parametrize(
        ("result", "message"),
        [
            pytest.param({"body": "x"}, "the result has no statusCode", id="no-status"),
            pytest.param("x", "the result has no statusCode", id="string"),
            pytest.param({"statusCode": 200, "headers": {"X-A": ["1"]}}, "header 'X-A' has a list value", id="list-header"),
        ],
    )  # fmt: skip
    def test_malformed(self, result: Any, message: str) -> None:
        assert malformed("alb", result) == (message, 502)


@pytest.mark.parametrize(
    ("gateway", "status", "expected"),
    [
        pytest.param("rest", 502, HTTPResponse(status=502, headers=[JSON_TYPE], body=b'{"message":"Internal server error"}', reason="why"), id="rest"),
        pytest.param("rest", 500, HTTPResponse(status=500, headers=[JSON_TYPE], body=b'{"message":"Internal server error"}', reason="why"), id="rest-500"),
        pytest.param("http", 502, HTTPResponse(status=500, headers=[JSON_TYPE], body=b'{"message":"Internal Server Error"}', reason="why"), id="http"),
        pytest.param("http", 500, HTTPResponse(status=500, headers=[JSON_TYPE], body=b'{"message":"Internal Server Error"}', reason="why"), id="http-500"),
        pytest.param("alb", 500, HTTPResponse(status=502, headers=[("Content-Type", "text/html")], body=ALB_502, reason="why"), id="alb"),
        pytest.param("url", 500, HTTPResponse(status=502, headers=[JSON_TYPE], body=b'{"Message":"Internal Server Error"}', reason="why"), id="url"),
    ],
)  # fmt: skip
def test_function_error(gateway: Gateway, status: int, expected: HTTPResponse) -> None:
    # REST: 502, or 500 when Lambda refuses (§1.3.3); HTTP API: 500 (§3.3.4); ALB: 502 (§4.6);
    # Function URL: 502 (§5.5).
    assert (
        function_error(GatewayConfig(gateway=gateway), "why", status=status) == expected
    )
