"""The ASGI adapter, driven through ``make_handler``: scope, HTTP protocol, errors and lifespan."""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import json
import logging
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment

import pytest
from fastapi import FastAPI
from fastapi import Request as FastAPIRequest
from fastapi import Response as FastAPIResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import lambdash._asgi
from lambdash import AppProtocolError
from lambdash import LifespanError
from lambdash import make_handler
from lambdash._types import ASGIApp
from lambdash._types import Message
from lambdash._types import Receive
from lambdash._types import Scope
from lambdash._types import Send
from tests.conftest import FakeContext
from tests.events import EXECUTE_API_HOST
from tests.events import http_v2_event
from tests.events import rest_event

REQUEST_ID = FakeContext().aws_request_id
START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain")],
}


def serve(
    app: Any, event: dict[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    """Serve one request (``/Prod/x`` on a REST API unless *event* is given) with *app*."""
    options.setdefault("lifespan", "off")
    handler = make_handler(app, **options)
    return handler(event or rest_event(path="/x"), FakeContext())


def text_result(body: str, status: int = 200) -> dict[str, Any]:
    """The REST result of a ``text/plain`` response from a raw app."""
    return {
        "statusCode": status,
        "multiValueHeaders": {"content-type": ["text/plain"]},
        "body": body,
        "isBase64Encoded": False,
    }


def sending(*messages: Message) -> ASGIApp:
    """A raw app that sends *messages* in order, whatever the request."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        for message in messages:
            await send(message)

    return app


def runner_of(handler: Any) -> lambdash._asgi.ASGIRunner:
    """The ASGI runner inside *handler*."""
    (runner,) = [
        cell.cell_contents
        for cell in handler.__closure__
        if isinstance(cell.cell_contents, lambdash._asgi.ASGIRunner)
    ]
    return runner


def runner_loop(handler: Any) -> asyncio.AbstractEventLoop:
    """The private event loop of the ASGI runner inside *handler*."""
    loop: asyncio.AbstractEventLoop = runner_of(handler)._loop
    return loop


def echo_wsgi(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode()]


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


class TestScope:
    def test_echo_scope(self) -> None:
        seen: list[Scope] = []

        async def echo(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(scope)
            keys = ("type", "asgi", "http_version", "method", "scheme", "path",
                    "raw_path", "root_path", "query_string", "headers", "client",
                    "server", "state", "extensions")  # fmt: skip
            body = json.dumps({key: scope[key] for key in keys}, default=repr)
            await send({**START, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body.encode()})

        event = rest_event(
            method="POST",
            path="/caf%C3%A9/x%20y",
            query=[("q", "\u00e9"), ("n", "1")],
            headers=[("Content-Type", "text/plain")],
            body=b"payload",
        )
        context = FakeContext()
        result = make_handler(echo, lifespan="off")(event, context)
        assert json.loads(result["body"]) == {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "https",
            "path": "/Prod/caf\u00e9/x y",
            "raw_path": "b'/Prod/caf%C3%A9/x%20y'",
            "root_path": "/Prod",
            "query_string": "b'q=%C3%A9&n=1'",
            "headers": [
                ["b'host'", f"b'{EXECUTE_API_HOST}'"],
                ["b'x-forwarded-proto'", "b'https'"],
                ["b'x-forwarded-port'", "b'443'"],
                ["b'x-forwarded-for'", "b'198.51.100.1, 203.0.113.7'"],
                ["b'content-type'", "b'text/plain'"],
                ["b'content-length'", "b'7'"],
            ],
            "client": ["203.0.113.7", 0],
            "server": [EXECUTE_API_HOST, 443],
            "state": {},
            "extensions": {},
        }
        assert seen[0]["aws.event"] is event
        assert seen[0]["aws.context"] is context

    def test_authorizer_principal_stays_in_the_event(self) -> None:
        # ASGI has no REMOTE_USER: the scope keeps its standard keys, and the app reads the
        # authorizer from scope["aws.event"].
        seen: list[Scope] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(scope)
            await sending(START, {"type": "http.response.body"})(scope, receive, send)

        event = rest_event(path="/x")
        event["requestContext"]["authorizer"] = {"principalId": "user-42"}
        serve(app, event)
        serve(app, rest_event(path="/x"))
        assert sorted(seen[0]) == sorted(seen[1])
        assert seen[0]["aws.event"]["requestContext"]["authorizer"] == {
            "principalId": "user-42"
        }

    def headers_for(self, event: dict[str, Any]) -> list[tuple[bytes, bytes]]:
        seen: list[Scope] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(scope)
            await sending(START, {"type": "http.response.body"})(scope, receive, send)

        serve(app, event)
        headers: list[tuple[bytes, bytes]] = seen[0]["headers"]
        return headers

    def test_content_length_is_kept_when_present(self) -> None:
        event = http_v2_event(
            method="POST", path="/x", headers=[("content-length", "2")], body=b"ab"
        )
        headers = self.headers_for(event)
        assert [value for name, value in headers if name == b"content-length"] == [b"2"]

    def test_no_content_length_for_an_empty_body(self) -> None:
        headers = self.headers_for(rest_event(path="/x"))
        assert b"content-length" not in [name for name, _ in headers]

    @pytest.mark.parametrize(
        ("protocol", "version"),
        [
            pytest.param("HTTP/1.1", "1.1", id="1.1"),
            pytest.param("HTTP/2.0", "2", id="2"),
            pytest.param(
                "HTTP/1.0",
                "1.0",
                id="1.0",
            ),
        ],
    )
    def test_http_version(self, protocol: str, version: str) -> None:
        seen: list[str] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(scope["http_version"])
            await sending(START, {"type": "http.response.body"})(scope, receive, send)

        event = rest_event(path="/x")
        event["requestContext"]["protocol"] = protocol
        serve(app, event)
        assert seen == [version]

    def test_header_value_outside_latin1_arrives_as_its_utf8_bytes(self) -> None:
        event = rest_event(path="/x", headers=[("X-Name", "\u20ac")])
        headers = self.headers_for(event)
        assert [value for name, value in headers if name == b"x-name"] == [
            "\u20ac".encode()
        ]


class TestResponse:
    def test_more_body_chunks_are_concatenated(self) -> None:
        app = sending(
            START,
            {"type": "http.response.body", "body": b"one ", "more_body": True},
            {"type": "http.response.body", "more_body": True},
            {"type": "http.response.body", "body": b"two", "more_body": True},
            {"type": "http.response.body", "body": b"", "more_body": False},
        )
        assert serve(app) == text_result("one two")

    def test_body_defaults_to_empty(self) -> None:
        app = sending(
            {"type": "http.response.start", "status": 204},
            {"type": "http.response.body"},
        )
        assert serve(app) == {
            "statusCode": 204,
            "multiValueHeaders": {},
            "body": "",
            "isBase64Encoded": False,
        }

    @pytest.mark.parametrize(
        ("messages", "message"),
        [
            pytest.param(
                [{"type": "http.response.body", "body": b"x"}],
                "the ASGI app sent 'http.response.body' while waiting for http.response.start",
                id="body-before-start",
            ),
            pytest.param(
                [START, START],
                "the ASGI app sent 'http.response.start' while waiting for http.response.body",
                id="start-twice",
            ),
            pytest.param(
                [{"type": "http.response.bogus"}],
                "the ASGI app sent 'http.response.bogus' while waiting for http.response.start",
                id="unknown-before-start",
            ),
            pytest.param(
                [START, {"type": "websocket.send", "text": "x"}],
                "the ASGI app sent 'websocket.send' while waiting for http.response.body",
                id="unknown-after-start",
            ),
            pytest.param(
                [{"status": 200}],
                "the ASGI app sent None while waiting for http.response.start",
                id="no-type",
            ),
        ],
    )
    def test_messages_out_of_order(self, messages: list[Message], message: str) -> None:
        with pytest.raises(AppProtocolError) as raised:
            serve(sending(*messages))
        assert str(raised.value) == message

    @pytest.mark.parametrize(
        "late",
        [
            pytest.param({"type": "http.response.body", "body": b"more"}, id="body"),
            pytest.param(START, id="start"),
            pytest.param({"type": "http.response.trailers"}, id="trailers"),
        ],
    )
    def test_anything_after_completion_is_an_error(self, late: Message) -> None:
        errors: list[AppProtocolError] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await send(START)
            await send({"type": "http.response.body", "body": b"done"})
            try:
                await send(late)
            except AppProtocolError as exc:
                errors.append(exc)

        assert serve(app) == text_result("done")
        assert [str(exc) for exc in errors] == [
            f"the ASGI app sent {late['type']!r} while response complete"
        ]

    @pytest.mark.parametrize(
        ("messages", "phase"),
        [
            pytest.param([], "waiting for http.response.start", id="nothing"),
            pytest.param([START], "waiting for http.response.body", id="start-only"),
            pytest.param(
                [START, {"type": "http.response.body", "more_body": True}],
                "waiting for http.response.body",
                id="more-body-pending",
            ),
        ],
    )
    def test_returning_before_completion(
        self, messages: list[Message], phase: str
    ) -> None:
        with pytest.raises(AppProtocolError) as raised:
            serve(sending(*messages))
        assert str(raised.value) == (
            f"the ASGI app returned without completing its response ({phase})"
        )

    @pytest.mark.parametrize(
        "status",
        [
            pytest.param("200", id="str"),
            pytest.param(True, id="bool"),
            pytest.param(99, id="too-small"),
            pytest.param(1000, id="too-large"),
            pytest.param(200.0, id="float"),
            pytest.param(None, id="missing"),
        ],
    )
    def test_invalid_status(self, status: object) -> None:
        start: Message = {"type": "http.response.start", "headers": []}
        if status is not None:
            start["status"] = status
        with pytest.raises(AppProtocolError) as raised:
            serve(sending(start, {"type": "http.response.body"}))
        assert str(raised.value) == (
            f"the ASGI app sent an invalid status {status!r}; use an integer such as 200"
        )

    @pytest.mark.parametrize(
        "item",
        [
            pytest.param(("content-type", "text/plain"), id="str-pair"),
            pytest.param((b"content-type",), id="one-item"),
            pytest.param((b"a", b"b", b"c"), id="three-items"),
            pytest.param(b"ab", id="bytes-not-pair"),
            pytest.param(None, id="none"),
            pytest.param((b"x-count", 1), id="int-value"),
        ],
    )
    def test_invalid_header(self, item: object) -> None:
        start = {**START, "headers": [(b"x-ok", b"1"), item]}
        with pytest.raises(AppProtocolError) as raised:
            serve(sending(start, {"type": "http.response.body"}))
        assert str(raised.value) == (
            f"the ASGI app sent an invalid header {item!r}; use (name, value) pairs of bytes"
        )
        assert isinstance(
            raised.value.__cause__, TypeError | ValueError | AttributeError
        )

    def test_headers_not_iterable(self) -> None:
        start = {**START, "headers": None}
        with pytest.raises(AppProtocolError) as raised:
            serve(sending(start, {"type": "http.response.body"}))
        assert str(raised.value) == (
            "the ASGI app sent headers None; use an iterable of (name, value) pairs of bytes"
        )

    @pytest.mark.parametrize(
        ("body", "kind"),
        [("text", "str"), (bytearray(b"x"), "bytearray"), (None, "NoneType")],
    )
    def test_body_must_be_bytes(self, body: object, kind: str) -> None:
        with pytest.raises(AppProtocolError) as raised:
            serve(sending(START, {"type": "http.response.body", "body": body}))
        assert str(raised.value) == (
            f"the ASGI app sent a {kind} body; the ASGI spec requires bytes"
        )


class TestReceive:
    def test_first_receive_gives_the_whole_body(self) -> None:
        received: list[Message] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            received.append(await receive())
            await sending(START, {"type": "http.response.body"})(scope, receive, send)

        serve(app, rest_event(method="POST", path="/x", body=b"\x00payload"))
        assert received == [
            {"type": "http.request", "body": b"\x00payload", "more_body": False}
        ]

    def test_disconnect_arrives_once_the_response_is_complete(self) -> None:
        seen: list[object] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(await receive())

            async def wait_for_disconnect() -> Message:
                return await receive()

            waiter = asyncio.create_task(wait_for_disconnect())
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            seen.append(waiter.done())
            await send(START)
            await send({"type": "http.response.body", "body": b"bye"})
            seen.append(await asyncio.wait_for(waiter, 5))  # fail, do not hang
            seen.append(await asyncio.wait_for(receive(), 5))

        assert serve(app) == text_result("bye")
        assert seen == [
            {"type": "http.request", "body": b"", "more_body": False},
            False,
            {"type": "http.disconnect"},
            {"type": "http.disconnect"},
        ]


async def raise_after_complete(scope: Scope, receive: Receive, send: Send) -> None:
    await send(START)
    await send({"type": "http.response.body", "body": b"sent"})
    msg = "cleanup failed"
    raise RuntimeError(msg)


class TestErrors:
    def test_error_after_completion_still_responds_and_logs(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="lambdash")
        assert serve(raise_after_complete) == text_result("sent")
        assert records(caplog) == [
            (
                "lambdash",
                logging.ERROR,
                "the ASGI app raised after completing its response",
            )
        ]
        exc_info = caplog.records[0].exc_info
        assert exc_info is not None
        assert str(exc_info[1]) == "cleanup failed"

    @pytest.mark.parametrize(
        "messages", [[], [START]], ids=["before-start", "after-start"]
    )
    def test_error_before_completion_is_reraised_and_logged_once(
        self, messages: list[Message], caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="lambdash")
        error = KeyError("missing")

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await sending(*messages)(scope, receive, send)
            raise error

        with pytest.raises(KeyError) as raised:
            serve(app)
        assert raised.value is error
        assert records(caplog) == [
            (
                "lambdash",
                logging.ERROR,
                f"the app raised on GET /Prod/x (request id {REQUEST_ID})",
            )
        ]

    def test_error_before_completion_answers_500_when_asked(self) -> None:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await send(START)
            msg = "half way"
            raise RuntimeError(msg)

        assert serve(app, on_error="respond") == {
            "statusCode": 500,
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": "Internal Server Error",
            "isBase64Encoded": False,
        }


class Counts:
    def __init__(self) -> None:
        self.startup = 0
        self.shutdown = 0


def counting_starlette(counts: Counts) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        counts.startup += 1
        yield
        counts.shutdown += 1

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse("home")

    return Starlette(routes=[Route("/x", home)], lifespan=lifespan)


async def http_only(scope: Scope, receive: Receive, send: Send) -> None:
    """A raw app that rejects the lifespan scope, as many minimal apps do."""
    if scope["type"] != "http":
        msg = f"unsupported scope type {scope['type']}"
        raise ValueError(msg)
    await send(START)
    await send({"type": "http.response.body", "body": b"http only"})


def lifespan_app(
    on_startup: list[Message], on_shutdown: list[Message] | None = None
) -> ASGIApp:
    """A raw app that answers lifespan.startup with *on_startup* and shutdown with *on_shutdown*."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await send(START)
            await send({"type": "http.response.body", "body": b"up"})
            return
        while True:
            message = await receive()
            replies = (
                on_startup
                if message["type"] == "lifespan.startup"
                else on_shutdown or [{"type": "lifespan.shutdown.complete"}]
            )
            for reply in replies:
                await send(reply)
            if message["type"] == "lifespan.shutdown":
                return

    return app


class TestLifespan:
    def test_startup_runs_once_per_handler(self) -> None:
        counts = Counts()
        handler = make_handler(counting_starlette(counts))
        assert counts.startup == 1
        results = [handler(rest_event(path="/x"), FakeContext()) for _ in range(3)]
        assert (
            results
            == [
                {
                    "statusCode": 200,
                    "multiValueHeaders": {
                        "content-type": ["text/plain; charset=utf-8"]
                    },
                    "body": "home",
                    "isBase64Encoded": False,
                }
            ]
            * 3
        )
        assert (counts.startup, counts.shutdown) == (1, 0)

    def test_shutdown_runs_on_close_once(self) -> None:
        counts = Counts()
        handler = make_handler(counting_starlette(counts), lifespan="on")
        handler(rest_event(path="/x"), FakeContext())
        assert (counts.startup, counts.shutdown) == (1, 0)
        handler.close()
        assert (counts.startup, counts.shutdown) == (1, 1)
        handler.close()
        assert (counts.startup, counts.shutdown) == (1, 1)
        assert runner_loop(handler).is_closed()

    def test_a_closed_handler_says_so(self) -> None:
        handler = make_handler(counting_starlette(Counts()))
        handler.close()
        with pytest.raises(LifespanError) as raised:
            handler(rest_event(path="/x"), FakeContext())
        assert str(raised.value) == (
            "this handler was closed, and its ASGI app shut down; make a new one with make_handler"
        )

    def test_shutdown_never_runs_from_the_garbage_collector(self) -> None:
        # A shutdown run by the collector runs inside whatever code allocates at that moment:
        # on CPython 3.11 an ast.parse elsewhere failed with SystemError.
        counts = Counts()
        handler = make_handler(counting_starlette(counts), lifespan="on")
        runner = weakref.ref(runner_of(handler))
        cycle: list[Any] = [handler]
        cycle.append(cycle)
        del handler, cycle
        gc.collect()
        assert (counts.startup, counts.shutdown) == (1, 0)
        alive = runner()
        assert alive is not None
        alive.close()
        assert (counts.startup, counts.shutdown) == (1, 1)

    def test_wsgi_handlers_close_too(self) -> None:
        handler = make_handler(echo_wsgi)
        handler.close()
        assert handler(rest_event(path="/x"), FakeContext())["statusCode"] == 200

    def test_lifespan_state_reaches_requests(self) -> None:
        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
            yield {"x": 1}

        app = FastAPI(lifespan=lifespan)

        @app.get("/state")
        async def state(request: FastAPIRequest) -> dict[str, int]:
            return {"x": request.state.x}

        result = serve(app, rest_event(path="/state"), lifespan="on")
        assert result == {
            "statusCode": 200,
            "multiValueHeaders": {"content-type": ["application/json"]},
            "body": '{"x":1}',
            "isBase64Encoded": False,
        }

    def test_request_state_is_a_copy_per_request(self) -> None:
        seen: list[dict[str, Any]] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "lifespan":
                await receive()
                scope["state"]["shared"] = 1
                await send({"type": "lifespan.startup.complete"})
                await receive()
                await send({"type": "lifespan.shutdown.complete"})
                return
            seen.append(dict(scope["state"]))
            scope["state"]["per_request"] = True
            await sending(START, {"type": "http.response.body"})(scope, receive, send)

        handler = make_handler(app, lifespan="on")
        for _ in range(2):
            handler(rest_event(path="/x"), FakeContext())
        assert seen == [{"shared": 1}, {"shared": 1}]

    def test_off_never_runs_startup(self) -> None:
        counts = Counts()
        handler = make_handler(counting_starlette(counts), lifespan="off")
        handler(rest_event(path="/x"), FakeContext())
        handler.close()
        assert (counts.startup, counts.shutdown) == (0, 0)

    def test_auto_serves_an_app_that_rejects_lifespan(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="lambdash")
        assert serve(http_only, lifespan="auto") == text_result("http only")
        assert records(caplog) == [
            (
                "lambdash",
                logging.DEBUG,
                "ASGI lifespan unsupported by the app; continuing without it",
            )
        ]

    def test_on_requires_lifespan_support(self) -> None:
        with pytest.raises(LifespanError) as raised:
            make_handler(http_only, lifespan="on")
        assert str(raised.value) == (
            "the ASGI app finished its lifespan task without completing startup"
        )
        assert str(raised.value.__cause__) == "unsupported scope type lifespan"

    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_startup_failed(self, mode: Any) -> None:
        app = lifespan_app(
            [{"type": "lifespan.startup.failed", "message": "no database"}]
        )
        with pytest.raises(LifespanError) as raised:
            make_handler(app, lifespan=mode)
        assert str(raised.value) == "ASGI lifespan startup failed: no database"

    def test_startup_failed_without_message(self) -> None:
        app = lifespan_app([{"type": "lifespan.startup.failed"}])
        with pytest.raises(LifespanError) as raised:
            make_handler(app, lifespan="on")
        assert str(raised.value) == "ASGI lifespan startup failed: "

    def test_wrong_lifespan_message_fails_startup(self) -> None:
        app = lifespan_app([{"type": "lifespan.bogus"}])
        with pytest.raises(LifespanError) as raised:
            make_handler(app, lifespan="on")
        assert str(raised.value) == (
            "the ASGI app finished its lifespan task without completing startup"
        )
        assert isinstance(raised.value.__cause__, AppProtocolError)
        assert str(raised.value.__cause__) == (
            "the ASGI app sent 'lifespan.bogus' out of order on the lifespan protocol"
        )

    def test_second_startup_complete_is_an_error(self) -> None:
        errors: list[str] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                await sending(START, {"type": "http.response.body"})(
                    scope, receive, send
                )
                return
            await receive()
            await send({"type": "lifespan.startup.complete"})
            try:
                await send({"type": "lifespan.startup.complete"})
            except AppProtocolError as exc:
                errors.append(str(exc))
            await receive()
            await send({"type": "lifespan.shutdown.complete"})

        handler = make_handler(app, lifespan="on")
        assert handler(rest_event(path="/x"), FakeContext()) == text_result("")
        assert errors == [
            "the ASGI app sent 'lifespan.startup.complete' out of order on the lifespan protocol"
        ]

    def test_shutdown_failure_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.DEBUG, logger="lambdash")
        app = lifespan_app(
            [{"type": "lifespan.startup.complete"}],
            [{"type": "lifespan.shutdown.failed", "message": "flush failed"}],
        )
        handler = make_handler(app, lifespan="on")
        assert handler(rest_event(path="/x"), FakeContext()) == text_result("up")
        handler.close()
        assert records(caplog) == [
            ("lambdash", logging.ERROR, "ASGI lifespan shutdown failed")
        ]
        exc_info = caplog.records[0].exc_info
        assert exc_info is not None
        assert isinstance(exc_info[1], LifespanError)
        assert str(exc_info[1]) == "ASGI lifespan shutdown failed: flush failed"

    def test_shutdown_does_not_wait_for_a_finished_lifespan_task(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setattr(lambdash._asgi, "_LIFESPAN_SHUTDOWN_TIMEOUT", 1.0)
        caplog.set_level(logging.DEBUG, logger="lambdash")

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                await sending(START, {"type": "http.response.body"})(
                    scope, receive, send
                )
                return
            await receive()
            await send({"type": "lifespan.startup.complete"})

        handler = make_handler(app, lifespan="on")
        started = time.monotonic()
        handler.close()
        assert time.monotonic() - started < 0.5
        assert records(caplog) == []

    def test_shutdown_gives_up_after_the_timeout(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setattr(lambdash._asgi, "_LIFESPAN_SHUTDOWN_TIMEOUT", 0.2)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await asyncio.sleep(60)  # never confirms the shutdown

        handler = make_handler(app, lifespan="on")
        started = time.monotonic()
        handler.close()
        assert time.monotonic() - started < 5
        assert records(caplog) == [
            (
                "lambdash",
                logging.WARNING,
                "ASGI lifespan shutdown did not finish within 0.2 s",
            )
        ]

    def test_close_during_another_handlers_invocation(self) -> None:
        counts = Counts()
        other = make_handler(counting_starlette(counts), lifespan="on")

        async def closing(scope: Scope, receive: Receive, send: Send) -> None:
            other.close()  # another runner's loop is running in this thread
            await sending(START, {"type": "http.response.body", "body": b"b"})(
                scope, receive, send
            )

        assert serve(closing) == text_result("b")
        assert (counts.startup, counts.shutdown) == (1, 1)
        assert runner_loop(other).is_closed()

    def test_close_from_inside_its_own_invocation_is_skipped(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        handlers: list[Any] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            handlers[0].close()
            await sending(START, {"type": "http.response.body", "body": b"b"})(
                scope, receive, send
            )

        handlers.append(make_handler(app, lifespan="off"))
        assert handlers[0](rest_event(path="/x"), FakeContext()) == text_result("b")
        assert records(caplog) == [
            (
                "lambdash",
                logging.WARNING,
                "close() was called while the handler serves a request; call it between invocations",
            )
        ]
        handlers[0].close()
        assert runner_loop(handlers[0]).is_closed()


LIFESPAN_SCRIPT = """
import signal, sys, time
from contextlib import asynccontextmanager
from starlette.applications import Starlette
from lambdash import make_handler

stopped = []

@asynccontextmanager
async def lifespan(app):
    print("startup", flush=True)
    yield
    print("shutdown", flush=True)
    stopped.append("shutdown")

def previous(signum, frame):
    print("previous handler", flush=True)

mode = sys.argv[1]
# The runtime's own SIGTERM disposition, which lambdash chains to.
if mode == "default":
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
elif mode == "ignored":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
elif mode == "chained":
    signal.signal(signal.SIGTERM, previous)
handler = make_handler(Starlette(lifespan=lifespan), lifespan="on")
print("ready", flush=True)
if mode != "exit":
    deadline = time.monotonic() + 30
    while not stopped and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    print("not stopped" if stopped else "timed out", flush=True)
"""


def run_lifespan_script(tmp_path: Path, mode: str) -> tuple[int, list[str], str]:
    """Run LIFESPAN_SCRIPT in a fresh interpreter; unless *mode* is "exit", send it SIGTERM.

    Returns the exit code, the lines it printed and its stderr.
    """
    script = tmp_path / "app.py"
    script.write_text(LIFESPAN_SCRIPT)
    errors = tmp_path / "stderr.txt"
    with (
        errors.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, str(script), mode],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as process,
    ):
        assert process.stdout is not None
        lines = [process.stdout.readline().strip(), process.stdout.readline().strip()]
        if mode != "exit":
            process.send_signal(signal.SIGTERM)
        lines += process.stdout.read().split("\n")
        code = process.wait(timeout=20)
    return code, [line for line in lines if line], errors.read_text()


class TestShutdownPoints:
    """Lifespan shutdown runs at interpreter exit and on Lambda's SIGTERM, in a real interpreter."""

    def test_at_interpreter_exit(self, tmp_path: Path) -> None:
        assert run_lifespan_script(tmp_path, "exit") == (
            0,
            ["startup", "ready", "shutdown"],
            "",
        )

    def test_on_sigterm_then_ended(self, tmp_path: Path) -> None:
        # With SIGTERM's default disposition before, the process ends with 128 + SIGTERM.
        assert run_lifespan_script(tmp_path, "default") == (
            128 + signal.SIGTERM,
            ["startup", "ready", "shutdown"],
            "",
        )

    def test_on_sigterm_then_the_previous_handler(self, tmp_path: Path) -> None:
        # The previous handler returns, so the process goes on, and exits without a second
        # shutdown at interpreter exit.
        assert run_lifespan_script(tmp_path, "chained") == (
            0,
            ["startup", "ready", "shutdown", "previous handler", "not stopped"],
            "",
        )

    def test_on_sigterm_that_was_ignored(self, tmp_path: Path) -> None:
        assert run_lifespan_script(tmp_path, "ignored") == (
            0,
            ["startup", "ready", "shutdown", "not stopped"],
            "",
        )

    def test_made_outside_the_main_thread(self) -> None:
        # Only the main thread may set signal handlers; elsewhere atexit and close() remain.
        before = signal.getsignal(signal.SIGTERM)
        counts = Counts()
        made: list[Any] = []
        thread = threading.Thread(
            target=lambda: made.append(make_handler(counting_starlette(counts)))
        )
        thread.start()
        thread.join()
        assert signal.getsignal(signal.SIGTERM) is before
        made[0].close()
        assert (counts.startup, counts.shutdown) == (1, 1)


class TestFastAPI:
    @pytest.fixture
    def handler(self) -> Any:
        app = FastAPI()

        @app.get("/items/{name}")
        async def item(name: str) -> dict[str, str]:
            return {"name": name}

        @app.get("/search")
        async def search(q: str, n: int) -> dict[str, Any]:
            return {"q": q, "n": n}

        @app.post("/echo")
        async def echo(payload: dict[str, int]) -> dict[str, int]:
            return payload

        @app.get("/login")
        async def login(response: FastAPIResponse) -> dict[str, str]:
            response.set_cookie("session", "abc")
            response.set_cookie("theme", "dark", httponly=True)
            return {"ok": "yes"}

        @app.get("/urls")
        async def urls(request: FastAPIRequest) -> dict[str, str]:
            return {
                "base_url": str(request.base_url),
                "url_for": str(request.url_for("item", name="x")),
            }

        return make_handler(app)

    def json_result(self, body: str) -> dict[str, Any]:
        return {
            "statusCode": 200,
            "multiValueHeaders": {"content-type": ["application/json"]},
            "body": body,
            "isBase64Encoded": False,
        }

    def test_utf8_path_parameter(self, handler: Any) -> None:
        result = handler(rest_event(path="/items/caf%C3%A9"), FakeContext())
        assert result == self.json_result('{"name":"caf\u00e9"}')

    def test_query_parameters(self, handler: Any) -> None:
        event = rest_event(path="/search", query=[("q", "a b&c"), ("n", "3")])
        result = handler(event, FakeContext())
        assert result == self.json_result('{"q":"a b&c","n":3}')

    def test_json_body_from_a_base64_event(self, handler: Any) -> None:
        event = http_v2_event(
            method="POST",
            path="/echo",
            headers=[("content-type", "application/json")],
            body=b'{"a":1}',
            binary=True,
        )
        assert handler(event, FakeContext()) == {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": '{"a":1}',
            "isBase64Encoded": False,
        }

    def test_cookies_reach_the_v2_cookies_list(self, handler: Any) -> None:
        assert handler(http_v2_event(path="/login"), FakeContext()) == {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "cookies": [
                "session=abc; Path=/; SameSite=lax",
                "theme=dark; HttpOnly; Path=/; SameSite=lax",
            ],
            "body": '{"ok":"yes"}',
            "isBase64Encoded": False,
        }

    def test_urls_include_the_stage(self, handler: Any) -> None:
        result = handler(rest_event(path="/urls"), FakeContext())
        assert json.loads(result["body"]) == {
            "base_url": f"https://{EXECUTE_API_HOST}/Prod/",
            "url_for": f"https://{EXECUTE_API_HOST}/Prod/items/x",
        }


class TestInterface:
    def test_asgi_forces_an_app_that_looks_like_wsgi(self) -> None:
        raw = sending(START, {"type": "http.response.body", "body": b"asgi"})

        def app(scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
            return raw(scope, receive, send)

        assert not inspect.iscoroutinefunction(app)
        assert serve(app, interface="asgi") == text_result("asgi")

    def test_wsgi_forces_an_app_that_looks_like_asgi(self) -> None:
        async def never(*args: object) -> None:
            raise AssertionError

        class LooksAsync(functools.partial[Awaitable[None]]):
            """A WSGI app that inspect takes for a coroutine function (it unwraps partials)."""

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                environ: WSGIEnvironment = args[0]
                start_response: StartResponse = args[1]
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [environ["REQUEST_METHOD"].encode()]

        app = LooksAsync(never)
        assert inspect.iscoroutinefunction(app)
        assert serve(app, interface="wsgi") == {
            "statusCode": 200,
            "multiValueHeaders": {"Content-Type": ["text/plain"]},
            "body": "GET",
            "isBase64Encoded": False,
        }

    def test_auto_detects_asgi_instances_and_functions(self) -> None:
        class Instance:
            async def __call__(
                self, scope: Scope, receive: Receive, send: Send
            ) -> None:
                await sending(START, {"type": "http.response.body", "body": b"obj"})(
                    scope, receive, send
                )

        assert serve(Instance()) == text_result("obj")
        assert serve(sending(START, {"type": "http.response.body"})) == text_result("")
