"""The gateway over real HTTP with real worker processes: round trips, and running like Lambda."""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.client
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from lambdash.local import GatewayConfig
from lambdash.local import GatewayServer
from lambdash.local import LocalGateway
from lambdash.local import RunningGateway
from lambdash.local import Target
from lambdash.local import TargetError
from lambdash.local import WorkerPool
from lambdash.local import running_gateway
from lambdash.local._model import Gateway
from lambdash.local._target import Kind

APPS = str(Path(__file__).parent / "apps")


def request(
    gw: RunningGateway,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """*path* is relative to the app's URL; returns status, headers and body bytes."""
    url = urlsplit(gw.url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        connection.request(
            method, url.path.rstrip("/") + path, body=body, headers=headers or {}
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


# ALB's single-value mode keeps only the last of repeated query keys, as on AWS, so the round
# trip runs in multi-value mode.
@pytest.fixture(scope="module", params=["rest", "http", "alb", "url"])
def echo_gateway(request: pytest.FixtureRequest) -> Iterator[RunningGateway]:
    gateway: Gateway = request.param
    config = GatewayConfig(
        gateway=gateway, workers=2, multi_value_headers=gateway == "alb"
    )
    with running_gateway(Target(spec="echo_app:app", code_dir=APPS), config) as gw:
        yield gw


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


header_values = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40
)
query_pairs = st.lists(
    st.tuples(
        st.text(
            st.characters(codec="utf-8", exclude_characters="\x00"),
            min_size=1,
            max_size=8,
        ),
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
    ),
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.binary(max_size=4096),
    values=st.lists(header_values, min_size=1, max_size=3),
    pairs=query_pairs,
)
def test_bytes_headers_and_queries_round_trip(
    echo_gateway: RunningGateway,
    body: bytes,
    values: list[str],
    pairs: list[tuple[str, str]],
) -> None:
    from urllib.parse import urlencode

    query = urlencode(pairs)
    headers = {f"X-Test-{i}": value for i, value in enumerate(values)}
    headers["Content-Type"] = "application/octet-stream"
    status, received, echoed = request(
        echo_gateway, "POST", f"/round/trip?{query}", body=body, headers=headers
    )
    assert (status, echoed) == (200, body)
    assert {
        k.lower(): v for k, v in received.items() if k.lower().startswith("x-echo-test")
    } == {f"x-echo-test-{i}": value for i, value in enumerate(values)}
    # Multi-value maps group values by key, so only the order within each key survives on AWS.
    assert grouped(
        parse_qsl(received["X-Echo-Query"], keep_blank_values=True)
    ) == grouped(pairs)
    prefix = "/Prod" if echo_gateway.gateway.config.gateway == "rest" else ""
    assert received["X-Echo-Path"] == f"{prefix}|/round/trip"


@pytest.fixture(scope="module")
def handlers_gateway() -> Iterator[Callable[..., RunningGateway]]:
    with contextlib.ExitStack() as stack:

        def start(
            spec: str, *, kind: Kind = "handler", **config: object
        ) -> RunningGateway:
            settings: dict[str, Any] = {"workers": 2, "timeout": 5.0, **config}
            return stack.enter_context(
                running_gateway(
                    Target(spec=spec, kind=kind, code_dir=APPS),
                    GatewayConfig(**settings),
                )
            )

        yield start


def test_context_and_environment_are_lambdas(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway("handlers:ok", memory_size=256)
    assert request(gw, "GET", "/")[2] == b"lambdash-local 256 True lambdash-local"


def test_each_invocation_logs_start_end_and_report(
    handlers_gateway: Callable[..., RunningGateway], caplog: pytest.LogCaptureFixture
) -> None:
    gw = handlers_gateway("handlers:pid", workers=1)
    with caplog.at_level(logging.INFO, logger="lambdash.local"):
        request(gw, "GET", "/a")
        request(gw, "GET", "/b")
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.getMessage().startswith(("START", "END", "REPORT"))
    ]
    assert [line.split(" ")[0] for line in lines] == [
        "START",
        "END",
        "REPORT",
        "START",
        "END",
        "REPORT",
    ]
    assert re.fullmatch(
        r"REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms",
        lines[2],
    ), lines[2]
    # Only the cold start reports its init phase.
    assert "Init Duration" not in lines[5]


def _wait_for_exit(pid: int) -> None:
    """Wait until *pid* is a zombie or gone, so that the pool sees it dead."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)
    msg = f"process {pid} did not exit"
    raise AssertionError(msg)


def test_an_idle_worker_killed_from_outside_is_replaced(
    handlers_gateway: Callable[..., RunningGateway], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="lambdash.local")
    gw = handlers_gateway("handlers:pid", workers=1)
    first = request(gw, "GET", "/")
    assert first[0] == 200
    os.kill(int(first[2]), signal.SIGKILL)
    _wait_for_exit(int(first[2]))
    status, _, body = request(gw, "GET", "/")
    assert status == 200
    assert body != first[2]
    assert "an idle worker exited (exit code -9); starting a new one" in caplog.text


def test_a_worker_dying_after_the_check_gives_an_exit_error() -> None:
    # The race the liveness check in invoke cannot close: the worker dies just before the
    # event is sent to it, and the send finds a broken pipe.
    pool = WorkerPool(Target(spec="handlers:pid", code_dir=APPS), size=1)
    try:
        pool.start()
        worker = pool._idle[0]
        worker.process.kill()
        worker.process.join(timeout=30)
        outcome = pool._run(worker, "request-1", "{}", None, None)
    finally:
        pool.close()
    assert (
        outcome.error
        == "Runtime.ExitError: the function's process exited (exit code -9)"
    )


def test_concurrent_requests_use_several_workers_up_to_the_cap(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway("handlers:pid", workers=3)
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        pids = list(pool.map(lambda _: request(gw, "GET", "/?sleep=0.5")[2], range(6)))
    assert len(set(pids)) == 3


def test_a_crashed_worker_is_replaced(
    handlers_gateway: Callable[..., RunningGateway], caplog: pytest.LogCaptureFixture
) -> None:
    gw = handlers_gateway("handlers:crash", workers=1)
    first = request(gw, "GET", "/")[2]
    status, _, body = request(gw, "GET", "/?crash=1")
    assert (status, body) == (502, b'{"message":"Internal server error"}')
    assert (
        "Runtime.ExitError: the function's process exited (exit code 3)" in caplog.text
    )
    again = request(gw, "GET", "/")
    assert again[0] == 200
    assert again[2] != first


def test_function_timeout_gives_502_and_a_fresh_worker(
    handlers_gateway: Callable[..., RunningGateway], caplog: pytest.LogCaptureFixture
) -> None:
    gw = handlers_gateway("handlers:slow", timeout=1.0, workers=1)
    status, _, body = request(gw, "GET", "/")
    assert (status, body) == (502, b'{"message":"Internal server error"}')
    assert re.search(
        r"the function failed: Task timed out after 1\.\d\d seconds", caplog.text
    )


def test_integration_timeout_gives_504(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway(
        "handlers:slow", timeout=10.0, integration_timeout=1.0, workers=1
    )
    assert request(gw, "GET", "/")[:3:2] == (
        504,
        b'{"message":"Endpoint request timed out"}',
    )


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        pytest.param(
            "handlers:not_json",
            "TypeError: Object of type bytes is not JSON serializable",
            id="not-json",
        ),
        pytest.param("handlers:raises", "ValueError: the function broke", id="raises"),
    ],
)
def test_function_errors_give_502_with_the_reason(
    handlers_gateway: Callable[..., RunningGateway],
    caplog: pytest.LogCaptureFixture,
    spec: str,
    reason: str,
) -> None:
    gw = handlers_gateway(spec, workers=1)
    status, _, body = request(gw, "GET", "/x")
    assert (status, body) == (502, b'{"message":"Internal server error"}')
    assert f"GET /Prod/x -> 502: the function failed: {reason}" in caplog.messages


def test_import_errors_surface_when_the_gateway_starts() -> None:
    with pytest.raises(
        TargetError,
        match=r"^importing 'broken_import' raised ImportError: no module named 'dash_bootstrap_components'$",
    ):
        running_gateway(Target(spec="broken_import:app", code_dir=APPS)).__enter__()


def test_ambiguous_target_asks_for_handler_flag() -> None:
    with pytest.raises(
        TargetError,
        match=r"cannot tell whether 'handlers:ambiguous' is a Lambda handler .* pass --handler",
    ):
        running_gateway(Target(spec="handlers:ambiguous", code_dir=APPS)).__enter__()


def test_pytest_fixture_serves_an_app(
    lambdash_gateway: Callable[..., RunningGateway],
) -> None:
    gw = lambdash_gateway("echo_app:app", code_dir=APPS, gateway="http", stage="beta")
    status, headers, body = request(
        gw, "POST", "/p?q=1", body=b"\x00\xff", headers={"Content-Type": "image/png"}
    )
    assert (gw.url.endswith("/beta/"), status, headers["X-Echo-Path"], body) == (
        True,
        200,
        "/beta|/p",
        b"\x00\xff",
    )


def test_binary_request_is_base64_for_the_function(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway("echo_app:app", kind="app", binary_media_types=("image/png",))
    assert (
        request(
            gw,
            "POST",
            "/",
            body=b"\x89PNG",
            headers={"Content-Type": "image/png", "Accept": "image/png"},
        )[2]
        == b"\x89PNG"
    )
    # Not in BinaryMediaTypes: API Gateway passes the body as UTF-8 text, damaging non-UTF-8 bytes.
    damaged = request(
        gw,
        "POST",
        "/",
        body=b"\xff\xfe",
        headers={"Content-Type": "application/x-thing", "Accept": "image/png"},
    )[2]
    assert damaged == "\ufffd\ufffd".encode()


class _SocketRecorder(GatewayServer):
    """The gateway's server, noting the TCP_NODELAY flag of each connection as it closes."""

    def __init__(self, gateway: LocalGateway) -> None:
        super().__init__(gateway, host="127.0.0.1", port=0)
        self.nodelay: list[int] = []
        self.closed = threading.Event()

    def shutdown_request(self, request: Any) -> None:
        self.nodelay.append(request.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        self.closed.set()
        super().shutdown_request(request)


def test_connections_do_not_wait_for_delayed_acks() -> None:
    # With Nagle's algorithm on, every keep-alive response waited ~40 ms for the client's
    # delayed ACK before its last segment left.
    with contextlib.ExitStack() as stack:
        pool = WorkerPool(Target(spec="echo_app:app", code_dir=APPS), size=1)
        stack.callback(pool.close)
        pool.start()
        server = _SocketRecorder(LocalGateway(GatewayConfig(), pool))
        stack.callback(server.server_close)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        stack.callback(server.shutdown)
        connection = http.client.HTTPConnection(
            "127.0.0.1", server.server_port, timeout=60
        )
        for _ in range(2):
            connection.request("GET", "/Prod/keep-alive")
            assert connection.getresponse().read() == b""
        connection.close()
        assert server.closed.wait(timeout=60)
    assert server.nodelay == [1]


def test_a_burst_of_connections_waits_in_the_listen_queue() -> None:
    # A page's scripts arrive on many connections at once. Beyond the listen backlog the kernel
    # drops the SYN, and the browser retries it a second later.
    pool = WorkerPool(Target(spec="echo_app:app", code_dir=APPS))
    server = GatewayServer(LocalGateway(GatewayConfig(), pool), port=0)
    try:
        # Nothing accepts here, so each connection the kernel completes stays queued; the
        # timeout turns a dropped SYN into a failure instead of a hang.
        with contextlib.ExitStack() as stack:
            connected = [
                stack.enter_context(
                    socket.create_connection(
                        ("127.0.0.1", server.server_port), timeout=10
                    )
                )
                for _ in range(40)
            ]
            assert len(connected) == 40
    finally:
        server.server_close()


def test_expect_100_continue_is_answered_before_the_body_is_sent(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway("echo_app:app", kind="app")
    url = urlsplit(gw.url)
    head = (
        f"POST {url.path}upload HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 5\r\n"
        "Expect: 100-continue\r\n\r\n"
    )
    # The timeout only turns a server that holds the 100 back into a failure, not a hang.
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head.encode())
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            chunk = sock.recv(1)
            assert chunk, interim
            interim += chunk
        sock.sendall(b"\x00body")
        response = http.client.HTTPResponse(sock)
        response.begin()
        final = (response.status, response.read())
    assert (interim, final) == (b"HTTP/1.1 100 Continue\r\n\r\n", (200, b"\x00body"))


def test_a_chunked_request_is_refused_with_411(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway("echo_app:app", kind="app")
    url = urlsplit(gw.url)
    # The whole chunked request in one send: the gateway answers 411 and closes as soon as it
    # reads the headers, and a body sent after that answer would meet a closed socket.
    request = (
        f"POST {url.path}upload HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n0\r\n\r\n"
    )
    received = b""
    with socket.create_connection((url.hostname, url.port), timeout=60) as sock:
        sock.sendall(request.encode())
        while chunk := sock.recv(65536):
            received += chunk
    head = received.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    assert (head[0], "Connection: close" in head) == (
        "HTTP/1.1 411 Length Required",
        True,
    )


def test_head_answers_with_the_get_headers_and_no_body(
    handlers_gateway: Callable[..., RunningGateway],
) -> None:
    gw = handlers_gateway("handlers:ok")
    url = urlsplit(gw.url)
    # Pipelined on one connection: a body sent after the HEAD's headers would show up in the
    # byte stream between the two answers.
    requests = (
        f"HEAD {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n"
        f"GET {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n"
    )
    received = b""
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(requests.encode())
        while chunk := sock.recv(65536):
            received += chunk
    end = received.index(b"\r\n\r\n") + 4
    head, get = received[:end], received[end:]
    body = b"lambdash-local 512 True lambdash-local"
    assert (
        head.split(b"\r\n")[0],
        f"Content-Length: {len(body)}".encode() in head,
    ) == (
        b"HTTP/1.1 200 OK",
        True,
    )
    assert (get.split(b"\r\n")[0], get.endswith(b"\r\n\r\n" + body)) == (
        b"HTTP/1.1 200 OK",
        True,
    )
