"""Adapter overhead: lambdash and the peer adapters, per invocation, in one process.

Run from the repository root::

    make bench  (or: .venv-bench/bin/pip install -e ".[test]" -r benchmarks/requirements.txt)
    .venv-bench/bin/python benchmarks/adapters.py [--quick]

Every cell is the median, over 21 batches (7 with ``--quick``), of the mean time of one invocation
in a batch. The batches of one row run interleaved (one batch of each contender per round, in a
rotating order), so drift on a noisy machine hits every contender alike, and the ratios are
medians of per-round ratios. Events and contexts are built
once, outside the timing, with the test suite's own factories (tests/events.py), and each
contender gets its own copy. Before timing, each result is decoded the way the front door
would (``tests.events.delivered``) and compared with the bytes the app produced; a peer that
raises or returns other bytes is reported as such and not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import datetime
import functools
import gc
import io
import json
import logging
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse
from wsgiref.types import WSGIApplication
from wsgiref.types import WSGIEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import apig_wsgi  # noqa: E402
import awsgi  # type: ignore[import-untyped]  # noqa: E402
import serverless_wsgi  # type: ignore[import-untyped]  # noqa: E402
from a2wsgi import WSGIMiddleware  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from flask import Flask  # noqa: E402
from mangum import Mangum  # noqa: E402
from tests.events import alb_event  # noqa: E402
from tests.events import delivered  # noqa: E402
from tests.events import http_v2_event  # noqa: E402
from tests.events import rest_event  # noqa: E402

from lambdash import make_handler  # noqa: E402

Event = dict[str, Any]
Invoke = Callable[[Event, Any], Any]
ASGIApp = Callable[..., Any]

PATH = "/hello"
# A few of the headers a browser sends, on top of the ones the factories add for the front door.
REQUEST_HEADERS = [
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Accept-Language", "en-GB,en;q=0.9"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) lambdash-bench/1.0"),
]
PEERS = ("aws-wsgi", "apig-wsgi", "serverless-wsgi", "mangum", "a2wsgi")
# What the front door accepts from Lambda, in bytes of result JSON: 6 MB for API Gateway and
# Function URLs, 1 MB for ALB (aws-semantics.md); a bigger result is answered with a 502.
LIMITS = {"REST v1": 6_291_556, "HTTP v2": 6_291_556, "ALB": 1_048_576}


class Context:
    """A stand-in for the Lambda context object."""

    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    memory_limit_in_mb = 1024
    aws_request_id = "3f1c6c1e-0d4b-4c8e-9a57-6f0e1c2b3a4d"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


# --- the apps -------------------------------------------------------------------------------


def static_app(body: bytes, content_type: str) -> WSGIApplication:
    """A raw WSGI app that answers every request with *body*."""
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", list(headers))
        return [body]

    return app


def json_body(size: int) -> bytes:
    """A JSON array of records, a little over *size* bytes."""
    rows: list[dict[str, Any]] = []
    text = b"[]"
    while len(text) < size:
        i = len(rows)
        rows.extend(
            {"id": j, "name": f"item-{j}", "value": j * 1.5, "tags": ["alpha", "beta"]}
            for j in range(i, i + 200)
        )
        text = json.dumps(rows).encode()
    return text


TEXT_20 = b"Hello from lambdash!"
JSON_100K = json_body(100 * 1024)
PNG_1M = b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(1024 * 1024 - 8)


def flask_app() -> WSGIApplication:
    app = Flask("bench")

    @app.get(PATH)
    def hello() -> str:
        return "Hello, World!"

    return app


def fastapi_app() -> ASGIApp:
    app = FastAPI()

    @app.get(PATH)
    async def hello() -> dict[str, Any]:
        return {"message": "Hello, World!", "ok": True}

    return app


@dataclass(frozen=True, kw_only=True, slots=True)
class Case:
    name: str
    wsgi: WSGIApplication | None = None
    asgi: ASGIApp | None = None
    binary: bool = False


CASES = (
    Case(name="WSGI 20 B text/plain", wsgi=static_app(TEXT_20, "text/plain")),
    Case(
        name="WSGI 100 KB JSON",
        wsgi=static_app(JSON_100K, "application/json"),
    ),
    Case(name="WSGI 1 MB PNG", wsgi=static_app(PNG_1M, "image/png"), binary=True),
    Case(name="Flask minimal", wsgi=flask_app()),
    Case(name="FastAPI minimal", asgi=fastapi_app()),
)

EVENTS: dict[str, Event] = {
    "REST v1": rest_event(path=PATH, headers=REQUEST_HEADERS),
    "HTTP v2": http_v2_event(path=PATH, headers=REQUEST_HEADERS),
    "ALB": alb_event(path=PATH, headers=REQUEST_HEADERS),
}


# --- the floor: the app called directly -----------------------------------------------------


def wsgi_environ() -> WSGIEnvironment:
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": "abc123def4.execute-api.eu-west-1.amazonaws.com",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "CONTENT_LENGTH": "0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "HTTP_HOST": "abc123def4.execute-api.eu-west-1.amazonaws.com",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_PORT": "443",
        "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7",
    }
    for name, value in REQUEST_HEADERS:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def wsgi_floor(app: WSGIApplication, *, binary: bool) -> Callable[[], bytes]:
    """The app called with a copy of a pre-built environ, its body collected (and base64'd)."""
    base = wsgi_environ()

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        return None

    def call() -> bytes:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(b"")
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        if binary:
            base64.b64encode(body).decode("ascii")
        return body

    return call


def asgi_floor(app: ASGIApp) -> Callable[[], bytes]:
    """The app called on a copy of a pre-built scope, in one reused event loop."""
    loop = asyncio.new_event_loop()
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": PATH,
        "raw_path": PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request_headers()
        ],
        "client": ("203.0.113.7", 0),
        "server": ("abc123def4.execute-api.eu-west-1.amazonaws.com", 443),
        "state": {},
    }

    async def cycle() -> bytes:
        chunks: list[bytes] = []
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:
                return {"type": "http.disconnect"}
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(dict(scope), receive, send)
        return b"".join(chunks)

    return lambda: loop.run_until_complete(cycle())


def request_headers() -> list[tuple[str, str]]:
    return [
        ("host", "abc123def4.execute-api.eu-west-1.amazonaws.com"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-port", "443"),
        ("x-forwarded-for", "198.51.100.1, 203.0.113.7"),
        *REQUEST_HEADERS,
    ]


# --- the adapters ---------------------------------------------------------------------------


def lambdash_adapter(case: Case) -> Invoke | None:
    return make_handler(case.wsgi if case.wsgi is not None else case.asgi)


def awsgi_adapter(case: Case) -> Invoke | None:
    app = case.wsgi
    if app is None:
        return None
    # The exact list of types aws-wsgi must base64; it only knows the ones it is told.
    types = {"image/png"}
    return lambda event, context: awsgi.response(
        app, event, context, base64_content_types=types
    )


def apig_adapter(case: Case) -> Invoke | None:
    return None if case.wsgi is None else apig_wsgi.make_lambda_handler(case.wsgi)


def apig_binary_adapter(case: Case) -> Invoke | None:
    if case.wsgi is None:
        return None
    return apig_wsgi.make_lambda_handler(case.wsgi, binary_support=True)


def serverless_adapter(case: Case) -> Invoke | None:
    app = case.wsgi
    if app is None:
        return None
    return lambda event, context: serverless_wsgi.handle_request(app, event, context)


def mangum_adapter(case: Case) -> Invoke | None:
    # WSGI apps go through a2wsgi, the usual bridge (a thread-pool hop per request).
    return Mangum(case.asgi if case.asgi is not None else WSGIMiddleware(case.wsgi))  # type: ignore[arg-type]


ADAPTERS: dict[str, Callable[[Case], Invoke | None]] = {
    "lambdash": lambdash_adapter,
    "aws-wsgi": awsgi_adapter,
    "apig-wsgi": apig_adapter,
    "apig-wsgi binary": apig_binary_adapter,
    "serverless-wsgi": serverless_adapter,
    "mangum": mangum_adapter,
}


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    batch_ns: int
    repeats: int


def verdict(invoke: Invoke, event: Event, expected: bytes, *, limit: int) -> str | None:
    """``None`` when the front door would deliver *expected* with a 200, else the cell text."""
    try:
        result = invoke(event, Context())
    except Exception as exc:
        return f"crash: {type(exc).__name__}"
    try:
        status, _, body = delivered(result)
        if status == 500 and body.startswith(b"Response too large: "):
            return "refused: over limit"
        size = len(json.dumps(result, ensure_ascii=False).encode())
    except Exception as exc:
        return f"bad result: {type(exc).__name__}"
    if size > limit:
        return "over limit: 502"
    if status != 200:
        return f"wrong status {status}"
    return None if body == expected else "wrong bytes"


def batch_size(call: Callable[[], object], batch_ns: int) -> int:
    """How many calls fill a batch of about *batch_ns*, after a short warm-up."""
    for _ in range(3):
        call()
    n = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(n):
            call()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= batch_ns // 8:
            return max(1, round(n * batch_ns / elapsed))
        n *= 2


def measure(
    calls: dict[str, Callable[[], object]], settings: Settings
) -> dict[str, list[float]]:
    """Per-call µs of each batch, the contenders' batches interleaved round by round."""
    sizes = {name: batch_size(call, settings.batch_ns) for name, call in calls.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for round_ in range(settings.repeats):
        gc.collect()
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            call, n = calls[name], sizes[name]
            start = time.perf_counter_ns()
            for _ in range(n):
                call()
            samples[name].append((time.perf_counter_ns() - start) / n / 1000)
    return samples


@dataclass(frozen=True, kw_only=True, slots=True)
class Row:
    case: Case
    event: str
    cells: dict[str, str]
    samples: dict[str, list[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])

    def ratio(self, name: str, other: str) -> float:
        """The median of the per-round ratios, which cancels drift between rounds."""
        pairs = zip(self.samples[name], self.samples[other], strict=True)
        return statistics.median(mine / theirs for mine, theirs in pairs)

    def excess(self, name: str, other: str) -> float:
        """The median of the per-round differences, in µs."""
        pairs = zip(self.samples[name], self.samples[other], strict=True)
        return statistics.median(mine - theirs for mine, theirs in pairs)


def run_row(case: Case, event_name: str, settings: Settings) -> Row:
    if case.wsgi is not None:
        floor = wsgi_floor(case.wsgi, binary=case.binary)
    else:
        assert case.asgi is not None
        floor = asgi_floor(case.asgi)
    expected = floor()
    calls: dict[str, Callable[[], object]] = {"floor": floor}
    cells: dict[str, str] = {}
    context = Context()
    for name, make in ADAPTERS.items():
        invoke = make(case)
        if invoke is None:
            cells[name] = "n/a"
            continue
        event = copy.deepcopy(EVENTS[event_name])
        problem = verdict(invoke, event, expected, limit=LIMITS[event_name])
        if problem is not None:
            cells[name] = problem
            continue
        calls[name] = functools.partial(invoke, event, context)
    samples = measure(calls, settings)
    for name, values in samples.items():
        cells[name] = fmt(statistics.median(values))
    return Row(case=case, event=event_name, cells=cells, samples=samples)


# --- reporting ------------------------------------------------------------------------------


def spread(values: list[float]) -> float:
    """The interquartile range of *values*, relative to their median."""
    q1, _, q3 = statistics.quantiles(values, n=4)
    return (q3 - q1) / statistics.median(values)


def fmt(us: float) -> str:
    return f"{us:,.1f}" if us < 1000 else f"{us:,.0f}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("| " + " | ".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + " |")
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    out: list[list[str]] = []
    for row in rows:
        peers = [name for name in row.samples if name not in ("floor", "lambdash")]
        best = min(peers, key=row.median) if peers else None
        peer = f"{best} {fmt(row.median(best))}" if best else "none correct"
        if "lambdash" not in row.samples:
            out.append(
                [row.case.name, row.event, row.cells["lambdash"], peer, "—", "—", "—"]
            )
            continue
        ours = row.median("lambdash")
        out.append(
            [
                row.case.name,
                row.event,
                fmt(ours),
                peer,
                f"{row.ratio('lambdash', best):.2f}x" if best else "—",
                f"{row.ratio('lambdash', 'floor'):.2f}x",
                fmt(row.excess("lambdash", "floor")),
            ]
        )
    header = [
        "case",
        "event",
        "lambdash µs",
        "fastest correct peer, µs",
        "lambdash / peer",
        "lambdash / floor",
        "lambdash - floor, µs",
    ]
    return table(header, out)


def versions() -> str:
    return ", ".join(f"{name} {metadata.version(name)}" for name in PEERS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="short batches (about 15 s in all)"
    )
    args = parser.parse_args(argv)
    settings = (
        Settings(batch_ns=8_000_000, repeats=7)
        if args.quick
        else Settings(batch_ns=40_000_000, repeats=21)
    )
    # No log output on the console: lambdash logs its refusal of a response over the limit.
    logging.disable(logging.CRITICAL)
    started = time.monotonic()
    rows = [run_row(case, event, settings) for case in CASES for event in EVENTS]
    spreads = sorted(spread(values) for row in rows for values in row.samples.values())

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick" if args.quick else "full"
    print("# Adapter overhead: µs per invocation (lower is better)")
    print()
    print(f"- date: {now}")
    print(
        f"- machine: {platform.platform()}; CPU: {cpu_model()}, {os.cpu_count()} CPUs"
    )
    print(f"- Python: {platform.python_implementation()} {platform.python_version()}")
    print(f"- peers: {versions()}")
    print(
        f"- mode: {mode}; each cell is the median of {settings.repeats} interleaved batches of "
        f"~{settings.batch_ns // 1_000_000} ms"
    )
    print()
    contenders = ["floor", *ADAPTERS]
    print(
        table(
            ["case", "event", *contenders],
            [[r.case.name, r.event, *(r.cells[c] for c in contenders)] for r in rows],
        )
    )
    print()
    print("## lambdash against the fastest correct peer and the floor")
    print()
    print(summary(rows))
    print()
    for note in NOTES:
        print(f"- {note}")
    print(
        f"- Noise: the interquartile range of a cell's batches is {statistics.median(spreads):.0%} "
        f"of its median for the median cell, {spreads[-1]:.0%} at worst. "
        f"Run time {time.monotonic() - started:.0f} s."
    )
    return 0


NOTES = (
    "floor: the app called directly on a copy of a pre-built environ with a fresh BytesIO, body "
    "collected; the 1 MB PNG floor also base64-encodes the body to a str; for FastAPI, the app called on "
    "a copy of a pre-built scope in one reused event loop.",
    "Ratios are medians of the per-round ratios (each round runs one batch of every contender), "
    "which cancels most of the drift of a noisy machine.",
    "Correctness first: each result is decoded as the front door would (base64 when "
    "isBase64Encoded) and compared with the app's bytes, and its status with 200; a result over "
    "the front door's payload limit (ALB 1 MiB, otherwise 6 MB of JSON) counts as a 502. "
    "Cells that are not numbers are not timed and not in the ratios.",
    "aws-wsgi gets base64_content_types={'image/png'}; it has no payload 2.0 support (KeyError "
    "'httpMethod'). apig-wsgi binary = make_lambda_handler(app, binary_support=True); by default "
    "binary support is off on REST v1.",
    "mangum runs WSGI apps through a2wsgi.WSGIMiddleware (a thread-pool hop per request) and, "
    "with its default lifespan='auto', runs lifespan startup and shutdown on every invocation "
    "(mangum #342). n/a = a WSGI-only adapter with an ASGI app.",
    "A 1 MB PNG is 1.4 MB once base64-encoded, over ALB's 1 MiB limit: lambdash refuses it "
    "(a 500 that says so); the peers return it and ALB would answer 502.",
)


if __name__ == "__main__":
    sys.exit(main())
