"""make_handler: options, result shapes per source, cookies, size limits and the REST warning."""

from __future__ import annotations

import base64
import gzip
import logging
import os
import re
import sys
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIApplication
from wsgiref.types import WSGIEnvironment

import pytest

from lambdash import ConfigurationError
from lambdash import make_handler
from tests.conftest import FakeContext
from tests.conftest import echo_app
from tests.events import alb_event
from tests.events import delivered
from tests.events import http_v1_event
from tests.events import http_v2_event
from tests.events import rest_event


def static_app(
    status: str, headers: list[tuple[str, str]], body: bytes
) -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, headers)
        return [body]

    return app


COOKIES = [
    ("Set-Cookie", "a=1; Path=/"),
    ("Set-Cookie", "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT"),
    ("Content-Type", "text/plain"),
]


class TestOptions:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            pytest.param(
                {"on_error": "ignore"},
                "unknown on_error value 'ignore'; accepted values: 'raise', 'respond'",
                id="on_error",
            ),
            pytest.param(
                {"lifespan": True},
                "unknown lifespan value True; accepted values: 'auto', 'on', 'off'",
                id="lifespan",
            ),
            pytest.param(
                {"interface": "rsgi"},
                "unknown interface value 'rsgi'; accepted values: 'auto', 'wsgi', 'asgi'",
                id="interface",
            ),
            pytest.param(
                {"binary_types": "image/*"},
                "binary_types takes a list of media-type patterns such as ['image/*', '+json'], not 'image/*'",
                id="binary-str",
            ),
            pytest.param(
                {"text_types": [3]},
                "text_types takes a list of media-type patterns such as ['image/*', '+json'], not [3]",
                id="text-int",
            ),
            pytest.param(
                {"text_types": ["json"]},
                "text_types: invalid media-type pattern 'json'; use 'type/subtype', 'type/*', '*/*' or a suffix such as '+json'",
                id="text-pattern",
            ),
            pytest.param(
                {"rest_binary_media_types": "*/*"},
                "rest_binary_media_types takes a list such as ['*/*'], as in the SAM template, not '*/*'",
                id="bmt-str",
            ),
            pytest.param(
                {"rest_binary_media_types": ["image"]},
                "rest_binary_media_types: invalid entry 'image'; API Gateway media types look like 'image/png', 'image/*' or '*/*'",
                id="bmt-entry",
            ),
            pytest.param(
                {"base_path": "dash"},
                "base_path must be None (detect it) or a path such as '/dash' or '', not 'dash'",
                id="base-path",
            ),
            pytest.param(
                {"base_path": 1},
                "base_path must be None (detect it) or a path such as '/dash' or '', not 1",
                id="base-path-int",
            ),
        ],
    )
    def test_unknown_option_value(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(ConfigurationError) as info:
            make_handler(echo_app, **kwargs)
        assert str(info.value) == message

    def test_not_an_app(self) -> None:
        with pytest.raises(
            ConfigurationError,
            match=r"^make_handler needs a Dash, WSGI or ASGI app, not str$",
        ):
            make_handler("app:server")

    def test_options_are_keyword_only(self) -> None:
        with pytest.raises(TypeError):
            make_handler(echo_app, ("image/*",))  # type: ignore[call-arg]

    def test_rest_binary_media_types_accepts_sam_escape(self) -> None:
        make_handler(echo_app, rest_binary_media_types=["image~1png", "*/test"])


class TestResultShapes:
    def test_rest(self) -> None:
        result = make_handler(
            static_app(
                "201 Created",
                [*COOKIES, ("Content-Length", "2"), ("Connection", "close")],
                b"ok",
            )
        )(rest_event(), FakeContext())
        assert result == {
            "statusCode": 201,
            "multiValueHeaders": {
                "Set-Cookie": [
                    "a=1; Path=/",
                    "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT",
                ],
                "Content-Type": ["text/plain"],
            },
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_rest_request_without_multi_value_headers(self) -> None:
        event = rest_event()
        del event["multiValueHeaders"]
        result = make_handler(
            static_app("200 OK", [*COOKIES, ("X-A", "1"), ("X-A", "2")], b"ok")
        )(event, FakeContext())
        assert result == {
            "statusCode": 200,
            "headers": {"Content-Type": "text/plain", "X-A": "1, 2"},
            "multiValueHeaders": {
                "Set-Cookie": [
                    "a=1; Path=/",
                    "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT",
                ]
            },
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_rest_single_cookie_without_multi_value_headers(self) -> None:
        event = rest_event()
        del event["multiValueHeaders"]
        result = make_handler(static_app("200 OK", [("Set-Cookie", "a=1")], b""))(
            event, FakeContext()
        )
        assert result == {
            "statusCode": 200,
            "headers": {"Set-Cookie": "a=1"},
            "body": "",
            "isBase64Encoded": False,
        }

    def test_http_v1(self) -> None:
        result = make_handler(static_app("200 OK", COOKIES, b"ok"))(
            http_v1_event(), FakeContext()
        )
        assert set(result) == {
            "statusCode",
            "multiValueHeaders",
            "body",
            "isBase64Encoded",
        }
        assert result["multiValueHeaders"]["Set-Cookie"] == [
            "a=1; Path=/",
            "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT",
        ]

    @pytest.mark.parametrize("function_url", [False, True])
    def test_v2(self, function_url: bool) -> None:
        app = static_app(
            "404 Not Found", [*COOKIES, ("X-A", "1"), ("X-A", "2")], b"missing"
        )
        result = make_handler(app)(
            http_v2_event(function_url=function_url), FakeContext()
        )
        assert result == {
            "statusCode": 404,
            "headers": {"Content-Type": "text/plain", "X-A": "1, 2"},
            "cookies": ["a=1; Path=/", "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT"],
            "body": "missing",
            "isBase64Encoded": False,
        }

    def test_v2_without_cookies(self) -> None:
        result = make_handler(static_app("200 OK", [], b""))(
            http_v2_event(), FakeContext()
        )
        assert result == {
            "statusCode": 200,
            "headers": {},
            "body": "",
            "isBase64Encoded": False,
        }

    def test_alb_multi_value(self) -> None:
        result = make_handler(static_app("200 OK", COOKIES, b"ok"))(
            alb_event(multi=True), FakeContext()
        )
        assert result == {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "multiValueHeaders": {
                "Set-Cookie": [
                    "a=1; Path=/",
                    "b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT",
                ],
                "Content-Type": ["text/plain"],
            },
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_alb_single_value_keeps_one_cookie_and_warns(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING, logger="lambdash"):
            result = make_handler(static_app("200 OK", COOKIES, b"ok"))(
                alb_event(), FakeContext()
            )
        assert result == {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "headers": {"Content-Type": "text/plain", "Set-Cookie": "a=1; Path=/"},
            "body": "ok",
            "isBase64Encoded": False,
        }
        assert [r.getMessage() for r in caplog.records] == [
            "ALB single-value headers can carry one Set-Cookie; 2 were set and only the first is sent. "
            "Enable the target group attribute lambda.multi_value_headers.enabled."
        ]

    def test_alb_single_value_counts_cookies_in_any_case(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Names that differ only in case are still two Set-Cookie lines."""
        app = static_app("200 OK", [("set-cookie", "a=1"), ("SET-COOKIE", "b=2")], b"")
        with caplog.at_level(logging.WARNING, logger="lambdash"):
            result = make_handler(app)(alb_event(), FakeContext())
        assert result["headers"] == {"Set-Cookie": "a=1"}
        assert len(caplog.records) == 1

    @pytest.mark.parametrize("front", ["v2", "alb"])
    @pytest.mark.parametrize(
        ("headers", "expected"),
        [
            pytest.param([("X-A", "1"), ("X-B", "2")], {"X-A": "1", "X-B": "2"}, id="distinct"),
            pytest.param([("X-A", "1"), ("Content-Type", "text/plain"), ("X-A", "2")],
                         {"X-A": "1, 2", "Content-Type": "text/plain"}, id="repeated"),
            pytest.param([("X-A", "1"), ("x-a", "2")], {"X-A": "1", "x-a": "2"}, id="case"),
        ],
    )  # fmt: skip
    def test_single_value_headers_without_cookies(
        self, front: str, headers: list[tuple[str, str]], expected: dict[str, str]
    ) -> None:
        """HTTP API 2.0 and single-value ALB results: one line per name, repeats comma-joined."""
        event = http_v2_event() if front == "v2" else alb_event()
        result = make_handler(static_app("200 OK", headers, b"ok"))(
            event, FakeContext()
        )
        described = {"statusDescription": "200 OK"} if front == "alb" else {}
        assert result == {
            "statusCode": 200,
            **described,
            "headers": expected,
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_alb_unknown_status_description(self) -> None:
        result = make_handler(static_app("599 Custom", [], b""))(
            alb_event(), FakeContext()
        )
        assert result["statusDescription"] == "599 Unknown"


class TestRestBinaryWarning:
    def favicon(self, **kwargs: Any) -> Any:
        return make_handler(
            static_app("200 OK", [("Content-Type", "image/x-icon")], b"\x00\x01"),
            **kwargs,
        )

    def test_warns_once_per_accept_type(self, caplog: pytest.LogCaptureFixture) -> None:
        handler = self.favicon(rest_binary_media_types=["image/*"])
        with caplog.at_level(logging.WARNING, logger="lambdash"):
            for accept in (
                "text/html,application/xhtml+xml",
                "text/html",
                "image/avif,image/webp",
                "*/*",
            ):
                handler(
                    rest_event(path="/favicon.ico", headers=[("Accept", accept)]),
                    FakeContext(),
                )
        assert [r.getMessage() for r in caplog.records] == [
            "GET /Prod/favicon.ico: this image/x-icon response is base64-encoded, and API Gateway will deliver it as "
            "base64 text: the request's first Accept type 'text/html' does not match the REST API's BinaryMediaTypes "
            "['image/*']. Set BinaryMediaTypes: ['*/*'] on the API (a SAM AWS::Serverless::Api property).",
            "GET /Prod/favicon.ico: this image/x-icon response is base64-encoded, and API Gateway will deliver it as "
            "base64 text: the request's first Accept type '*/*' does not match the REST API's BinaryMediaTypes "
            "['image/*']. Set BinaryMediaTypes: ['*/*'] on the API (a SAM AWS::Serverless::Api property).",
        ]

    @pytest.mark.parametrize(
        "event",
        [
            pytest.param(
                rest_event(headers=[("Accept", "text/html")]), id="default-bmt-all"
            ),
            pytest.param(
                http_v1_event(headers=[("Accept", "text/html")]), id="http-api-v1"
            ),
        ],
    )
    def test_silent_when_delivered(
        self, event: dict[str, Any], caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING, logger="lambdash"):
            self.favicon()(event, FakeContext())
        assert caplog.records == []

    def test_untyped_body(self, caplog: pytest.LogCaptureFixture) -> None:
        handler = make_handler(
            static_app("200 OK", [], b"\xff"), rest_binary_media_types=[]
        )
        with caplog.at_level(logging.WARNING, logger="lambdash"):
            handler(rest_event(), FakeContext())
        assert (
            "this untyped response is base64-encoded" in caplog.records[0].getMessage()
        )

    def test_remembers_a_bounded_number_of_accept_types(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        handler = self.favicon(rest_binary_media_types=[])
        with caplog.at_level(logging.WARNING, logger="lambdash"):
            for round_ in range(2):
                for i in range(70):
                    handler(rest_event(headers=[("Accept", f"x/t{i}")]), FakeContext())
                if round_ == 0:
                    caplog.clear()
        # 64 types are remembered; the other 6 keep warning.
        assert len(caplog.records) == 6


SIZE_LIMIT = 6_291_556


class TestSizeLimits:
    def big_text(self, size: int) -> WSGIApplication:
        return static_app(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8")],
            b"<p>lambdash</p>" * (size // 15),
        )

    def test_oversized_text_is_gzipped_when_accepted(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = self.big_text(7_000_000)
        with caplog.at_level(logging.INFO, logger="lambdash"):
            result = make_handler(app)(
                rest_event(headers=[("Accept-Encoding", "br;q=1, gzip;q=0.5")]),
                FakeContext(),
            )
        status, headers, body = delivered(result)
        assert (status, sorted(headers), gzip.decompress(body)) == (
            200,
            [
                ("content-encoding", "gzip"),
                ("content-type", "text/html; charset=utf-8"),
                ("vary", "Accept-Encoding"),
            ],
            b"<p>lambdash</p>" * (7_000_000 // 15),
        )
        assert re.fullmatch(
            r"GET /Prod/: the response was 7000116 bytes serialised, over the 6291556-byte limit; sent gzip-compressed \(\d+ bytes\)",
            caplog.records[0].getMessage(),
        )

    def test_text_just_under_the_limit_is_sent_as_is(self) -> None:
        result = make_handler(self.big_text(6_200_000))(
            rest_event(headers=[("Accept-Encoding", "gzip")]), FakeContext()
        )
        assert (result["isBase64Encoded"], len(result["body"])) == (False, 6_199_995)

    @staticmethod
    def too_large(size: str, limit: str = "6,291,556-byte Lambda") -> str:
        return (
            f"Response too large: {size} bytes serialised, over the {limit} response limit. "
            "The function's log says how to fix it."
        )

    @pytest.mark.parametrize("on_error", ["raise", "respond"])
    def test_oversized_without_gzip_answers_500(
        self, on_error: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        result = make_handler(self.big_text(7_000_000), on_error=on_error)(
            rest_event(headers=[("Accept-Encoding", "gzip;q=0")]), FakeContext()
        )
        assert result == {
            "statusCode": 500,
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": self.too_large("7,000,116"),
            "isBase64Encoded": False,
        }
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
            (
                "ERROR",
                "GET /Prod/: the response is 7,000,116 bytes serialised, over the 6,291,556-byte Lambda "
                "response limit, where AWS would answer 502; the client gets a 500 instead. Compress it "
                "(Dash(compress=True)), load large scripts from a CDN (Dash(serve_locally=False)), or serve "
                "large files from S3 or CloudFront.",
            )
        ]

    def test_oversized_answer_carries_nothing_from_the_app(self) -> None:
        app = static_app(
            "201 Created",
            [("Content-Type", "text/plain"), *COOKIES[:2], ("X-Secret", "s")],
            b"secret " * 1_000_000,
        )
        assert make_handler(app)(http_v2_event(), FakeContext()) == {
            "statusCode": 500,
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "body": self.too_large("7,000,191"),
            "isBase64Encoded": False,
        }

    def test_oversized_binary_is_not_gzipped(self) -> None:
        app = static_app(
            "200 OK", [("Content-Type", "image/png")], os.urandom(4_800_000)
        )
        result = make_handler(app)(
            rest_event(headers=[("Accept-Encoding", "gzip")]), FakeContext()
        )
        assert result == {
            "statusCode": 500,
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": self.too_large("6,400,110"),
            "isBase64Encoded": False,
        }

    def test_oversized_random_text_stays_too_large(self) -> None:
        # Random bytes do not compress: the size measured is that of the gzipped answer.
        noise = base64.b64encode(os.urandom(6_000_000))
        app = static_app("200 OK", [("Content-Type", "text/plain")], noise)
        result = make_handler(app)(
            rest_event(headers=[("Accept-Encoding", "*")]), FakeContext()
        )
        pattern = re.escape(self.too_large("8,0XX,XXX")).replace("X", r"\d")
        assert re.fullmatch(pattern, result["body"])
        assert result == {
            "statusCode": 500,
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": result["body"],
            "isBase64Encoded": False,
        }

    @pytest.mark.parametrize(
        ("multi", "headers", "size"),
        [
            pytest.param(
                False,
                {"headers": {"Content-Type": "text/plain; charset=utf-8"}},
                "1,066,812",
                id="single",
            ),
            pytest.param(
                True,
                {"multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]}},
                "1,066,824",
                id="multi",
            ),
        ],
    )
    def test_alb_limit_is_one_megabyte(
        self, multi: bool, headers: dict[str, Any], size: str
    ) -> None:
        app = static_app(
            "200 OK", [("Content-Type", "application/octet-stream")], b"\x00" * 800_000
        )
        assert make_handler(app)(rest_event(), FakeContext())["isBase64Encoded"] is True
        assert make_handler(app)(alb_event(multi=multi), FakeContext()) == {
            **headers,
            "statusCode": 500,
            "statusDescription": "500 Internal Server Error",
            "body": self.too_large(size, "1,048,576-byte ALB"),
            "isBase64Encoded": False,
        }

    def test_non_ascii_text_counts_escaped_size(self) -> None:
        # The python3.11 runtime escapes non-ASCII as \\uXXXX (6 bytes for "é"), 3.12 and later send
        # UTF-8 (2 bytes): 1.1 million "é" only overflow on 3.11, where gzip rescues them.
        app = static_app(
            "200 OK",
            [("Content-Type", "text/plain; charset=utf-8")],
            "é".encode() * 1_100_000,
        )
        result = make_handler(app)(
            rest_event(headers=[("Accept-Encoding", "gzip")]), FakeContext()
        )
        assert (
            result["isBase64Encoded"],
            delivered(result)[2]
            if sys.version_info >= (3, 12)
            else gzip.decompress(delivered(result)[2]),
        ) == (
            sys.version_info < (3, 12),
            "é".encode() * 1_100_000,
        )
