"""Each event source becomes the right PEP 3333 environ: prefixes, queries, headers, identity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from lambdash import MalformedEventError
from lambdash import UnsupportedEventError
from lambdash import make_handler
from lambdash._formats import apigw_v1
from tests.conftest import FakeContext
from tests.conftest import echo_app
from tests.events import CLIENT_IP
from tests.events import alb_event
from tests.events import http_v1_event
from tests.events import http_v2_event
from tests.events import load_event
from tests.events import rest_event

handler = make_handler(echo_app)


def echo(event: dict[str, Any], context: FakeContext | None = None) -> dict[str, Any]:
    result = handler(event, context or FakeContext())
    assert result["statusCode"] == 200
    seen: dict[str, Any] = json.loads(result["body"])
    return seen


class TestRest:
    def test_fixture_environ(self) -> None:
        assert echo(load_event("rest_execute_api")) == {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "/Prod",
            "PATH_INFO": "/reports/2026/q3 final/",
            "QUERY_STRING": "tag=a&tag=b%26c&q=a+b%2Bc",
            "SERVER_NAME": "k3x9q2w1e5.execute-api.eu-west-1.amazonaws.com",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "198.51.100.23",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": "31",
            "wsgi.url_scheme": "https",
            "HTTP_ACCEPT": "application/json",
            "HTTP_COOKIE": "theme=dark; session=abc",
            "HTTP_HOST": "k3x9q2w1e5.execute-api.eu-west-1.amazonaws.com",
            "HTTP_USER_AGENT": "curl/8.5.0",
            "HTTP_X_AMZN_TRACE_ID": "Root=1-6748a1b2-3c4d5e6f7a8b9c0d1e2f3a4b",
            "HTTP_X_CUSTOM": "first, second",
            "HTTP_X_FORWARDED_FOR": "10.9.8.7, 198.51.100.23",
            "HTTP_X_FORWARDED_PORT": "443",
            "HTTP_X_FORWARDED_PROTO": "https",
            "body": "name=J%C3%BCrgen&city=K%C3%B6ln",
            "has_event": True,
            "request_id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
        }

    def test_custom_domain_base_path_becomes_script_name(self) -> None:
        seen = echo(load_event("rest_custom_domain"))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"], seen["SERVER_NAME"]) == (
            "/dash",
            "/_dash-layout",
            "apps.example.com",
        )

    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            pytest.param({"path": "/"}, ("/Prod", "/"), id="root"),
            pytest.param({"path": "/a/b"}, ("/Prod", "/a/b"), id="nested"),
            pytest.param({"path": "/a/b/"}, ("/Prod", "/a/b/"), id="trailing-slash"),
            pytest.param(
                {"path": "/caf%C3%A9"}, ("/Prod", "/caf\xc3\xa9"), id="utf8-as-latin1"
            ),
            pytest.param({"path": "/a+b%2Fc"}, ("/Prod", "/a+b/c"), id="plus-stays"),
            pytest.param(
                {"path": "/x", "stage": "v2-beta"}, ("/v2-beta", "/x"), id="other-stage"
            ),
            pytest.param(
                {"path": "/x", "domain": "apps.example.com", "base_path": "/bp"},
                ("/bp", "/x"),
                id="domain-base-path",
            ),
            pytest.param(
                {"path": "/", "domain": "apps.example.com", "base_path": "/bp"},
                ("/bp", "/"),
                id="domain-base-path-root",
            ),
            pytest.param(
                {"path": "/x/", "domain": "apps.example.com", "base_path": "/a/b"},
                ("/a/b", "/x/"),
                id="domain-multi-level",
            ),
            pytest.param(
                {"path": "/x", "domain": "apps.example.com"},
                ("", "/x"),
                id="domain-empty-mapping",
            ),
        ],
    )
    def test_prefix_detection(
        self, kwargs: dict[str, Any], expected: tuple[str, str]
    ) -> None:
        seen = echo(rest_event(**kwargs))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == expected

    def test_custom_domain_without_stage_mapping_keeps_stage_in_prefix(self) -> None:
        event = rest_event(path="/x", domain="apps.example.com", base_path="/bp/Prod")
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == (
            "/bp/Prod",
            "/x",
        )

    def test_root_request_without_trailing_slash(self) -> None:
        event = rest_event(path="/")
        event["requestContext"]["path"] = "/Prod"
        seen = echo(event)
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/Prod", "/")

    def test_missing_request_context_path_falls_back_to_stage_on_execute_api(
        self,
    ) -> None:
        event = rest_event(path="/x")
        del event["requestContext"]["path"]
        assert echo(event)["SCRIPT_NAME"] == "/Prod"

    def test_missing_request_context_path_on_a_china_region_host_keeps_the_stage(
        self,
    ) -> None:
        # China regions serve execute-api on amazonaws.com.cn:
        # https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html
        host = "abc123def4.execute-api.cn-north-1.amazonaws.com.cn"
        event = rest_event(path="/x", headers=[("Host", host)])
        event["multiValueHeaders"]["Host"] = [host]
        expected = echo(event)
        del event["requestContext"]["path"]
        assert (expected["SCRIPT_NAME"], expected["PATH_INFO"]) == ("/Prod", "/x")
        assert echo(event) == expected

    def test_missing_request_context_path_elsewhere_gives_no_prefix(self) -> None:
        event = rest_event(path="/x", domain="apps.example.com")
        del event["requestContext"]["path"]
        event["resource"] = "/x"
        event["pathParameters"] = None
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("", "/x")

    def test_unmatched_client_path_uses_route_prefix(self) -> None:
        event = rest_event(path="/x", domain="apps.example.com", base_path="/bp")
        event["requestContext"]["path"] = "/elsewhere"
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("/bp", "/x")

    def test_non_proxy_resource_with_parameters(self) -> None:
        event = rest_event(path="/users/42/posts")
        event["resource"] = "/users/{id}/posts"
        event["pathParameters"] = {"id": "42"}
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == (
            "/Prod",
            "/users/42/posts",
        )

    def test_missing_path_parameter_means_no_route_prefix(self) -> None:
        event = rest_event(path="/x", domain="apps.example.com", base_path="/bp")
        event["pathParameters"] = None
        del event["requestContext"]["path"]
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("", "/bp/x")

    def test_non_string_path_parameter_means_no_route_prefix(self) -> None:
        event = rest_event(path="/x", domain="apps.example.com", base_path="/bp")
        event["pathParameters"] = {"proxy": 7}
        del event["requestContext"]["path"]
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("", "/bp/x")

    def test_route_that_does_not_match_the_path_means_no_route_prefix(self) -> None:
        event = rest_event(path="/x", domain="apps.example.com", base_path="/bp")
        event["pathParameters"] = {"proxy": "y"}
        del event["requestContext"]["path"]
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("", "/bp/x")

    def test_explicit_base_path_overrides_detection(self) -> None:
        explicit = make_handler(echo_app, base_path="/bp/")
        result = explicit(
            rest_event(path="/bp/page", domain="apps.example.com"), FakeContext()
        )
        seen = json.loads(result["body"])
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/bp", "/page")

    def test_explicit_empty_base_path_keeps_path(self) -> None:
        explicit = make_handler(echo_app, base_path="")
        seen = json.loads(explicit(rest_event(path="/page"), FakeContext())["body"])
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("", "/page")

    def test_single_value_maps_only(self) -> None:
        event = rest_event(path="/q", headers=[("X-A", "1")], query=[("k", "v w")])
        del event["multiValueHeaders"], event["multiValueQueryStringParameters"]
        seen = echo(event)
        assert (seen["HTTP_X_A"], seen["QUERY_STRING"]) == ("1", "k=v+w")

    def test_null_multi_value_entries_carry_no_values(self) -> None:
        event = rest_event(path="/q", headers=[("X-A", "1")], query=[("k", "v")])
        event["multiValueHeaders"]["X-Null"] = None
        event["multiValueQueryStringParameters"]["n"] = None
        assert echo(event) == echo(
            rest_event(path="/q", headers=[("X-A", "1")], query=[("k", "v")])
        )

    def test_base64_body_is_decoded(self) -> None:
        seen = echo(rest_event(method="POST", body=b"\x00\xff\x10", binary=True))
        assert (seen["body"], seen["CONTENT_LENGTH"]) == ("\x00\xff\x10", "3")

    def test_null_and_number_header_values(self) -> None:
        # Test consoles and hand-written events put null or numbers in multiValueHeaders.
        event = rest_event()
        event["multiValueHeaders"]["X-Null"] = [None, "kept"]
        event["multiValueHeaders"]["X-Number"] = [42]
        seen = echo(event)
        assert (seen["HTTP_X_NULL"], seen["HTTP_X_NUMBER"]) == ("kept", "42")

    def test_missing_parameter_of_a_templated_resource(self) -> None:
        event = rest_event(path="/users/42", domain="apps.example.com", base_path="/bp")
        event["resource"] = "/users/{id}"
        event["pathParameters"] = None
        del event["requestContext"]["path"]
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == (
            "",
            "/bp/users/42",
        )

    def test_many_distinct_header_names(self) -> None:
        names = [f"X-Custom-{i}" for i in range(600)]
        seen = echo(rest_event(headers=[(name, "v") for name in names]))
        assert [seen.get(f"HTTP_X_CUSTOM_{i}") for i in range(600)] == ["v"] * 600

    def test_remote_addr_ignores_forwarded_for(self) -> None:
        event = rest_event(headers=[("X-Forwarded-For", "6.6.6.6")])
        assert echo(event)["REMOTE_ADDR"] == CLIENT_IP

    def test_defaults_when_context_is_sparse(self) -> None:
        event: dict[str, Any] = {
            "httpMethod": "get",
            "path": "/",
            "requestContext": {},
            "headers": None,
        }
        seen = echo(event)
        assert {
            k: seen[k]
            for k in (
                "REQUEST_METHOD",
                "SERVER_NAME",
                "SERVER_PORT",
                "REMOTE_ADDR",
                "wsgi.url_scheme",
            )
        } == {
            "REQUEST_METHOD": "GET",
            "SERVER_NAME": "lambda",
            "SERVER_PORT": "443",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https",
        }

    def test_host_with_port(self) -> None:
        event = rest_event(headers=[("Host", "[::1]:8443")])
        event["multiValueHeaders"]["Host"] = ["[::1]:8443"]
        del event["multiValueHeaders"]["X-Forwarded-Port"]
        seen = echo(event)
        assert (seen["SERVER_NAME"], seen["SERVER_PORT"]) == ("[::1]", "8443")

    def test_http_scheme_default_port(self) -> None:
        event = rest_event(headers=[("Host", "[::1]")])
        event["multiValueHeaders"] = {"Host": ["[::1]"], "X-Forwarded-Proto": ["http"]}
        seen = echo(event)
        assert (seen["SERVER_NAME"], seen["SERVER_PORT"], seen["wsgi.url_scheme"]) == (
            "[::1]",
            "80",
            "http",
        )


class TestHttpV1:
    def test_fixture_environ(self) -> None:
        seen = echo(load_event("http_v1"))
        assert {
            k: seen[k]
            for k in ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REMOTE_ADDR")
        } == {
            "SCRIPT_NAME": "",
            "PATH_INFO": "/api/items",
            "QUERY_STRING": "page=2",
            "REMOTE_ADDR": "198.51.100.23",
        }

    def test_named_stage_is_stripped(self) -> None:
        seen = echo(http_v1_event(stage="dev", path="/a/"))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/dev", "/a/")


class TestHttpV2:
    def test_fixture_environ(self) -> None:
        seen = echo(load_event("http_v2_named_stage"))
        assert {
            k: v for k, v in seen.items() if k not in ("has_event", "request_id")
        } == {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "/staging",
            "PATH_INFO": "/static/caf\xc3\xa9.png",
            "QUERY_STRING": "size=large&size=small&label=a%2Bb",
            "SERVER_NAME": "h7g6f5e4d3.execute-api.eu-west-1.amazonaws.com",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "198.51.100.23",
            "CONTENT_LENGTH": "0",
            "wsgi.url_scheme": "https",
            "HTTP_ACCEPT": "image/avif,image/webp,*/*",
            "HTTP_COOKIE": "theme=dark; session=abc",
            "HTTP_HOST": "h7g6f5e4d3.execute-api.eu-west-1.amazonaws.com",
            "HTTP_X_AMZN_TRACE_ID": "Root=1-6748a1b2-aaaabbbbccccddddeeeeffff",
            "HTTP_X_CUSTOM": "first,second",
            "HTTP_X_FORWARDED_FOR": "203.0.113.99, 198.51.100.23",
            "HTTP_X_FORWARDED_PORT": "443",
            "HTTP_X_FORWARDED_PROTO": "https",
            "body": "",
        }

    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            pytest.param({"path": "/a"}, ("", "/a"), id="default-stage"),
            pytest.param(
                {"path": "/a/", "stage": "prod"}, ("/prod", "/a/"), id="named-stage"
            ),
            pytest.param(
                {"path": "/", "stage": "prod"}, ("/prod", "/"), id="named-stage-root"
            ),
            pytest.param(
                {"path": "/a", "stage": "prod", "route_key": "$default"},
                ("/prod", "/a"),
                id="catch-all-route",
            ),
            pytest.param(
                {"path": "/a", "function_url": True}, ("", "/a"), id="function-url"
            ),
        ],
    )
    def test_prefix_detection(
        self, kwargs: dict[str, Any], expected: tuple[str, str]
    ) -> None:
        seen = echo(http_v2_event(**kwargs))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == expected

    def test_stage_absent_from_raw_path_is_not_stripped(self) -> None:
        event = http_v2_event(path="/other", route_key="$default")
        event["requestContext"]["stage"] = "prod"
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("", "/other")

    def test_custom_domain_mapping_key_in_raw_path(self) -> None:
        event = http_v2_event(path="/x")
        event["rawPath"] = "/api/x"
        assert (echo(event)["SCRIPT_NAME"], echo(event)["PATH_INFO"]) == ("/api", "/x")

    def test_explicit_base_path(self) -> None:
        explicit = make_handler(echo_app, base_path="/api")
        seen = json.loads(explicit(http_v2_event(path="/api/x"), FakeContext())["body"])
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/api", "/x")

    def test_function_url_cookies_are_not_doubled(self) -> None:
        seen = echo(load_event("function_url"))
        assert (
            seen["HTTP_COOKIE"],
            seen["body"],
            seen["REQUEST_METHOD"],
            seen["CONTENT_TYPE"],
        ) == (
            "session=abc",
            "\x00\xff\x10\x80",
            "PUT",
            "application/octet-stream",
        )

    @pytest.mark.parametrize("function_url", [False, True], ids=["http-api", "url"])
    def test_empty_cookie_list_keeps_the_cookie_header(
        self, function_url: bool
    ) -> None:
        expected = echo(http_v2_event(headers=[("cookie", "a=1")]))
        event = http_v2_event(function_url=function_url)
        event["headers"]["cookie"] = "a=1"
        event["cookies"] = []
        assert expected["HTTP_COOKIE"] == "a=1"
        assert echo(event) == {**expected, "SERVER_NAME": event["headers"]["host"],
                               "HTTP_HOST": event["headers"]["host"]}  # fmt: skip

    def test_source_ip_not_forwarded_for(self) -> None:
        assert (
            echo(http_v2_event(headers=[("x-forwarded-for", "6.6.6.6")]))["REMOTE_ADDR"]
            == CLIENT_IP
        )


class TestAlb:
    def test_single_value_query_is_not_encoded_twice(self) -> None:
        seen = echo(load_event("alb_single"))
        assert {
            k: seen[k]
            for k in (
                "SCRIPT_NAME",
                "PATH_INFO",
                "QUERY_STRING",
                "REMOTE_ADDR",
                "wsgi.url_scheme",
                "SERVER_PORT",
            )
        } == {
            "SCRIPT_NAME": "",
            "PATH_INFO": "/search",
            "QUERY_STRING": "q=caf%C3%A9%20cr%C3%A8me&next=%3Fpage%3D2&raw=a%20b",
            "REMOTE_ADDR": "198.51.100.23",
            "wsgi.url_scheme": "http",
            "SERVER_PORT": "80",
        }

    def test_multi_value_event(self) -> None:
        seen = echo(load_event("alb_multi"))
        assert {
            k: seen[k] for k in ("QUERY_STRING", "HTTP_COOKIE", "body", "CONTENT_TYPE")
        } == {
            "QUERY_STRING": "tag=a%26b&tag=c&empty=",
            "HTTP_COOKIE": "a=1; b=2",
            "body": "\x89PNG\r\n\x1a\n",
            "CONTENT_TYPE": "image/png",
        }

    def test_no_forwarded_for(self) -> None:
        event = alb_event()
        del event["headers"]["x-forwarded-for"]
        assert echo(event)["REMOTE_ADDR"] == "127.0.0.1"

    def test_base_path_option(self) -> None:
        explicit = make_handler(echo_app, base_path="/app")
        seen = json.loads(explicit(alb_event(path="/app/x"), FakeContext())["body"])
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/app", "/x")


def with_authorizer(event: dict[str, Any], authorizer: object) -> dict[str, Any]:
    event["requestContext"]["authorizer"] = authorizer
    return event


class TestRemoteUser:
    """``REMOTE_USER`` is the principal API Gateway's authorizer vouched for, where AWS names one."""

    @pytest.mark.parametrize(
        ("make_event", "authorizer", "user"),
        [
            pytest.param(
                rest_event,
                {"principalId": "user-42", "integrationLatency": 0, "tier": "gold"},
                "user-42",
                id="rest-lambda-authorizer",
            ),
            pytest.param(
                rest_event,
                {"claims": {"sub": "7d8ca528-4931", "cognito:username": "jane"}},
                "7d8ca528-4931",
                id="rest-cognito",
            ),
            pytest.param(
                http_v1_event,
                {"claims": {"sub": "auth0|5fe435b5", "scope": "read"}, "scopes": None},
                "auth0|5fe435b5",
                id="http-v1-jwt",
            ),
            pytest.param(
                http_v1_event,
                {"principalId": "abcdef", "integrationLatency": 0},
                "abcdef",
                id="http-v1-lambda-authorizer",
            ),
            pytest.param(
                http_v2_event,
                {"jwt": {"claims": {"sub": "auth0|5fe435b5"}, "scopes": ["read"]}},
                "auth0|5fe435b5",
                id="http-v2-jwt",
            ),
            pytest.param(
                http_v2_event,
                {"principalId": "abcdef", "lambda": {"tier": "gold"}},
                "abcdef",
                id="http-v2-principal",
            ),
            pytest.param(
                rest_event,
                {"principalId": "J\u00fcrgen"},
                "J\xc3\xbcrgen",
                id="non-ascii-as-latin1",
            ),
        ],
    )
    def test_principal_becomes_remote_user(
        self, make_event: Any, authorizer: dict[str, Any], user: str
    ) -> None:
        expected = echo(make_event(path="/x"))
        assert "REMOTE_USER" not in expected
        event = with_authorizer(make_event(path="/x"), authorizer)
        assert echo(event) == {**expected, "REMOTE_USER": user}

    @pytest.mark.parametrize(
        ("make_event", "authorizer"),
        [
            pytest.param(
                http_v2_event, {"lambda": {"user": "jane"}}, id="http-v2-lambda-context"
            ),
            pytest.param(
                http_v2_event,
                {"iam": {"userArn": "arn:aws:iam::123456789012:user/jane"}},
                id="http-v2-iam",
            ),
            pytest.param(rest_event, {"integrationLatency": 0}, id="rest-no-principal"),
            pytest.param(rest_event, {"principalId": 42}, id="rest-number"),
            pytest.param(rest_event, {"principalId": ""}, id="rest-empty"),
            pytest.param(rest_event, {"claims": None}, id="rest-claims-null"),
            pytest.param(rest_event, "jane", id="rest-string"),
            pytest.param(rest_event, None, id="rest-null"),
            pytest.param(
                http_v2_event, {"jwt": {"claims": []}}, id="http-v2-claims-list"
            ),
            pytest.param(http_v2_event, None, id="http-v2-null"),
        ],
    )
    def test_no_named_principal_sets_none(
        self, make_event: Any, authorizer: object
    ) -> None:
        expected = echo(make_event(path="/x"))
        assert echo(with_authorizer(make_event(path="/x"), authorizer)) == expected

    def test_alb_has_no_authorizer(self) -> None:
        # ALB's own authentication passes the user in x-amzn-oidc-* headers, which the app reads
        # itself; a header is not an authorizer's word.
        event = alb_event(headers=[("x-amzn-oidc-identity", "jane")])
        assert "REMOTE_USER" not in echo(event)


class TestUnsupportedEvents:
    @pytest.mark.parametrize(
        ("event", "message"),
        [
            pytest.param(
                ["not", "a", "dict"],
                "lambdash handles HTTP events from API Gateway, ALB and Function URLs, which are JSON objects; this event is a list",
                id="list",
            ),
            pytest.param(
                {"Records": [{"eventSource": "aws:s3"}]},
                "lambdash cannot handle this event: it is not an API Gateway (REST or HTTP API), ALB or Function URL "
                "HTTP event (version None, top-level keys: 'Records'). Invoke this handler only from an HTTP front "
                "door, or route other events to another function.",
                id="s3",
            ),
            pytest.param(
                {},
                "lambdash cannot handle this event: it is not an API Gateway (REST or HTTP API), ALB or Function URL "
                "HTTP event (version None, top-level keys: none). Invoke this handler only from an HTTP front "
                "door, or route other events to another function.",
                id="empty",
            ),
        ],
    )
    def test_unsupported(self, event: Any, message: str) -> None:
        with pytest.raises(UnsupportedEventError) as info:
            handler(event, FakeContext())
        assert str(info.value) == message

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            pytest.param(
                {"path": None},
                "the REST API event has no 'path'; lambdash cannot build a request without it",
                id="no-path",
            ),
            pytest.param(
                {"path": 3},
                "the REST API event's 'path' must be a string, not int",
                id="path-int",
            ),
            pytest.param(
                {"headers": "x", "multiValueHeaders": None},
                "the REST API event's 'headers' must be an object, not str",
                id="headers-str",
            ),
            pytest.param(
                {"multiValueHeaders": {"A": "b"}},
                "the REST API event's multiValueHeaders['A'] must be a list, not str",
                id="mvh",
            ),
            pytest.param(
                {"body": {"a": 1}},
                "the REST API event's 'body' must be a string or null, not dict",
                id="body-dict",
            ),
            pytest.param(
                {"body": "***", "isBase64Encoded": True},
                "the REST API event says isBase64Encoded but its body is not valid base64: Only base64 data is allowed",
                id="bad-base64",
            ),
        ],
    )
    def test_malformed_rest(self, change: dict[str, Any], message: str) -> None:
        event = rest_event()
        event.update(change)
        with pytest.raises(MalformedEventError) as info:
            handler(event, FakeContext())
        assert str(info.value).startswith(message)

    @pytest.mark.parametrize(
        ("event", "message"),
        [
            pytest.param(
                rest_event(),
                "the REST API event's multiValueQueryStringParameters['a'] must be a list, not str",
                id="rest",
            ),
            pytest.param(
                http_v1_event(),
                "the HTTP API payload 1.0 event's multiValueQueryStringParameters['a'] must be a list, "
                "not str",
                id="http-v1",
            ),
            pytest.param(
                alb_event(multi=True),
                "the ALB event's multiValueQueryStringParameters['a'] must be a list, not str",
                id="alb",
            ),
        ],
    )
    def test_malformed_multi_value_query(
        self, event: dict[str, Any], message: str
    ) -> None:
        # A string iterates as characters: {"a": "bc"} would become a=b&a=c.
        event["multiValueQueryStringParameters"] = {"a": "bc"}
        with pytest.raises(MalformedEventError) as info:
            handler(event, FakeContext())
        assert str(info.value) == message

    def test_malformed_v2_cookies(self) -> None:
        event = http_v2_event()
        event["cookies"] = "a=1"
        with pytest.raises(
            MalformedEventError,
            match=r"^the HTTP API event's 'cookies' must be a list, not str$",
        ):
            handler(event, FakeContext())

    def test_malformed_v2_without_method(self) -> None:
        event = http_v2_event()
        del event["requestContext"]["http"]
        with pytest.raises(
            MalformedEventError,
            match=r"^the HTTP API event has no 'requestContext.http.method'",
        ):
            handler(event, FakeContext())


class TestProxyFastPath:
    """The ``/{proxy+}`` shortcut in the REST parser answers exactly as the general route split."""

    segment = st.text(alphabet="ab/%.-", max_size=6)

    @settings(max_examples=400, deadline=None)
    @given(
        prefix=segment,
        proxy=segment,
        client_prefix=segment,
        trailing=st.booleans(),
    )
    def test_agrees_with_the_general_split(
        self, prefix: str, proxy: str, client_prefix: str, trailing: bool
    ) -> None:
        path = "/" + prefix.strip("/") + ("/" if prefix.strip("/") else "") + proxy
        path = path + "/" if trailing else path
        client_path = "/" + client_prefix + path
        params = {"proxy": proxy}
        fast = apigw_v1._proxy_split(path, client_path, proxy)
        general = apigw_v1._route_split(
            path,
            "/{proxy+}",
            params,
            client_path=client_path,
            stage="Prod",
            host="abc.execute-api.eu-west-1.amazonaws.com",
        )
        if fast is not None:
            assert fast == general

    def test_answers_the_usual_event(self) -> None:
        assert apigw_v1._proxy_split("/hello", "/Prod/hello", "hello") == (
            "/Prod",
            "/hello",
        )
        assert apigw_v1._proxy_split("/a/", "/Prod/a/", "a") == (
            "/Prod",
            "/a/",
        )
