"""LocalGateway.handle: limits, timeouts, function errors and their log lines, without sockets.

The functions here run in this process with the workers' JSON round trip: a real Lambda handler
(``make_handler`` around a Flask app, or a plain handler), a fixed payload, and a function that
outlives the integration timeout. Sections cited are those of ../shared/design/aws-behaviour.md.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask import Response
from flask import request as flask_request

from lambdash import make_handler
from lambdash.local._events import build_event
from lambdash.local._gateway import ALB_PAYLOAD_LIMIT
from lambdash.local._gateway import GATEWAY_PAYLOAD_LIMIT
from lambdash.local._gateway import LAMBDA_REQUEST_LIMIT
from lambdash.local._gateway import LAMBDA_RESPONSE_LIMIT
from lambdash.local._gateway import LocalGateway
from lambdash.local._model import Gateway
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._workers import Invocation
from lambdash.local._workers import LocalContext

Handler = Callable[[dict[str, Any], Any], Any]

HOST = "abc123def4.execute-api.eu-west-1.amazonaws.com"
JSON_TYPE = ("Content-Type", "application/json")
ALB_502 = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
FAVICON = bytes(range(256))  # not UTF-8, so it must travel base64


class HandlerFunction:
    """A Lambda handler run in this process, exactly as a worker runs it: JSON in, JSON out."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.events: list[dict[str, Any]] = []
        self.gateway_timeouts: list[float | None] = []

    def invoke(
        self, event_json: str, *, gateway_timeout: float | None = None
    ) -> Invocation:
        request_id = str(uuid.uuid4())
        self.gateway_timeouts.append(gateway_timeout)
        event = json.loads(event_json)
        self.events.append(event)
        context = LocalContext(
            request_id=request_id,
            deadline=time.time() + 30,
            function_name="lambdash-test",
            memory_size=512,
        )
        try:
            payload = json.dumps(self.handler(event, context))
        except Exception as exc:
            return Invocation(
                request_id=request_id, error=f"{type(exc).__name__}: {exc}"
            )
        return Invocation(request_id=request_id, payload=payload)


class FixedFunction:
    """A function whose result is always *payload*; it keeps the size of each event it gets."""

    def __init__(self, payload: str) -> None:
        self.payload = payload
        self.event_sizes: list[int] = []

    def invoke(
        self, event_json: str, *, gateway_timeout: float | None = None
    ) -> Invocation:
        self.event_sizes.append(len(event_json.encode()))
        return Invocation(request_id=str(uuid.uuid4()), payload=self.payload)


class SlowFunction:
    """A function that runs until its own *timeout*, reported as the worker pool reports it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def invoke(
        self, event_json: str, *, gateway_timeout: float | None = None
    ) -> Invocation:
        request_id = str(uuid.uuid4())
        if gateway_timeout is not None and gateway_timeout < self.timeout:
            return Invocation(
                request_id=request_id,
                gateway_timed_out=True,
                error=f"the integration timed out after {gateway_timeout:g} s",
            )
        return Invocation(
            request_id=request_id,
            error=f"Task timed out after {self.timeout:.2f} seconds",
        )


def ok_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}


def failing_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    msg = "boom"
    raise ValueError(msg)


def request(
    target: str = "/Prod/x",
    *,
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> HTTPRequest:
    return HTTPRequest(
        method=method,
        target=target,
        headers=[("Host", HOST), *(headers or [])],
        body=body,
    )


def target_for(gateway: Gateway) -> str:
    return "/Prod/x" if gateway == "rest" else "/x"


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


def warning(message: str) -> list[tuple[str, int, str]]:
    return [("lambdash.local", logging.WARNING, message)]


flask_app = Flask(__name__)


@flask_app.route("/echo", methods=["GET", "POST"])
def echo() -> dict[str, Any]:
    return {
        "path": flask_request.path,
        "script_root": flask_request.script_root,
        "query": flask_request.args.to_dict(flat=False),
        "form": flask_request.form.to_dict(flat=False),
        "cookies": dict(flask_request.cookies),
    }


@flask_app.get("/favicon.ico")
def favicon() -> Response:
    return Response(FAVICON, mimetype="image/x-icon")


@flask_app.get("/cookies")
def cookies() -> Response:
    response = Response("set", mimetype="text/plain")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    return response


flask_handler = make_handler(flask_app)


class TestFlaskThroughTheGateway:
    def test_rest(self, caplog: pytest.LogCaptureFixture) -> None:
        function = HandlerFunction(flask_handler)
        gateway = LocalGateway(GatewayConfig(), function)
        with caplog.at_level(logging.INFO, logger="lambdash.local"):
            response = gateway.handle(
                request("/Prod/echo?x=1&x=2", headers=[("Cookie", "a=1; b=2")])
            )
        assert response == HTTPResponse(
            status=200,
            headers=[JSON_TYPE],
            body=b'{"cookies":{"a":"1","b":"2"},"form":{},"path":"/echo","query":{"x":["1","2"]},"script_root":"/Prod"}\n',
        )
        assert logged(caplog) == []
        assert function.gateway_timeouts == [29.0]
        assert [e["requestContext"]["path"] for e in function.events] == ["/Prod/echo"]

    def test_http_api_form_post(self) -> None:
        # HTTP APIs send form posts base64 (§3.1.7), and the cookie header as `cookies` (§3.1.3).
        function = HandlerFunction(flask_handler)
        gateway = LocalGateway(GatewayConfig(gateway="http"), function)
        response = gateway.handle(
            request(
                "/echo",
                method="POST",
                headers=[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", "a=1; b=2"),
                ],
                body=b"x=1&x=%C3%A9",
            )
        )
        assert response == HTTPResponse(
            status=200,
            headers=[JSON_TYPE],
            body=b'{"cookies":{"a":"1","b":"2"},"form":{"x":["1","\\u00e9"]},"path":"/echo","query":{},"script_root":""}\n',
        )
        assert function.events[0]["body"] == base64.b64encode(b"x=1&x=%C3%A9").decode()
        assert function.gateway_timeouts == [30.0]

    @pytest.mark.parametrize(
        ("gateway", "target"),
        [
            pytest.param("rest", "/Prod/cookies", id="rest"),
            pytest.param("http", "/cookies", id="http"),
            pytest.param("url", "/cookies", id="url"),
        ],
    )
    def test_set_cookie_lines(self, gateway: Gateway, target: str) -> None:
        # REST: multiValueHeaders (§1.3.4); payload 2.0: the cookies list (§3.3.1). Never joined.
        response = LocalGateway(
            GatewayConfig(gateway=gateway), HandlerFunction(flask_handler)
        ).handle(request(target))
        assert sorted(response.headers) == [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; HttpOnly; Path=/"),
        ]

    @pytest.mark.parametrize(
        ("config", "accept", "body"),
        [
            pytest.param(GatewayConfig(binary_media_types=("image/*",)), "image/avif,image/webp,*/*", FAVICON, id="rest-image-accept"),
            pytest.param(GatewayConfig(binary_media_types=("*/*",)), "text/html", FAVICON, id="rest-star"),
            pytest.param(GatewayConfig(gateway="http", binary_media_types=()), "text/html", FAVICON, id="http-always-decodes"),
            pytest.param(GatewayConfig(gateway="alb", binary_media_types=()), "text/html", FAVICON, id="alb-always-decodes"),
        ],
    )  # fmt: skip
    def test_favicon_bytes(
        self, config: GatewayConfig, accept: str, body: bytes
    ) -> None:
        target = "/Prod/favicon.ico" if config.gateway == "rest" else "/favicon.ico"
        response = LocalGateway(config, HandlerFunction(flask_handler)).handle(
            request(target, headers=[("Accept", accept)])
        )
        assert response == HTTPResponse(
            status=200, headers=[("Content-Type", "image/x-icon")], body=body
        )

    def test_favicon_as_base64_text_is_warned(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        # The user story: BinaryMediaTypes image/*, and a first Accept type that does not match
        # gets the base64 text with a 200 (§1.2.6).
        config = GatewayConfig(binary_media_types=("image/*",))
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = LocalGateway(config, HandlerFunction(flask_handler)).handle(
                request("/Prod/favicon.ico", headers=[("Accept", "text/html,*/*")])
            )
        reason = (
            "the response is base64-encoded, but the request's first Accept type 'text/html' does "
            "not match BinaryMediaTypes ['image/*'], so API Gateway sends the base64 text instead "
            "of the bytes; set BinaryMediaTypes to ['*/*']"
        )
        assert response == HTTPResponse(
            status=200,
            headers=[("Content-Type", "image/x-icon")],
            body=base64.b64encode(FAVICON),
            reason=reason,
        )
        assert logged(caplog) == warning(f"GET /Prod/favicon.ico -> 200: {reason}")


def test_handler_sees_the_built_event() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "statusCode": 200,
            "body": json.dumps([event["path"], context.aws_request_id]),
        }

    function = HandlerFunction(handler)
    response = LocalGateway(GatewayConfig(), function).handle(request("/Prod/a/b"))
    path, request_id = json.loads(response.body)
    assert (response.status, path) == (200, "/a/b")
    uuid.UUID(request_id)


class TestLimits:
    @pytest.mark.parametrize(
        ("gateway", "limit"),
        [
            pytest.param("rest", GATEWAY_PAYLOAD_LIMIT, id="rest"),
            pytest.param("http", GATEWAY_PAYLOAD_LIMIT, id="http"),
            pytest.param("url", GATEWAY_PAYLOAD_LIMIT, id="url"),
            pytest.param("alb", ALB_PAYLOAD_LIMIT, id="alb"),
        ],
    )
    def test_request_too_long(
        self, gateway: Gateway, limit: int, caplog: pytest.LogCaptureFixture
    ) -> None:
        # 10 MB through API Gateway (§6), 1 MB through an ALB (§4.6): 413 beyond.
        assert (GATEWAY_PAYLOAD_LIMIT, ALB_PAYLOAD_LIMIT) == (10_485_760, 1_048_576)
        function = HandlerFunction(ok_handler)
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = LocalGateway(GatewayConfig(gateway=gateway), function).handle(
                request(target_for(gateway), method="POST", body=b"a" * (limit + 1))
            )
        reason = (
            f"the request body is {limit + 1:,} bytes, over the {limit:,}-byte limit"
        )
        assert response == HTTPResponse(
            status=413,
            headers=[JSON_TYPE],
            body=b'{"message":"Request Too Long"}',
            reason=reason,
        )
        assert function.events == []
        assert logged(caplog) == warning(f"POST {target_for(gateway)} -> 413: {reason}")

    def test_alb_request_at_the_limit(self) -> None:
        response = LocalGateway(
            GatewayConfig(gateway="alb"), HandlerFunction(ok_handler)
        ).handle(request("/x", method="POST", body=b"a" * ALB_PAYLOAD_LIMIT))
        assert response.status == 200

    def test_rest_request_at_the_limit_is_too_big_an_event(self) -> None:
        # 10 MB passes API Gateway, but the base64 event is over Lambda's 6 MB (§6.1).
        response = LocalGateway(GatewayConfig(), HandlerFunction(ok_handler)).handle(
            request(method="POST", body=b"a" * GATEWAY_PAYLOAD_LIMIT)
        )
        assert response.status == 500

    @staticmethod
    def _body_for_event_size(config: GatewayConfig, size: int) -> bytes:
        """A text body that makes the event for it exactly *size* bytes of JSON."""
        # Near the size, so that a content-length header has as many digits as in the end.
        probe = b"a" * (size - 10_000)
        req = request(
            target_for(config.gateway),
            method="POST",
            headers=[("Content-Type", "text/plain")],
            body=probe,
        )
        event = build_event(config, req)
        assert isinstance(event, dict)
        return b"a" * (len(probe) + size - len(json.dumps(event).encode()))

    @pytest.mark.parametrize(
        ("gateway", "status", "message"),
        [
            pytest.param("rest", 500, "Internal server error", id="rest"),
            pytest.param("url", 413, "Request Too Long", id="url"),
        ],
    )
    def test_event_too_large(
        self,
        gateway: Gateway,
        status: int,
        message: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        # Lambda refuses an event over 6,291,456 bytes; REST answers 500 (§1.3.3, §6.1).
        assert LAMBDA_REQUEST_LIMIT == 6_291_456
        config = GatewayConfig(gateway=gateway, binary_media_types=())
        body = self._body_for_event_size(config, LAMBDA_REQUEST_LIMIT)
        function = FixedFunction(json.dumps({"statusCode": 200}))
        gateway_ = LocalGateway(config, function)
        headers = [("Content-Type", "text/plain")]
        target = target_for(gateway)
        at_limit = gateway_.handle(
            request(target, method="POST", headers=headers, body=body)
        )
        assert (at_limit.status, function.event_sizes) == (200, [LAMBDA_REQUEST_LIMIT])
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            over = gateway_.handle(
                request(target, method="POST", headers=headers, body=body + b"a")
            )
        reason = (
            "the event is 6,291,457 bytes, over Lambda's 6,291,456-byte request limit"
        )
        assert over == HTTPResponse(
            status=status,
            headers=[JSON_TYPE],
            body=b'{"message":"%s"}' % message.encode(),
            reason=reason,
        )
        assert function.event_sizes == [LAMBDA_REQUEST_LIMIT]
        assert logged(caplog) == warning(f"POST {target} -> {status}: {reason}")

    def test_http_api_event_too_large(self) -> None:
        config = GatewayConfig(gateway="http")
        body = self._body_for_event_size(config, LAMBDA_REQUEST_LIMIT + 1)
        response = LocalGateway(config, HandlerFunction(ok_handler)).handle(
            request(
                "/x", method="POST", headers=[("Content-Type", "text/plain")], body=body
            )
        )
        assert (response.status, response.body) == (
            500,
            b'{"message":"Internal Server Error"}',
        )

    @staticmethod
    def _payload(size: int) -> str:
        """A JSON result of exactly *size* bytes."""
        empty = json.dumps({"statusCode": 200, "body": ""})
        return json.dumps({"statusCode": 200, "body": "a" * (size - len(empty))})

    @pytest.mark.parametrize(
        ("gateway", "limit", "which", "expected"),
        [
            pytest.param("rest", LAMBDA_RESPONSE_LIMIT, "Lambda's", (502, [JSON_TYPE], b'{"message":"Internal server error"}'), id="rest"),
            pytest.param("http", LAMBDA_RESPONSE_LIMIT, "Lambda's", (500, [JSON_TYPE], b'{"message":"Internal Server Error"}'), id="http"),
            pytest.param("url", LAMBDA_RESPONSE_LIMIT, "Lambda's", (502, [JSON_TYPE], b'{"Message":"Internal Server Error"}'), id="url"),
            pytest.param("alb", ALB_PAYLOAD_LIMIT, "ALB's", (502, [("Content-Type", "text/html")], ALB_502), id="alb"),
        ],
    )  # fmt: skip
    def test_result_too_large(
        self,
        gateway: Gateway,
        limit: int,
        which: str,
        expected: tuple[int, list[tuple[str, str]], bytes],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        # Lambda's 6,291,556-byte result limit (Function.ResponseSizeTooLarge, §6, §6.1); ALB's
        # 1 MB (§4.6). The limit counts the serialised JSON.
        assert LAMBDA_RESPONSE_LIMIT == 6_291_556
        config = GatewayConfig(gateway=gateway)
        at_limit = LocalGateway(config, FixedFunction(self._payload(limit)))
        assert at_limit.handle(request(target_for(gateway))).status == 200
        over = LocalGateway(config, FixedFunction(self._payload(limit + 1)))
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = over.handle(request(target_for(gateway)))
        reason = f"the response is {limit + 1:,} bytes, over {which} {limit:,}-byte limit (Function.ResponseSizeTooLarge)"
        status, headers, body = expected
        assert response == HTTPResponse(
            status=status, headers=headers, body=body, reason=reason
        )
        assert logged(caplog) == warning(
            f"GET {target_for(gateway)} -> {status}: {reason}"
        )


class TestTimeouts:
    @pytest.mark.parametrize(
        ("config", "seconds"),
        [
            pytest.param(GatewayConfig(), "29", id="rest"),
            pytest.param(GatewayConfig(gateway="http"), "30", id="http"),
            pytest.param(
                GatewayConfig(integration_timeout=2.5), "2.5", id="configured"
            ),
        ],
    )
    def test_gateway_timeout(
        self, config: GatewayConfig, seconds: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        # The integration timeout ends the request with 504 (§1.3.3, §3.3.5, §6).
        target = target_for(config.gateway)
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = LocalGateway(config, SlowFunction(900)).handle(request(target))
        reason = f"the integration timed out after {seconds} s"
        assert response == HTTPResponse(
            status=504,
            headers=[JSON_TYPE],
            body=b'{"message":"Endpoint request timed out"}',
            reason=reason,
        )
        assert logged(caplog) == warning(f"GET {target} -> 504: {reason}")

    @pytest.mark.parametrize(
        ("config", "expected"),
        [
            pytest.param(GatewayConfig(), (502, b'{"message":"Internal server error"}'), id="rest"),
            pytest.param(GatewayConfig(gateway="alb"), (502, ALB_502), id="alb"),
            pytest.param(GatewayConfig(gateway="url"), (502, b'{"Message":"Internal Server Error"}'), id="url"),
        ],
    )  # fmt: skip
    def test_function_timeout(
        self, config: GatewayConfig, expected: tuple[int, bytes]
    ) -> None:
        # A function that times out before the gateway does is a function error (§1.3.3, §4.6);
        # ALBs and Function URLs wait for the function's own timeout.
        response = LocalGateway(config, SlowFunction(3)).handle(
            request(target_for(config.gateway))
        )
        assert (response.status, response.body, response.reason) == (
            *expected,
            "the function failed: Task timed out after 3.00 seconds",
        )

    @pytest.mark.parametrize(
        ("config", "expected"),
        [
            pytest.param(GatewayConfig(), 29.0, id="rest"),
            pytest.param(GatewayConfig(gateway="http"), 30.0, id="http"),
            pytest.param(GatewayConfig(gateway="alb"), None, id="alb"),
            pytest.param(GatewayConfig(gateway="url"), None, id="url"),
            pytest.param(
                GatewayConfig(gateway="alb", integration_timeout=5), 5, id="configured"
            ),
        ],
    )
    def test_timeout_passed_to_the_function(
        self, config: GatewayConfig, expected: float | None
    ) -> None:
        function = HandlerFunction(ok_handler)
        LocalGateway(config, function).handle(request(target_for(config.gateway)))
        assert function.gateway_timeouts == [expected]


class TestFunctionErrors:
    @pytest.mark.parametrize(
        ("gateway", "expected"),
        [
            pytest.param("rest", (502, [JSON_TYPE], b'{"message":"Internal server error"}'), id="rest"),
            pytest.param("http", (500, [JSON_TYPE], b'{"message":"Internal Server Error"}'), id="http"),
            pytest.param("alb", (502, [("Content-Type", "text/html")], ALB_502), id="alb"),
            pytest.param("url", (502, [JSON_TYPE], b'{"Message":"Internal Server Error"}'), id="url"),
        ],
    )  # fmt: skip
    def test_unhandled_exception(
        self,
        gateway: Gateway,
        expected: tuple[int, list[tuple[str, str]], bytes],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        # REST 502 (§1.3.3), HTTP API 500 (§3.3.4), ALB 502 (§4.6), Function URL 502 (§5.5).
        target = target_for(gateway)
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = LocalGateway(
                GatewayConfig(gateway=gateway), HandlerFunction(failing_handler)
            ).handle(request(target))
        reason = "the function failed: ValueError: boom"
        status, headers, body = expected
        assert response == HTTPResponse(
            status=status, headers=headers, body=body, reason=reason
        )
        assert logged(caplog) == warning(f"GET {target} -> {status}: {reason}")

    def test_result_not_serialisable(self) -> None:
        def handler(event: dict[str, Any], context: Any) -> Any:
            return {"statusCode": 200, "body": {1, 2}}

        response = LocalGateway(GatewayConfig(), HandlerFunction(handler)).handle(
            request()
        )
        assert (response.status, response.reason) == (
            502,
            "the function failed: TypeError: Object of type set is not JSON serializable",
        )

    @pytest.mark.parametrize(
        ("result", "reason"),
        [
            pytest.param({"statusCode": 200, "cookies": ["a=1"]}, "unknown key 'cookies'", id="cookies"),
            pytest.param({"statusCode": 200, "multiValueHeaders": {"X-A": "1"}}, "multiValueHeaders['X-A'] is not a list", id="multi-not-list"),
            pytest.param("justAString", "the result is a str, not an object", id="bare-string"),
            pytest.param({"statusCode": 200, "body": {"a": 1}}, "body is a dict, not a string", id="body-object"),
        ],
    )  # fmt: skip
    def test_malformed_rest_result(
        self, result: Any, reason: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        # §1.3.2, §1.3.3: 502 Internal server error, "Malformed Lambda proxy response" in the log.
        function = HandlerFunction(lambda event, context: result)
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = LocalGateway(GatewayConfig(), function).handle(request())
        full = f"Malformed Lambda proxy response: {reason}"
        assert response == HTTPResponse(
            status=502,
            headers=[JSON_TYPE],
            body=b'{"message":"Internal server error"}',
            reason=full,
        )
        assert logged(caplog) == warning(f"GET /Prod/x -> 502: {full}")

    def test_cookies_are_valid_on_http_api(self) -> None:
        function = HandlerFunction(
            lambda event, context: {"statusCode": 200, "cookies": ["a=1"]}
        )
        response = LocalGateway(GatewayConfig(gateway="http"), function).handle(
            request("/x")
        )
        assert response == HTTPResponse(
            status=200, headers=[("Set-Cookie", "a=1"), JSON_TYPE], body=b""
        )

    def test_invalid_base64_is_500(self, caplog: pytest.LogCaptureFixture) -> None:
        # §1.2.2, last row.
        result = {"statusCode": 200, "body": "not base64!", "isBase64Encoded": True}
        with caplog.at_level(logging.WARNING, logger="lambdash.local"):
            response = LocalGateway(
                GatewayConfig(), FixedFunction(json.dumps(result))
            ).handle(request(headers=[("Accept", "image/png")]))
        reason = "Malformed Lambda proxy response: isBase64Encoded is true but the body is not valid base64"
        assert response == HTTPResponse(
            status=500,
            headers=[JSON_TYPE],
            body=b'{"message":"Internal server error"}',
            reason=reason,
        )
        assert logged(caplog) == warning(f"GET /Prod/x -> 500: {reason}")


def test_base64_text_warning(caplog: pytest.LogCaptureFixture) -> None:
    # §1.2.6: a base64 result whose first Accept type misses BinaryMediaTypes goes out as text.
    result = {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "body": "iVBORw==", "isBase64Encoded": True}  # fmt: skip
    config = GatewayConfig(binary_media_types=("image/png",))
    with caplog.at_level(logging.WARNING, logger="lambdash.local"):
        response = LocalGateway(config, FixedFunction(json.dumps(result))).handle(
            request(
                "/Prod/logo.png", headers=[("Accept", "image/webp,image/png,*/*;q=0.8")]
            )
        )
    reason = (
        "the response is base64-encoded, but the request's first Accept type 'image/webp' does not "
        "match BinaryMediaTypes ['image/png'], so API Gateway sends the base64 text instead of the "
        "bytes; set BinaryMediaTypes to ['*/*']"
    )
    assert response == HTTPResponse(
        status=200,
        headers=[("Content-Type", "image/png")],
        body=b"iVBORw==",
        reason=reason,
    )
    assert logged(caplog) == warning(f"GET /Prod/logo.png -> 200: {reason}")


@pytest.mark.parametrize(
    ("config", "target", "status"),
    [
        pytest.param(GatewayConfig(), "/", 403, id="rest"),
        pytest.param(GatewayConfig(gateway="http", stage="v1"), "/x", 404, id="http"),
    ],
)
def test_no_route_is_logged_and_not_invoked(
    config: GatewayConfig, target: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    function = HandlerFunction(ok_handler)
    with caplog.at_level(logging.WARNING, logger="lambdash.local"):
        response = LocalGateway(config, function).handle(request(target))
    assert (response.status, function.events) == (status, [])
    assert logged(caplog) == warning(f"GET {target} -> {status}: {response.reason}")
