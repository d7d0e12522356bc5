"""record() named tuples, the declarations mypy reads against the run-time values, and the caches."""

from __future__ import annotations

import ast
import copy
import json
import pickle
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment

import pytest

import lambdash
from lambdash import _handler
from lambdash import _message
from lambdash import _protocols
from lambdash import _wsgi
from lambdash._formats import _common
from lambdash._formats import alb
from lambdash._formats import apigw_v1
from lambdash._formats import apigw_v2
from lambdash._message import Request
from lambdash._message import Response
from lambdash._message import record
from lambdash._types import ERROR_POLICIES
from lambdash._types import INTERFACES
from lambdash._types import LIFESPAN_MODES
from tests.conftest import FakeContext
from tests.conftest import echo_app
from tests.events import alb_event
from tests.events import http_v2_event
from tests.events import rest_event

SRC = Path(__file__).resolve().parents[1] / "src" / "lambdash"

REQUEST_VALUES = (
    "GET",
    "/Prod",
    "/a",
    "q=1",
    {"host": "example.com"},
    b"body",
    "https",
    "example.com",
    443,
    "HTTP/1.1",
    "203.0.113.7",
    "jane",
    {"path": "/a"},
    None,
)


class TestRecord:
    """The run-time classes record() makes for Request and Response."""

    def test_positional_construction_and_field_access(self) -> None:
        response = Response(201, [("X-A", "1")], b"made")
        assert isinstance(response, tuple)
        assert tuple(response) == (201, [("X-A", "1")], b"made")
        assert (response.status, response.headers, response.body) == (
            201,
            [("X-A", "1")],
            b"made",
        )
        assert Response._fields == ("status", "headers", "body")

    def test_keyword_construction_in_any_order(self) -> None:
        assert Response(body=b"x", status=200, headers=[]) == (200, [], b"x")

    def test_positional_then_keyword(self) -> None:
        assert Response(200, body=b"x", headers=[]) == (200, [], b"x")

    def test_request_fields_in_order(self) -> None:
        request = Request(*REQUEST_VALUES)
        assert [getattr(request, name) for name in Request._fields] == list(
            REQUEST_VALUES
        )

    @pytest.mark.parametrize(
        ("args", "kwargs", "message"),
        [
            pytest.param(
                (),
                {"status": 200},
                "Response() takes the fields status, headers, body; missing ['headers', 'body'], "
                "given ['status']",
                id="missing",
            ),
            pytest.param(
                (200,),
                {"headers": [], "body": b"", "colour": "red"},
                "Response() takes the fields status, headers, body; missing [], "
                "given ['body', 'colour', 'headers']",
                id="unexpected",
            ),
            pytest.param(
                (200, [], b""),
                {"colour": "red"},
                "Response() takes the fields status, headers, body; missing [], given ['colour']",
                id="unexpected-after-all-positional",
            ),
            pytest.param(
                (200,),
                {"status": 200, "headers": [], "body": b""},
                "Response() takes the fields status, headers, body; missing [], "
                "given ['body', 'headers', 'status']",
                id="positional-and-keyword",
            ),
            pytest.param(
                (200, []),
                {},
                "Response() takes 3 fields (status, headers, body), not 2",
                id="too-few",
            ),
            pytest.param(
                (200, [], b"", "extra"),
                {},
                "Response() takes 3 fields (status, headers, body), not 4",
                id="too-many",
            ),
        ],
    )
    def test_wrong_arguments(
        self, args: tuple[object, ...], kwargs: dict[str, object], message: str
    ) -> None:
        make: Any = Response
        with pytest.raises(TypeError) as info:
            make(*args, **kwargs)
        assert str(info.value) == message

    def test_replace(self) -> None:
        response = Response(200, [], b"x")
        changed = response._replace(status=404, body=b"gone")
        assert type(changed) is Response
        assert changed == (404, [], b"gone")
        assert response == (200, [], b"x")

    def test_replace_unknown_fields(self) -> None:
        response: Any = Response(200, [], b"x")
        with pytest.raises(ValueError, match=r"^Response has no fields \['a', 'z'\]$"):
            response._replace(z=1, a=2, status=3)

    def test_repr(self) -> None:
        assert (
            repr(Response(200, [("X-A", "1")], b"x"))
            == "Response(status=200, headers=[('X-A', '1')], body=b'x')"
        )
        assert repr(Request(*REQUEST_VALUES)) == (
            "Request(method='GET', script_name='/Prod', path='/a', query_string='q=1', "
            "headers={'host': 'example.com'}, body=b'body', scheme='https', "
            "server_name='example.com', server_port=443, protocol='HTTP/1.1', "
            "remote_addr='203.0.113.7', remote_user='jane', event={'path': '/a'}, context=None)"
        )

    def test_fields_are_read_only(self) -> None:
        response: Any = Response(200, [], b"x")
        with pytest.raises(AttributeError):
            response.status = 500
        with pytest.raises(AttributeError):
            response.extra = 1

    def test_copy(self) -> None:
        request = Request(*REQUEST_VALUES)
        shallow = copy.copy(request)
        deep = copy.deepcopy(request)
        assert (type(shallow), type(deep)) == (Request, Request)
        assert shallow == deep == request
        assert shallow.headers is request.headers
        assert deep.headers is not request.headers

    @pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
    def test_pickle_round_trip(self, protocol: int) -> None:
        request = Request(*REQUEST_VALUES)
        response = Response(200, [("X-A", "1")], b"x")
        loaded = pickle.loads(pickle.dumps((request, response), protocol=protocol))
        assert [type(item) for item in loaded] == [Request, Response]
        assert loaded == (request, response)
        assert loaded[0].event == {"path": "/a"}

    def test_record_makes_a_documented_class(self) -> None:
        point = record("Point", ("x", "y"), "A point.")
        assert point.__name__ == "Point"
        assert point.__doc__ == "A point."
        assert point.x.__doc__ == "Point.x"
        assert point(1, y=2) == (1, 2)
        assert repr(point(y=2, x=1)) == "Point(x=1, y=2)"
        assert Request.__doc__ is not None
        assert Request.__doc__.startswith("One HTTP request")


def _type_checking_blocks(tree: ast.Module) -> list[ast.If]:
    return [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]


class TestDeclarationsMatchRunTime:
    """What mypy reads under ``if TYPE_CHECKING:`` says the same as the run-time values."""

    def test_named_tuple_fields(self) -> None:
        tree = ast.parse((SRC / "_message.py").read_text(encoding="utf-8"))
        classes = {
            node.name: node
            for block in _type_checking_blocks(tree)
            for node in block.body
            if isinstance(node, ast.ClassDef)
        }
        assert sorted(classes) == ["Request", "Response"]
        declared: dict[str, tuple[str, ...]] = {}
        for name, node in classes.items():
            assert [ast.unparse(base) for base in node.bases] == ["NamedTuple"]
            # record() has no defaults and no methods, so neither may the declaration.
            assert all(
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and item.value is None
                for item in node.body
            ), ast.unparse(node)
            declared[name] = tuple(
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            )
        assert declared == {"Request": Request._fields, "Response": Response._fields}

    def test_literal_aliases(self) -> None:
        tree = ast.parse((SRC / "_types.py").read_text(encoding="utf-8"))
        literals: dict[str, tuple[object, ...]] = {}
        for block in _type_checking_blocks(tree):
            for node in block.body:
                if not (
                    isinstance(node, ast.AnnAssign)
                    and isinstance(node.target, ast.Name)
                    and isinstance(node.value, ast.Subscript)
                    and ast.unparse(node.value.value) == "Literal"
                ):
                    continue
                assert ast.unparse(node.annotation) == "TypeAlias"
                index = node.value.slice
                items = index.elts if isinstance(index, ast.Tuple) else [index]
                literals[node.target.id] = tuple(ast.literal_eval(i) for i in items)
        assert literals == {
            "ErrorPolicy": ERROR_POLICIES,
            "LifespanMode": LIFESPAN_MODES,
            "Interface": INTERFACES,
        }

    def test_lambda_context_is_a_lazy_protocol(self) -> None:
        protocol = lambdash.LambdaContext
        assert protocol is _protocols.LambdaContext
        assert getattr(protocol, "_is_protocol", False) is True
        assert typing.get_type_hints(protocol) == {"aws_request_id": str}
        assert "LambdaContext" in dir(lambdash)
        assert "LambdaContext" in lambdash.__all__
        assert "TYPE_CHECKING" not in dir(lambdash)
        # mypy checks this assignment against the protocol.
        context: lambdash.LambdaContext = FakeContext()
        assert context.aws_request_id == FakeContext().aws_request_id

    def test_missing_attribute_names_it(self) -> None:
        name = "LambdaContex"  # one letter short of the lazy name
        with pytest.raises(AttributeError) as info:
            getattr(lambdash, name)
        assert str(info.value) == "module 'lambdash' has no attribute 'LambdaContex'"
        assert info.value.name == "LambdaContex"


# Answers by path, for the caches that look at responses.
ANSWERS: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {
    "/created": ("201 Created", [("Content-Type", "text/plain")], b"made"),
    "/accepted": ("202 Accepted", [("Content-Type", "text/plain")], b"queued"),
    "/png": ("200 OK", [("Content-Type", "image/png")], b"\x89PNG"),
    "/text": (
        "200 OK",
        [("Content-Type", "text/plain"), ("Connection", "close"), ("X-A", "1")],
        b"hi",
    ),
    "/more": ("200 OK", [("Content-Type", "text/plain"), ("X-B", "2")], b"more"),
}


def answer_app(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    status, headers, body = ANSWERS[environ["PATH_INFO"]]
    start_response(status, list(headers))
    return [body]


answer = lambdash.make_handler(answer_app)
echo = lambdash.make_handler(echo_app)


def seen(event: dict[str, Any]) -> dict[str, Any]:
    result = echo(event, FakeContext())
    environ: dict[str, Any] = json.loads(result["body"])
    return environ


class TestCacheBounds:
    """Each per-process cache is emptied when full, then stores the new entry; answers still hold.

    Every test first shows that the module fills the cache under test, then makes the cache
    full (by lowering its limit constant), and shows that the next new key empties it and is
    stored alone, so that a cache once filled keeps up with what the function sees now.
    """

    def test_lower_case_header_names(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[str, str] = {}
        monkeypatch.setattr(_common, "_LOWER", cache)
        environ = seen(rest_event(path="/a", headers=[("X-Mixed-Case", "1")]))
        assert cache == {
            "Host": "host",
            "X-Forwarded-Proto": "x-forwarded-proto",
            "X-Forwarded-Port": "x-forwarded-port",
            "X-Forwarded-For": "x-forwarded-for",
            "X-Mixed-Case": "x-mixed-case",
        }
        assert environ["HTTP_X_MIXED_CASE"] == "1"
        # Full: the one new name, which comes last, empties the cache and is stored alone.
        monkeypatch.setattr(_common, "_LOWER_LIMIT", len(cache))
        headers = [("X-Mixed-Case", "1"), ("X-Other-Name", "2")]
        environ = seen(rest_event(path="/a", headers=headers))
        assert cache == {"X-Other-Name": "x-other-name"}
        assert (
            environ["HTTP_X_MIXED_CASE"],
            environ["HTTP_X_OTHER_NAME"],
            environ["HTTP_X_FORWARDED_PORT"],
        ) == ("1", "2", "443")
        # The names dropped with it are lowered again, and the cache refills.
        environ = seen(rest_event(path="/a", headers=[("X-Mixed-Case", "3")]))
        assert cache == {"X-Mixed-Case": "x-mixed-case"}
        assert (environ["HTTP_HOST"], environ["HTTP_X_MIXED_CASE"]) == (
            "abc123def4.execute-api.eu-west-1.amazonaws.com",
            "3",
        )

    def test_server_addresses(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[tuple[str, str, str], tuple[str, str, int]] = {}
        monkeypatch.setattr(_common, "_ADDRESSES", cache)
        monkeypatch.setattr(_common, "_ADDRESSES_LIMIT", 1)
        first = http_v2_event(path="/a")
        first["headers"]["host"] = "one.example.com"
        environ = seen(first)
        assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == (
            "one.example.com",
            "443",
        )
        assert cache == {
            ("one.example.com", "https", "443"): ("https", "one.example.com", 443)
        }
        second = http_v2_event(path="/a")
        second["headers"].update(
            {"host": "two.example.com:8443", "x-forwarded-proto": "http"}
        )
        del second["headers"]["x-forwarded-port"]
        environ = seen(second)
        assert (
            environ["SERVER_NAME"],
            environ["SERVER_PORT"],
            environ["wsgi.url_scheme"],
        ) == ("two.example.com", "8443", "http")
        assert cache == {
            ("two.example.com:8443", "http", ""): ("http", "two.example.com", 8443)
        }
        environ = seen(first)
        assert (environ["SERVER_NAME"], environ["wsgi.url_scheme"]) == (
            "one.example.com",
            "https",
        )
        assert list(cache) == [("one.example.com", "https", "443")]

    def test_rest_proxy_splits(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[tuple[str, str, str], tuple[str, str]] = {}
        monkeypatch.setattr(apigw_v1, "_PROXY_SPLITS", cache)
        monkeypatch.setattr(apigw_v1, "_PROXY_SPLITS_LIMIT", 1)
        environ = seen(rest_event(path="/a"))
        assert cache == {("/a", "/Prod/a", "a"): ("/Prod", "/a")}
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/Prod", "/a")
        environ = seen(rest_event(path="/b/c/", stage="v2"))
        assert cache == {("/b/c/", "/v2/b/c/", "b/c"): ("/v2", "/b/c/")}
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/v2", "/b/c/")
        environ = seen(rest_event(path="/a"))
        assert cache == {("/a", "/Prod/a", "a"): ("/Prod", "/a")}
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/Prod", "/a")

    def test_http_v2_splits(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[Any, tuple[str, str]] = {}
        monkeypatch.setattr(apigw_v2, "_SPLITS", cache)
        monkeypatch.setattr(apigw_v2, "_SPLITS_LIMIT", 1)
        environ = seen(http_v2_event(path="/a", stage="prod"))
        assert cache == {
            ("/prod/a", "ANY /{proxy+}", (("proxy", "a"),), "prod"): ("/prod", "/a")
        }
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/prod", "/a")
        environ = seen(http_v2_event(path="/b", stage="beta"))
        assert cache == {
            ("/beta/b", "ANY /{proxy+}", (("proxy", "b"),), "beta"): ("/beta", "/b")
        }
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/beta", "/b")
        environ = seen(http_v2_event(path="/a", stage="prod"))
        assert [key[0] for key in cache] == ["/prod/a"]
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/prod", "/a")

    def test_environ_keys(self, monkeypatch: pytest.MonkeyPatch) -> None:
        seeds = {"content-length": "CONTENT_LENGTH", "content-type": "CONTENT_TYPE"}
        assert seeds == _wsgi._ENVIRON_KEY_SEEDS
        cache = dict(seeds)
        monkeypatch.setattr(_wsgi, "_ENVIRON_KEYS", cache)
        headers = [("content-type", "text/plain"), ("x-new-name", "1")]
        environ = seen(
            http_v2_event(method="POST", path="/a", headers=headers, body=b"x")
        )
        assert cache == {
            **seeds,
            "host": "HTTP_HOST",
            "x-forwarded-proto": "HTTP_X_FORWARDED_PROTO",
            "x-forwarded-port": "HTTP_X_FORWARDED_PORT",
            "x-forwarded-for": "HTTP_X_FORWARDED_FOR",
            "x-new-name": "HTTP_X_NEW_NAME",
        }
        assert (environ["CONTENT_TYPE"], environ["HTTP_X_NEW_NAME"]) == (
            "text/plain",
            "1",
        )
        # Full: the one new name, which comes last, empties the cache; the seeds come back.
        monkeypatch.setattr(_wsgi, "_ENVIRON_KEYS_LIMIT", len(cache))
        headers = [("content-type", "text/csv"), ("x-other-name", "2")]
        environ = seen(
            http_v2_event(method="POST", path="/a", headers=headers, body=b"x")
        )
        assert cache == {**seeds, "x-other-name": "HTTP_X_OTHER_NAME"}
        # With room for one name past the seeds, every name empties the cache, and
        # Content-Type, coming after them, still finds its seed entry.
        monkeypatch.setattr(_wsgi, "_ENVIRON_KEYS_LIMIT", 3)
        headers = [("x-third-name", "3"), ("content-type", "text/html")]
        environ = seen(
            http_v2_event(method="POST", path="/a", headers=headers, body=b"xy")
        )
        assert cache == {**seeds, "x-third-name": "HTTP_X_THIRD_NAME"}
        assert {
            key: environ.get(key)
            for key in (
                "CONTENT_TYPE",
                "CONTENT_LENGTH",
                "HTTP_CONTENT_TYPE",
                "HTTP_X_THIRD_NAME",
                "HTTP_X_OTHER_NAME",
                "HTTP_X_FORWARDED_PROTO",
                "HTTP_HOST",
            )
        } == {
            "CONTENT_TYPE": "text/html",
            "CONTENT_LENGTH": "2",
            "HTTP_CONTENT_TYPE": None,
            "HTTP_X_THIRD_NAME": "3",
            "HTTP_X_OTHER_NAME": None,
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_HOST": "abc123def4.execute-api.eu-west-1.amazonaws.com",
        }

    def test_status_codes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[str, int] = {}
        monkeypatch.setattr(_wsgi, "_STATUS_CODES", cache)
        monkeypatch.setattr(_wsgi, "_STATUS_CODES_LIMIT", 1)
        created = answer(http_v2_event(path="/created"), FakeContext())
        assert (created["statusCode"], created["body"]) == (201, "made")
        assert cache == {"201 Created": 201}
        accepted = answer(http_v2_event(path="/accepted"), FakeContext())
        assert (accepted["statusCode"], accepted["body"]) == (202, "queued")
        assert cache == {"202 Accepted": 202}
        assert (
            answer(http_v2_event(path="/created"), FakeContext())["statusCode"] == 201
        )
        assert cache == {"201 Created": 201}

    def test_alb_status_descriptions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[int, str] = {}
        monkeypatch.setattr(alb, "_DESCRIPTIONS", cache)
        monkeypatch.setattr(alb, "_DESCRIPTIONS_LIMIT", 1)
        first = answer(alb_event(path="/created"), FakeContext())
        assert (first["statusCode"], first["statusDescription"]) == (201, "201 Created")
        assert cache == {201: "201 Created"}
        second = answer(alb_event(path="/accepted"), FakeContext())
        assert (second["statusCode"], second["statusDescription"]) == (
            202,
            "202 Accepted",
        )
        assert cache == {202: "202 Accepted"}
        third = answer(alb_event(path="/created"), FakeContext())
        assert (third["statusCode"], third["statusDescription"]) == (201, "201 Created")
        assert cache == {201: "201 Created"}

    def test_header_kinds(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[str, int] = {}
        monkeypatch.setattr(_handler, "_HEADER_KINDS", cache)
        expected = {
            "statusCode": 200,
            "headers": {"Content-Type": "text/plain", "X-A": "1"},
            "body": "hi",
            "isBase64Encoded": False,
        }
        assert answer(http_v2_event(path="/text"), FakeContext()) == expected
        assert cache == {
            "Content-Type": _handler._TYPE,
            "Connection": _handler._DROP,
            "X-A": _handler._KEEP,
        }
        # Full: the one new name, which comes last, empties the cache and is stored alone.
        monkeypatch.setattr(_handler, "_HEADER_KINDS_LIMIT", len(cache))
        more = answer(http_v2_event(path="/more"), FakeContext())
        assert more["headers"] == {"Content-Type": "text/plain", "X-B": "2"}
        assert cache == {"X-B": _handler._KEEP}
        # Connection is still dropped, and Content-Type still read, as the cache refills.
        monkeypatch.setattr(_handler, "_HEADER_KINDS_LIMIT", 1)
        assert answer(http_v2_event(path="/text"), FakeContext()) == expected
        assert cache == {"X-A": _handler._KEEP}

    def test_binary_decisions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cache: dict[Any, bool] = {}
        monkeypatch.setattr(_message, "_DECISIONS", cache)
        monkeypatch.setattr(_message, "_DECISIONS_LIMIT", 1)
        png = answer(http_v2_event(path="/png"), FakeContext())
        assert (png["body"], png["isBase64Encoded"]) == ("iVBORw==", True)
        assert [(key[0], value) for key, value in cache.items()] == [
            ("image/png", True)
        ]
        text = answer(http_v2_event(path="/text"), FakeContext())
        assert (text["body"], text["isBase64Encoded"]) == ("hi", False)
        assert [(key[0], value) for key, value in cache.items()] == [
            ("text/plain", False)
        ]
        png = answer(http_v2_event(path="/png"), FakeContext())
        assert (png["body"], png["isBase64Encoded"]) == ("iVBORw==", True)
        assert [key[0] for key in cache] == ["image/png"]
