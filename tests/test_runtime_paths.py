"""Event fields off the fast paths: each parser's careful fallback, seen through ``make_handler``.

The parsers read fields with an inline type check and hand anything unusual to the careful
readers in ``_formats/_common.py``. These tests send such events through the public handler and
the echo app, and check the whole environ the app sees or the exact MalformedEventError message.
"""

from __future__ import annotations

import collections
import json
import logging
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdash import MalformedEventError
from lambdash import make_handler
from lambdash._formats import ALB
from lambdash._formats import HTTP_V2
from lambdash._formats import REST_V1
from lambdash._formats._common import decode_body
from lambdash._formats._common import join_headers
from lambdash._formats._common import multi_headers
from lambdash._formats._common import single_headers
from lambdash._formats._common import wsgi_path
from tests.conftest import FakeContext
from tests.conftest import echo_app
from tests.events import CLIENT_IP
from tests.events import EXECUTE_API_HOST
from tests.events import alb_event
from tests.events import http_v1_event
from tests.events import http_v2_event
from tests.events import rest_event

handler = make_handler(echo_app)

ALB_HOST = "my-alb-123.eu-west-1.elb.amazonaws.com"

# What the echo app reports for a GET of /a with no body, whatever the source; each source adds
# its host and prefix below.
COMMON: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/a",
    "QUERY_STRING": "",
    "SERVER_PORT": "443",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": CLIENT_IP,
    "CONTENT_LENGTH": "0",
    "wsgi.url_scheme": "https",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_PORT": "443",
    "HTTP_X_FORWARDED_FOR": f"198.51.100.1, {CLIENT_IP}",
    "body": "",
    "has_event": True,
    "request_id": FakeContext().aws_request_id,
}
API_A = {**COMMON, "SERVER_NAME": EXECUTE_API_HOST, "HTTP_HOST": EXECUTE_API_HOST}
V2_A = {**API_A, "SCRIPT_NAME": ""}
REST_A = {**API_A, "SCRIPT_NAME": "/Prod"}
ALB_A = {**COMMON, "SERVER_NAME": ALB_HOST, "HTTP_HOST": ALB_HOST, "SCRIPT_NAME": ""}


def echo(event: dict[str, Any]) -> dict[str, Any]:
    """The environ the echo app saw for *event*, as it reported it."""
    result = handler(event, FakeContext())
    assert result["statusCode"] == 200
    seen: dict[str, Any] = json.loads(result["body"])
    return seen


def malformed(event: dict[str, Any]) -> str:
    """The message of the MalformedEventError that *event* raises."""
    with pytest.raises(MalformedEventError) as info:
        handler(event, FakeContext())
    return str(info.value)


class TestHeaderMaps:
    """single_headers and multi_headers hand unusual maps to join_headers."""

    def test_null_header_value_is_skipped(self) -> None:
        event = http_v2_event(path="/a", headers=[("x-a", "1")])
        event["headers"]["x-null"] = None
        assert echo(event) == {**V2_A, "HTTP_X_A": "1"}

    def test_non_ascii_header_value_becomes_its_utf8_bytes(self) -> None:
        event = http_v2_event(path="/a", headers=[("x-name", "Jürgen")])
        assert echo(event) == {**V2_A, "HTTP_X_NAME": "J\xc3\xbcrgen"}

    def test_single_value_names_differing_in_case_are_joined(self) -> None:
        event = rest_event(path="/a")
        del event["multiValueHeaders"]
        event["headers"].update(
            {"X-A": "1", "x-a": "2", "Cookie": "a=1", "cookie": "b=2"}
        )
        assert echo(event) == {**REST_A, "HTTP_X_A": "1, 2", "HTTP_COOKIE": "a=1; b=2"}

    def test_non_string_name_in_single_value_headers(self) -> None:
        event = http_v2_event(path="/a")
        event["headers"][7] = "x"
        assert (
            malformed(event)
            == "the HTTP API event has a header name 7 that is not a string"
        )

    def test_non_string_name_in_multi_value_headers(self) -> None:
        event = rest_event(path="/a")
        event["multiValueHeaders"][7] = ["x"]
        assert (
            malformed(event)
            == "the REST API event has a header name 7 that is not a string"
        )

    def test_multi_value_headers_not_an_object_on_rest(self) -> None:
        event = rest_event(path="/a")
        event["multiValueHeaders"] = [["Host", EXECUTE_API_HOST]]
        assert (
            malformed(event)
            == "the REST API event's 'multiValueHeaders' must be an object, not list"
        )

    def test_multi_value_headers_not_an_object_on_alb(self) -> None:
        event = alb_event(path="/a", multi=True)
        event["multiValueHeaders"] = [["host", ALB_HOST]]
        assert (
            malformed(event)
            == "the ALB event's 'multiValueHeaders' must be an object, not list"
        )


# Names in every case, some equal but for case; values ASCII, not, or null.
HEADER_NAMES = st.sampled_from(
    ["host", "Host", "x-a", "X-A", "x_a", "cookie", "Cookie", "accept"]
)
HEADER_VALUES = st.one_of(st.none(), st.sampled_from(["", "1", "a=1", "Jürgen", "€"]))


class TestHeaderFastPaths:
    """The fast paths of single_headers and multi_headers answer what join_headers does."""

    @given(st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=6))
    def test_single_value_headers(self, headers: dict[str, Any]) -> None:
        out = single_headers(headers, "HTTP API")
        assert out == join_headers(headers.items(), "HTTP API")
        # A copy: the HTTP API reader adds the cookie header, which must not change the event.
        assert out is not headers
        # A plain dict whatever mapping came in: a defaultdict would invent missing headers.
        ordered = single_headers(collections.defaultdict(str, headers), "HTTP API")
        assert type(ordered) is dict
        assert ordered == out

    @given(
        st.dictionaries(
            HEADER_NAMES, st.lists(HEADER_VALUES, min_size=1, max_size=3), max_size=6
        )
    )
    def test_multi_value_headers(self, multi: dict[str, Any]) -> None:
        pairs = [(name, value) for name, values in multi.items() for value in values]
        assert multi_headers(multi, "REST API") == join_headers(pairs, "REST API")


class TestEnvironKeyCollisions:
    """Header names that PEP 3333 maps to one environ key, such as x-a and x_a."""

    @pytest.mark.parametrize(
        ("names", "joined"),
        [
            pytest.param(("x-a", "x_a"), "1, 2", id="dash-first"),
            pytest.param(("x_a", "x-a"), "1, 2", id="underscore-first"),
        ],
    )
    def test_http_v2_values_are_joined_in_arrival_order(
        self, names: tuple[str, str], joined: str
    ) -> None:
        event = http_v2_event(path="/a", headers=[(names[0], "1"), (names[1], "2")])
        assert echo(event) == {**V2_A, "HTTP_X_A": joined}

    def test_alb_multi_value_collision_with_repeats(self) -> None:
        event = alb_event(
            path="/a", multi=True, headers=[("x-a", "1"), ("x-a", "2"), ("x_a", "3")]
        )
        assert echo(event) == {**ALB_A, "HTTP_X_A": "1, 2, 3"}

    def test_collision_leaves_content_type_and_length_alone(self) -> None:
        event = http_v2_event(
            method="POST",
            path="/a",
            body=b"hi",
            headers=[("content-type", "text/plain"), ("x-a", "1"), ("x_a", "2")],
        )
        assert echo(event) == {
            **V2_A,
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": "text/plain",
            "CONTENT_LENGTH": "2",
            "HTTP_X_A": "1, 2",
            "body": "hi",
        }


class TestRestEvents:
    def test_proxy_parameter_not_a_string_uses_the_client_path(self) -> None:
        event = rest_event(path="/a")
        event["pathParameters"] = {"proxy": 7}
        assert echo(event) == REST_A

    def test_http_v1_null_request_context_gives_defaults(self) -> None:
        event = http_v1_event(path="/a")
        event["requestContext"] = None
        assert echo(event) == {**V2_A, "REMOTE_ADDR": "127.0.0.1"}

    def test_http_v1_request_context_not_an_object(self) -> None:
        event = http_v1_event(path="/a")
        event["requestContext"] = ["stage", "$default"]
        assert (
            malformed(event)
            == "the HTTP API payload 1.0 event's 'requestContext' must be an object, not list"
        )

    @pytest.mark.parametrize(
        ("make", "method", "message"),
        [
            pytest.param(
                rest_event,
                None,
                "the REST API event has no 'httpMethod'; lambdash cannot build a request without it",
                id="rest-null",
            ),
            pytest.param(
                http_v1_event,
                ...,
                "the HTTP API payload 1.0 event has no 'httpMethod'; lambdash cannot build a request without it",
                id="http-v1-missing",
            ),
            pytest.param(
                rest_event,
                7,
                "the REST API event's 'httpMethod' must be a string, not int",
                id="rest-int",
            ),
        ],
    )
    def test_http_method_is_required(
        self, make: Any, method: object, message: str
    ) -> None:
        event: dict[str, Any] = make(path="/a")
        if method is ...:
            del event["httpMethod"]
        else:
            event["httpMethod"] = method
        assert malformed(event) == message

    def test_only_version_1_0_is_called_an_http_api_event(self) -> None:
        # detect() takes a REST API event by its httpMethod whatever else "version" holds.
        event = rest_event(path="/a")
        event["version"] = None
        del event["path"]
        assert malformed(event) == (
            "the REST API event has no 'path'; lambdash cannot build a request without it"
        )

    @pytest.mark.parametrize(
        ("make", "where", "value", "message"),
        [
            pytest.param(
                rest_event,
                ("protocol",),
                1.1,
                "the REST API event's 'requestContext.protocol' must be a string, not float",
                id="rest-protocol",
            ),
            pytest.param(
                rest_event,
                ("identity",),
                "203.0.113.7",
                "the REST API event's 'requestContext.identity' must be an object, not str",
                id="rest-identity",
            ),
            pytest.param(
                http_v1_event,
                ("identity", "sourceIp"),
                ["203.0.113.7"],
                "the HTTP API payload 1.0 event's 'requestContext.identity.sourceIp' must be "
                "a string, not list",
                id="http-v1-source-ip",
            ),
        ],
    )
    def test_nested_fields_are_named_by_their_path(
        self, make: Any, where: tuple[str, ...], value: object, message: str
    ) -> None:
        event: dict[str, Any] = make(path="/a")
        parent = event["requestContext"]
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = value
        assert malformed(event) == message


class TestHttpV2Events:
    def test_path_parameter_list_takes_the_general_split(self) -> None:
        event = http_v2_event(path="/a", stage="prod")
        event["pathParameters"] = {"proxy": ["a"]}
        assert echo(event) == {**V2_A, "SCRIPT_NAME": "/prod"}

    def test_path_parameter_list_with_matching_route_prefix(self) -> None:
        # The route part cannot be rebuilt from a list, so a mapping key in front of it stays
        # in PATH_INFO instead of becoming SCRIPT_NAME.
        event = http_v2_event(path="/a")
        event["rawPath"] = "/api/a"
        event["pathParameters"] = {"proxy": ["a"]}
        assert echo(event) == {**V2_A, "PATH_INFO": "/api/a"}

    def test_path_parameters_not_an_object(self) -> None:
        event = http_v2_event(path="/a")
        event["pathParameters"] = ["a"]
        assert (
            malformed(event)
            == "the HTTP API event's 'pathParameters' must be an object, not list"
        )

    def test_missing_route_key_still_strips_a_named_stage(self) -> None:
        event = http_v2_event(path="/a", stage="prod")
        del event["routeKey"]
        assert echo(event) == {**V2_A, "SCRIPT_NAME": "/prod"}

    def test_null_cookies_leave_the_cookie_header(self) -> None:
        event = http_v2_event(path="/a", headers=[("cookie", "a=1")], function_url=True)
        event["cookies"] = None
        host = event["headers"]["host"]
        assert echo(event) == {
            **V2_A,
            "HTTP_COOKIE": "a=1",
            "HTTP_HOST": host,
            "SERVER_NAME": host,
        }

    @pytest.mark.parametrize("headers", ["absent", None])
    def test_no_headers(self, headers: str | None) -> None:
        event = http_v2_event(path="/a")
        if headers is None:
            event["headers"] = None
        else:
            del event["headers"]
        bare = {k: v for k, v in V2_A.items() if not k.startswith("HTTP_")}
        assert echo(event) == {**bare, "SERVER_NAME": "lambda"}

    def test_headers_not_an_object(self) -> None:
        event = http_v2_event(path="/a")
        event["headers"] = [["host", "a"]]
        assert (
            malformed(event)
            == "the HTTP API event's 'headers' must be an object, not list"
        )

    def test_request_context_not_an_object(self) -> None:
        event = http_v2_event(path="/a")
        event["requestContext"] = "prod"
        assert (
            malformed(event)
            == "the HTTP API event's 'requestContext' must be an object, not str"
        )

    def test_null_request_context_leaves_no_method(self) -> None:
        event = http_v2_event(path="/a")
        event["requestContext"] = None
        assert (
            malformed(event)
            == "the HTTP API event has no 'requestContext.http.method'; lambdash cannot build a request without it"
        )

    def test_http_not_an_object(self) -> None:
        event = http_v2_event(path="/a")
        event["requestContext"]["http"] = "GET"
        assert (
            malformed(event)
            == "the HTTP API event's 'requestContext.http' must be an object, not str"
        )

    @pytest.mark.parametrize(
        ("raw_path", "message"),
        [
            pytest.param(
                ...,
                "the HTTP API event has no 'rawPath'; lambdash cannot build a request without it",
                id="missing",
            ),
            pytest.param(
                None,
                "the HTTP API event has no 'rawPath'; lambdash cannot build a request without it",
                id="null",
            ),
            pytest.param(
                ["/a"],
                "the HTTP API event's 'rawPath' must be a string, not list",
                id="list",
            ),
        ],
    )
    def test_raw_path_is_required(self, raw_path: object, message: str) -> None:
        event = http_v2_event(path="/a")
        if raw_path is ...:
            del event["rawPath"]
        else:
            event["rawPath"] = raw_path
        assert malformed(event) == message

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            pytest.param(..., "", id="missing"),
            pytest.param(None, "", id="null"),
            pytest.param("q=café", "q=caf\xc3\xa9", id="non-ascii"),
        ],
    )
    def test_raw_query_string_fallbacks(self, query: object, expected: str) -> None:
        event = http_v2_event(path="/a")
        if query is ...:
            del event["rawQueryString"]
        else:
            event["rawQueryString"] = query
        assert echo(event) == {**V2_A, "QUERY_STRING": expected}

    def test_raw_query_string_not_a_string(self) -> None:
        event = http_v2_event(path="/a")
        event["rawQueryString"] = 5
        assert (
            malformed(event)
            == "the HTTP API event's 'rawQueryString' must be a string, not int"
        )

    def test_missing_source_ip_defaults_to_loopback(self) -> None:
        event = http_v2_event(path="/a")
        del event["requestContext"]["http"]["sourceIp"]
        assert echo(event) == {**V2_A, "REMOTE_ADDR": "127.0.0.1"}

    def test_source_ip_not_a_string(self) -> None:
        event = http_v2_event(path="/a")
        event["requestContext"]["http"]["sourceIp"] = ["203.0.113.7"]
        assert (
            malformed(event)
            == "the HTTP API event's 'requestContext.http.sourceIp' must be a string, not list"
        )


class TestAlbEvents:
    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            pytest.param(
                "path",
                ...,
                "the ALB event has no 'path'; lambdash cannot build a request without it",
                id="path-missing",
            ),
            pytest.param(
                "path",
                7,
                "the ALB event's 'path' must be a string, not int",
                id="path-int",
            ),
            pytest.param(
                "httpMethod",
                ...,
                "the ALB event has no 'httpMethod'; lambdash cannot build a request without it",
                id="method-missing",
            ),
            pytest.param(
                "httpMethod",
                ["GET"],
                "the ALB event's 'httpMethod' must be a string, not list",
                id="method-list",
            ),
        ],
    )
    def test_required_fields(self, key: str, value: object, message: str) -> None:
        event = alb_event(path="/a")
        if value is ...:
            del event[key]
        else:
            event[key] = value
        assert malformed(event) == message

    def test_single_cookie_in_single_value_mode_is_sent_without_warning(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response(
                "200 OK",
                [("Content-Type", "text/plain"), ("set-cookie", "a=1; Path=/")],
            )
            return [b"ok"]

        with caplog.at_level(logging.WARNING, logger="lambdash"):
            result = make_handler(app)(alb_event(path="/a"), FakeContext())
        assert result == {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "headers": {"Content-Type": "text/plain", "set-cookie": "a=1; Path=/"},
            "body": "ok",
            "isBase64Encoded": False,
        }
        assert caplog.records == []


class TestHelpersCalledDirectly:
    """Branches the parsers never reach, because make_request checks the same thing first.

    decode_body and wsgi_path are exported helpers with their own contract; these tests hold
    them to it. Through make_handler, a null body and a path without escapes never get this far.
    """

    @pytest.mark.parametrize(
        "event",
        [
            pytest.param({"body": None, "isBase64Encoded": True}, id="null"),
            pytest.param({}, id="missing"),
        ],
    )
    def test_decode_body_without_a_body(self, event: dict[str, Any]) -> None:
        assert decode_body(event, "REST API") == b""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            pytest.param("/plain/path+x", "/plain/path+x", id="no-escapes"),
            pytest.param("/caf%C3%A9+x", "/caf\xc3\xa9+x", id="escapes"),
        ],
    )
    def test_wsgi_path(self, raw: str, expected: str) -> None:
        assert wsgi_path(raw) == expected

    def test_event_format_repr(self) -> None:
        assert [repr(fmt) for fmt in (REST_V1, HTTP_V2, ALB)] == [
            "EventFormat('apigw-v1')",
            "EventFormat('apigw-v2')",
            "EventFormat('alb')",
        ]


class TestReviewFindings:
    """Inputs a review of the optimised paths turned up."""

    def test_a_repeated_host_counts_its_last_value(self) -> None:
        # ALB appends, as for X-Forwarded-For: the last Host value is the one it saw.
        event = alb_event(path="/a", multi=True)
        event["multiValueHeaders"]["host"] = ["a.example", "b.example:8443"]
        environ = echo(event)
        assert (
            environ["SERVER_NAME"],
            environ["SERVER_PORT"],
            environ["HTTP_HOST"],
        ) == ("b.example", "443", "a.example, b.example:8443")

    def test_a_non_ascii_base64_body_is_a_malformed_event(self) -> None:
        event = rest_event(path="/a")
        event.update({"body": "w6k=é", "isBase64Encoded": True})
        assert malformed(event) == (
            "the REST API event says isBase64Encoded but its body is not valid base64: "
            "string argument should contain only ASCII characters"
        )

    def test_records_match_by_field(self) -> None:
        from lambdash._message import Response

        matched: tuple[object, ...] = ()
        match Response(status=204, headers=[], body=b""):
            case Response(status, headers, body):
                matched = (status, headers, body)
        assert matched == (204, [], b"")
