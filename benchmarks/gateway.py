"""The demo Dash app through ``lambdash serve`` versus Werkzeug's development server.

Run from the repository root::

    .venv-bench/bin/python benchmarks/gateway.py [--requests N] [--clients C]

Each server runs as its own process in examples/dash_app, as a developer starts it, listening on
127.0.0.1 only, with its request log going to a file:

(a) ``lambdash serve --workers 4``: the template's REST API (stage ``/Prod/``), its function in
    worker processes;
(b) Werkzeug's threaded development server running the app's Flask server.

The clients run in this process, so neither server shares an interpreter (and its GIL) with the
load it is measured under. Each server first gets a warm-up of 40 requests (index, layout,
dependencies) and one page load from the clients. Then:

1. latency: N GETs of ``_dash-layout`` from C keep-alive clients (p50, p99, throughput, errors);
2. page load: the index, then every same-origin ``<script src>`` and ``<link href>`` on it,
   fetched by 10 threads at once; repeated 20 times, the median is reported.

Every loop is bounded in count and stops after 120 s; what was done by then is reported.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import datetime
import gzip
import http.client
import itertools
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin
from urllib.parse import urlsplit

DEMO = Path(__file__).resolve().parents[1] / "examples" / "dash_app"
DEADLINE = 120.0  # seconds per loop
WORKERS = 4
LAMBDASH = [
    sys.executable,
    *("-m", "lambdash", "serve", "--port", "0", "--workers", str(WORKERS)),
]
# Werkzeug's server as `flask run` starts it, announcing its URL the way `lambdash serve` does.
WERKZEUG = [
    sys.executable,
    "-c",
    """
import sys
from werkzeug.serving import make_server
from app import app
server = make_server("127.0.0.1", 0, app.server, threaded=True)
print(f"Open http://127.0.0.1:{server.server_port}/", file=sys.stderr, flush=True)
server.serve_forever()
""",
]
WARMUP = 40
PAGE_LOADS = 20
PAGE_THREADS = 10
HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": "gzip",
    "User-Agent": "lambdash-benchmark",
}


@dataclasses.dataclass
class Load:
    """The outcome of one load run."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    elapsed: float = 0.0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


@dataclasses.dataclass
class PageLoads:
    """The outcome of the page-load runs."""

    times: list[float] = dataclasses.field(default_factory=list)
    resources: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Figures:
    """What one server scored."""

    load: Load
    pages: PageLoads


def connect(base_url: str) -> http.client.HTTPConnection:
    url = urlsplit(base_url)
    return http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    """One GET on a keep-alive connection: the status and the decoded body."""
    connection.request("GET", path, headers=HEADERS)
    response = connection.getresponse()
    body = response.read()
    if response.getheader("Content-Encoding", "") == "gzip":
        body = gzip.decompress(body)
    return response.status, body


def check(path: str, status: int, body: bytes) -> str:
    """An error message, or ``""`` for a 200 with a body."""
    if status != 200:
        return f"{path}: status {status}: {body[:200]!r}"
    if not body:
        return f"{path}: empty body"
    return ""


def client(
    base_url: str, paths: list[str], take: Callable[[], int | None], load: Load
) -> None:
    """One keep-alive client; reconnects after an error and records every outcome."""
    connection: http.client.HTTPConnection | None = None
    try:
        while (number := take()) is not None:
            path = paths[number % len(paths)]
            if connection is None:
                connection = connect(base_url)
            began = time.perf_counter()
            try:
                status, body = get(connection, path)
            except (OSError, http.client.HTTPException) as exc:
                error = f"{path}: {type(exc).__name__}: {exc}"
                connection.close()
                connection = None
            else:
                error = check(path, status, body)
            elapsed = time.perf_counter() - began
            with load.lock:
                load.latencies.append(elapsed)
                if error:
                    load.errors.append(error)
    except BaseException as exc:  # a thread must not die silently
        with load.lock:
            load.errors.append(f"client crashed: {type(exc).__name__}: {exc}")
    finally:
        if connection is not None:
            connection.close()


def run_load(base_url: str, paths: list[str], requests: int, clients: int) -> Load:
    """*requests* GETs, cycling through *paths*, from *clients* keep-alive clients."""
    load = Load()
    counter = itertools.count()
    counter_lock = threading.Lock()
    stop_at = time.monotonic() + DEADLINE

    def take() -> int | None:
        with counter_lock:
            number = next(counter)
        if number >= requests or time.monotonic() > stop_at:
            return None
        return number

    threads = [
        threading.Thread(
            target=client, args=(base_url, paths, take, load), name=f"client-{i}"
        )
        for i in range(clients)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE + 70)  # 60 s socket timeout, plus margin
    load.elapsed = time.perf_counter() - began
    if any(thread.is_alive() for thread in threads):
        load.errors.append("a client was still running at the deadline")
    return load


def page_resources(index_url: str, html: str) -> list[str]:
    """Every same-origin ``<script src>`` and ``<link href>`` of the page, as paths."""
    origin = urlsplit(index_url)
    found = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html)
    found += re.findall(r'<link\b[^>]*\bhref="([^"]+)"', html)
    paths: list[str] = []
    for ref in found:
        url = urlsplit(urljoin(index_url, ref.replace("&amp;", "&")))
        if (url.scheme, url.netloc) != (origin.scheme, origin.netloc):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def page_load(index_url: str) -> tuple[float, int, list[str]]:
    """One full page load: seconds, resources fetched, errors."""
    errors: list[str] = []
    local = threading.local()
    connections: list[http.client.HTTPConnection] = []
    lock = threading.Lock()

    def fetch(path: str) -> str:
        connection: http.client.HTTPConnection | None = getattr(
            local, "connection", None
        )
        if connection is None:
            connection = connect(index_url)
            local.connection = connection
            with lock:
                connections.append(connection)
        try:
            status, body = get(connection, path)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            local.connection = None
            return f"{path}: {type(exc).__name__}: {exc}"
        return check(path, status, body)

    began = time.perf_counter()
    index_path = urlsplit(index_url).path
    first = connect(index_url)
    try:
        status, body = get(first, index_path)
    except (OSError, http.client.HTTPException) as exc:
        return time.perf_counter() - began, 0, [f"index: {type(exc).__name__}: {exc}"]
    finally:
        first.close()
    if error := check(index_path, status, body):
        return time.perf_counter() - began, 0, [error]
    resources = page_resources(index_url, body.decode())
    with concurrent.futures.ThreadPoolExecutor(PAGE_THREADS) as pool:
        for error in pool.map(fetch, resources, timeout=DEADLINE):
            if error:
                errors.append(error)
    elapsed = time.perf_counter() - began
    for connection in connections:
        connection.close()
    if not resources:
        errors.append("the index names no same-origin script or stylesheet")
    return elapsed, len(resources), errors


def run_page_loads(index_url: str) -> PageLoads:
    pages = PageLoads()
    stop_at = time.monotonic() + DEADLINE
    for _ in range(PAGE_LOADS):
        if time.monotonic() > stop_at:
            break
        elapsed, resources, errors = page_load(index_url)
        pages.times.append(elapsed)
        pages.resources = max(pages.resources, resources)
        pages.errors += errors
    return pages


def warm_up(base_url: str, clients: int) -> None:
    """The pages every first visit asks for, from all clients at once, then one page load."""
    warm = run_load(
        base_url,
        [
            urlsplit(base_url).path + p
            for p in ("", "_dash-layout", "_dash-dependencies")
        ],
        WARMUP,
        clients,
    )
    errors = warm.errors + page_load(base_url)[2]
    if errors:
        print(f"warm-up errors on {base_url}: {errors[:3]}", file=sys.stderr)


def measure(base_url: str, requests: int, clients: int) -> Figures:
    """The latency run and the page loads, against the app at *base_url*."""
    load = run_load(
        base_url, [urlsplit(base_url).path + "_dash-layout"], requests, clients
    )
    pages = run_page_loads(base_url)
    return Figures(load=load, pages=pages)


@contextlib.contextmanager
def served(command: list[str], log: Path) -> Iterator[tuple[str, int]]:
    """*command* serving the demo: its URL, from the ``Open <url>`` line it logs, and its pid."""
    with log.open("wb") as sink:
        # Its own session, so that whatever it leaves behind can be ended with it.
        process = subprocess.Popen(
            command,
            cwd=DEMO,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield announced_url(process, log), process.pid
    finally:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def announced_url(process: subprocess.Popen[bytes], log: Path) -> str:
    stop_at = time.monotonic() + DEADLINE
    text = ""
    while time.monotonic() < stop_at:
        text = log.read_text(errors="replace")
        if found := re.search(r"^Open (http://\S+)$", text, re.MULTILINE):
            return found[1]
        if process.poll() is not None:
            break
        time.sleep(0.1)
    msg = f"{process.args!r} did not start serving:\n{text[-2000:]}"
    raise RuntimeError(msg)


def worker_processes(pid: int) -> int:
    """How many of *pid*'s children are multiprocessing workers (Linux; 0 elsewhere)."""
    count = 0
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in children.read_text().split():
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    count += 1
    return count


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Machine: {cpu}, {len(os.sched_getaffinity(0))} CPUs; "
        f"Python {platform.python_version()}; {now}"
    )


def table(
    ours: Figures, theirs: Figures, requests: int, clients: int, workers: int
) -> str:
    def row(metric: str, a: float, b: float, fmt: str) -> str:
        ratio = f"{a / b:.2f}" if b else "n/a"
        return f"| {metric} | {a:{fmt}} | {b:{fmt}} | {ratio} |"

    def scores(f: Figures) -> dict[str, float]:
        done = len(f.load.latencies)
        return {
            "p50": percentile(f.load.latencies, 0.50) * 1000,
            "p99": percentile(f.load.latencies, 0.99) * 1000,
            "rps": done / f.load.elapsed if f.load.elapsed else math.nan,
            "done": done,
            "errors": len(f.load.errors),
            "page": (statistics.median(f.pages.times) * 1000)
            if f.pages.times
            else math.nan,
            "loads": len(f.pages.times),
            "resources": f.pages.resources,
            "page_errors": len(f.pages.errors),
        }

    a, b = scores(ours), scores(theirs)
    lines = [
        "| metric | lambdash serve | Werkzeug | ratio (lambdash/Werkzeug) |",
        "|---|---:|---:|---:|",
        row("`_dash-layout` p50 latency (ms)", a["p50"], b["p50"], ".2f"),
        row("`_dash-layout` p99 latency (ms)", a["p99"], b["p99"], ".2f"),
        row("`_dash-layout` throughput (req/s)", a["rps"], b["rps"], ".0f"),
        row(f"requests completed (of {requests})", a["done"], b["done"], ".0f"),
        row("request errors", a["errors"], b["errors"], ".0f"),
        row("full page load, median (ms)", a["page"], b["page"], ".1f"),
        row(f"page loads completed (of {PAGE_LOADS})", a["loads"], b["loads"], ".0f"),
        row("same-origin resources per page", a["resources"], b["resources"], ".0f"),
        row("page-load errors", a["page_errors"], b["page_errors"], ".0f"),
    ]
    return "\n".join(
        [
            f"`_dash-layout`: {requests} GETs from {clients} keep-alive clients; page load: "
            f"index + same-origin scripts/stylesheets, {PAGE_THREADS} threads; "
            f"lambdash: `lambdash serve --workers {WORKERS}` (the demo's REST API), "
            f"{workers} workers warm; each server in its own process.",
            "",
            *lines,
            "",
            machine(),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description="lambdash serve versus Werkzeug on the demo Dash app."
    )
    parser.add_argument("--requests", type=int, default=1_000, metavar="N")
    parser.add_argument("--clients", type=int, default=10, metavar="C")
    args = parser.parse_args()
    requests: int = max(1, args.requests)
    clients: int = max(1, args.clients)

    with tempfile.TemporaryDirectory() as logs:
        with served(LAMBDASH, Path(logs, "lambdash.log")) as (url, pid):
            warm_up(url, clients)
            workers = worker_processes(pid)
            ours = measure(url, requests, clients)
        with served(WERKZEUG, Path(logs, "werkzeug.log")) as (url, _):
            warm_up(url, clients)
            theirs = measure(url, requests, clients)

    print(table(ours, theirs, requests, clients, workers))
    failed = False
    for name, figures in (("lambdash serve", ours), ("Werkzeug", theirs)):
        errors = figures.load.errors + figures.pages.errors
        if errors:
            failed = True
            print(f"\n{name}: {len(errors)} errors, first ones:", file=sys.stderr)
            for error in errors[:5]:
                print(f"  {error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
