"""PEP 3333 behaviour of the WSGI adapter, driven through ``make_handler``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIApplication
from wsgiref.types import WSGIEnvironment
from wsgiref.validate import validator

import pytest

from lambdash import AppProtocolError
from lambdash import _wsgi
from lambdash import make_handler
from tests.conftest import FakeContext
from tests.events import http_v2_event
from tests.events import rest_event

REQUEST_ID = FakeContext().aws_request_id
TEXT = [("Content-Type", "text/plain")]


def call(app: WSGIApplication, **options: Any) -> dict[str, Any]:
    """Serve one REST API request for ``/Prod/x`` with *app*."""
    return make_handler(app, **options)(rest_event(path="/x"), FakeContext())


def text_result(body: str, status: int = 200) -> dict[str, Any]:
    """The REST result for a ``text/plain`` response."""
    return {
        "statusCode": status,
        "multiValueHeaders": {"Content-Type": ["text/plain"]},
        "body": body,
        "isBase64Encoded": False,
    }


class Body:
    """An app iterable that counts ``close()`` calls and can fail part-way."""

    def __init__(self, chunks: Iterable[object], *, fail_at: int | None = None) -> None:
        self.chunks = list(chunks)
        self.fail_at = fail_at
        self.closed = 0

    def __iter__(self) -> Iterator[Any]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_at:
                msg = "the body broke"
                raise RuntimeError(msg)
            yield chunk

    def close(self) -> None:
        self.closed += 1


def body_app(body: Body) -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Body:
        start_response("200 OK", TEXT)
        return body

    return app


class TestClose:
    def test_close_runs_after_success(self) -> None:
        body = Body([b"a", b"", b"b"])
        assert call(validator(body_app(body))) == text_result("ab")
        assert body.closed == 1

    def test_close_runs_when_iteration_raises(self) -> None:
        body = Body([b"a", b"b"], fail_at=1)
        with pytest.raises(RuntimeError, match=r"^the body broke$"):
            call(validator(body_app(body)))
        assert body.closed == 1

    def test_close_runs_after_an_invalid_chunk(self) -> None:
        body = Body([b"a", "b"])
        with pytest.raises(
            AppProtocolError,
            match=r"^the WSGI app produced str body data; PEP 3333 requires bytes$",
        ):
            call(body_app(body))
        assert body.closed == 1

    def test_close_runs_when_start_response_was_never_called(self) -> None:
        body = Body([b""])

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Body:
            return body

        with pytest.raises(
            AppProtocolError,
            match=r"^the WSGI app returned without calling start_response$",
        ):
            call(app)
        assert body.closed == 1


class TestWrite:
    def test_write_data_comes_before_the_iterable(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            write = start_response("200 OK", TEXT)
            write(b"one ")
            write(b"two ")
            return [b"three", b" four"]

        result = make_handler(validator(app))(http_v2_event(path="/x"), FakeContext())
        assert result == {
            "statusCode": 200,
            "headers": {"Content-Type": "text/plain"},
            "body": "one two three four",
            "isBase64Encoded": False,
        }

    def test_write_rejects_str(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            write: Any = start_response("200 OK", TEXT)
            write("text")
            return []

        with pytest.raises(
            AppProtocolError,
            match=r"^the WSGI app produced str body data; PEP 3333 requires bytes$",
        ):
            call(app)

    def test_empty_write_counts_as_sending_headers(self) -> None:
        error = ValueError("late failure")

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            write = start_response("200 OK", TEXT)
            write(b"")
            try:
                raise error
            except ValueError:
                start_response("500 Internal Server Error", TEXT, sys.exc_info())
            return [b"replaced"]

        with pytest.raises(ValueError, match="late failure") as raised:
            call(app)
        assert raised.value is error


class TestStartResponse:
    def test_second_call_without_exc_info_is_an_error(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("200 OK", TEXT)
            start_response("404 Not Found", TEXT)
            return [b"unreachable"]

        with pytest.raises(
            AppProtocolError,
            match=r"^the WSGI app called start_response twice without exc_info$",
        ):
            call(app)

    def test_exc_info_before_the_body_replaces_status_and_headers(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterator[bytes]:
            start_response("200 OK", [("Content-Type", "text/html"), ("X-A", "1")])
            yield b""
            try:
                msg = "database down"
                raise ValueError(msg)
            except ValueError:
                start_response("500 Internal Server Error", TEXT, sys.exc_info())
            yield b"it broke"

        assert call(validator(app)) == text_result("it broke", status=500)

    def test_exc_info_on_the_first_call_is_accepted(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            try:
                msg = "bad request"
                raise KeyError(msg)
            except KeyError:
                start_response("400 Bad Request", TEXT, sys.exc_info())
            return [b"bad"]

        assert call(validator(app)) == text_result("bad", status=400)

    @pytest.mark.parametrize("via_write", [False, True], ids=["iterable", "write"])
    def test_exc_info_after_body_data_reraises_the_original(
        self, via_write: bool
    ) -> None:
        error = ValueError("rendering failed")

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterator[bytes]:
            try:
                write = start_response("200 OK", TEXT)
                if via_write:
                    write(b"partial")
                else:
                    yield b"partial"
                raise error
            except ValueError:
                start_response("500 Internal Server Error", TEXT, sys.exc_info())
                yield b"unreachable"

        with pytest.raises(ValueError, match=r"^rendering failed$") as raised:
            call(app)
        assert raised.value is error

    @pytest.mark.parametrize(
        "status",
        [
            pytest.param("OK", id="no-code"),
            pytest.param(200, id="int"),
            pytest.param(b"200 OK", id="bytes"),
            pytest.param(["200 OK"], id="unhashable"),
            pytest.param("2000 X", id="four-digits"),
            pytest.param("20 OK", id="two-digits"),
            pytest.param("200\tOK", id="tab"),
            pytest.param("", id="empty"),
            pytest.param(None, id="none"),
            pytest.param(
                "200",
                id="no-reason-phrase",
            ),
            pytest.param("\u00b200 OK", id="superscript-digit"),
            pytest.param("\u0662\u0660\u0660 OK", id="arabic-indic-digits"),
        ],
    )
    def test_invalid_status(self, status: Any) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response(status, TEXT)
            return [b"x"]

        with pytest.raises(AppProtocolError) as raised:
            call(app)
        assert str(raised.value) == (
            f"the WSGI app passed an invalid status {status!r} to start_response; "
            "use a string such as '200 OK'"
        )

    @pytest.mark.parametrize(
        "headers",
        [
            pytest.param({"Content-Type": "text/plain"}, id="dict"),
            pytest.param((("Content-Type", "text/plain"),), id="tuple-of-tuples"),
            pytest.param(None, id="none"),
            pytest.param([("Content-Type",)], id="one-item"),
            pytest.param([("Content-Type", "text/plain", "x")], id="three-items"),
            pytest.param([["Content-Type", "text/plain"]], id="list-item"),
            pytest.param([("X-Count", 1)], id="int-value"),
            pytest.param([(b"Content-Type", "text/plain")], id="bytes-name"),
            pytest.param([("Content-Type", b"text/plain")], id="bytes-value"),
            pytest.param(["Content-Type: text/plain"], id="str-line"),
        ],
    )
    def test_invalid_headers(self, headers: Any) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("200 OK", headers)
            return [b"x"]

        with pytest.raises(AppProtocolError) as raised:
            call(app)
        assert str(raised.value) == (
            f"the WSGI app passed invalid response headers {headers!r}; "
            "use a list of (name, value) string tuples"
        )


class TestBody:
    @pytest.mark.parametrize(
        ("chunk", "kind"),
        [
            ("text", "str"),
            (bytearray(b"x"), "bytearray"),
            (memoryview(b"x"), "memoryview"),
        ],
    )
    def test_chunk_must_be_bytes(self, chunk: object, kind: str) -> None:
        with pytest.raises(AppProtocolError) as raised:
            call(body_app(Body([chunk])))
        assert str(raised.value) == (
            f"the WSGI app produced {kind} body data; PEP 3333 requires bytes"
        )

    def test_body_data_before_start_response(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterator[bytes]:
            yield b"too early"
            start_response("200 OK", TEXT)

        with pytest.raises(
            AppProtocolError,
            match=r"^the WSGI app produced body data before calling start_response$",
        ):
            call(app)

    @pytest.mark.parametrize("chunks", [[], [b"", b""]], ids=["empty", "empty-chunks"])
    def test_returning_without_start_response(self, chunks: list[bytes]) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            return chunks

        with pytest.raises(
            AppProtocolError,
            match=r"^the WSGI app returned without calling start_response$",
        ):
            call(app)

    def test_generator_calls_start_response_lazily(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterator[bytes]:
            start_response("201 Created", TEXT)
            yield b"made "
            yield b"it"

        assert call(validator(app)) == text_result("made it", status=201)

    def test_empty_chunks_before_start_response_are_allowed(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterator[bytes]:
            yield b""
            yield b""
            start_response("200 OK", TEXT)
            yield b"fine"

        assert call(app) == text_result("fine")

    def test_empty_body(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("204 No Content", [])
            return []

        assert call(validator(app)) == {
            "statusCode": 204,
            "multiValueHeaders": {},
            "body": "",
            "isBase64Encoded": False,
        }


def failing_app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    msg = "kaput"
    raise LookupError(msg)


class TestErrorPolicy:
    def test_raise_reraises_and_logs_once(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        with pytest.raises(LookupError, match=r"^kaput$") as raised:
            call(failing_app)
        assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
            (
                "lambdash",
                logging.ERROR,
                f"the app raised on GET /Prod/x (request id {REQUEST_ID})",
            )
        ]
        exc_info = caplog.records[0].exc_info
        assert exc_info is not None
        assert exc_info[1] is raised.value

    def test_respond_answers_500(self) -> None:
        assert call(failing_app, on_error="respond") == {
            "statusCode": 500,
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": "Internal Server Error",
            "isBase64Encoded": False,
        }

    def test_respond_answers_500_for_protocol_errors(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            return []

        assert call(app, on_error="respond")["statusCode"] == 500


class TestEnviron:
    def test_header_values_are_latin1_strings(self) -> None:
        """PEP 3333: environ strings hold only ISO-8859-1 code points (the wire bytes)."""
        seen: dict[str, str] = {}

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            seen["value"] = environ["HTTP_X_NAME"]
            start_response("200 OK", TEXT)
            return [b""]

        event = rest_event(path="/x", headers=[("X-Name", "\u20ac")])
        assert make_handler(validator(app))(event, FakeContext())["statusCode"] == 200
        assert seen == {"value": "\u20ac".encode().decode("latin-1")}

    def test_environ_has_room_for_nineteen_headers(self) -> None:
        """Environs start as copies of a template that has room for the request headers.

        A dict that runs out of room rehashes every key into a bigger table; a browser's request
        through CloudFront brings about nineteen headers, and their environ must not grow.
        """
        seen: list[WSGIEnvironment] = []

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            seen.append(environ)
            start_response("200 OK", TEXT)
            return [b""]

        headers = [(f"X-Header-{index}", "v") for index in range(15)]
        event = rest_event(path="/x", headers=headers)
        assert len(event["multiValueHeaders"]) == 19
        make_handler(app)(event, FakeContext())
        [environ] = seen
        # The same table size as the template: the environ never grew.
        assert sys.getsizeof(environ) == sys.getsizeof(_wsgi._TEMPLATE)
        assert not any(key.startswith("lambdash.placeholder") for key in environ)

    def test_repeated_headers_and_content_length(self) -> None:
        seen: dict[str, object] = {}

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            seen.update(
                {
                    key: environ[key]
                    for key in environ
                    if key.startswith(("HTTP_X_", "HTTP_COOKIE", "CONTENT_"))
                    or key == "HTTP_CONTENT_LENGTH"
                }
            )
            start_response("200 OK", TEXT)
            return [environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))]

        event = rest_event(
            method="POST",
            path="/x",
            headers=[("Content-Length", "999"), ("Content-Type", "text/plain"),
                     ("X-Custom", "a"), ("X-Custom", "b"), ("Cookie", "x=1"), ("Cookie", "y=2")],
            body=b"abc",
        )  # fmt: skip
        result = make_handler(validator(app))(event, FakeContext())
        assert result == text_result("abc")
        assert seen == {
            "CONTENT_LENGTH": "3",
            "CONTENT_TYPE": "text/plain",
            "HTTP_COOKIE": "x=1; y=2",
            "HTTP_X_CUSTOM": "a, b",
            "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7",
            "HTTP_X_FORWARDED_PORT": "443",
            "HTTP_X_FORWARDED_PROTO": "https",
        }
