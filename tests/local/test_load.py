"""A bounded load test: the demo Dash app through the local REST gateway on loopback.

2,000 requests from 20 keep-alive clients, mixing what a browser asks for. Every answer must be a
200 with a body; latency and throughput are measured and reported, never asserted (``-s`` shows
the ``load:`` line, and ``record_property`` puts the figures in the test report and JUnit XML).
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import math
import re
import statistics
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lambdash.local import GatewayConfig
from lambdash.local import RunningGateway
from lambdash.local import Target
from lambdash.local import running_gateway

DEMO = Path(__file__).resolve().parents[2] / "examples" / "dash_app"
REQUESTS = 2_000
CLIENTS = 20
DEADLINE = 120.0  # seconds, warm-up included: the run stops then, whatever it has done
HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate, br",
    "User-Agent": "lambdash-load-test",
}


@pytest.fixture
def record_figure(request: pytest.FixtureRequest) -> Callable[[str, object], None]:
    """``record_property``, unless JUnit XML is being written as xunit2 (pytest's default family).

    ``record_property`` is incompatible with xunit2 and warns (an error here); the figures then
    go to ``record_testsuite_property``, which xunit2 allows.
    """
    family = request.config.getini("junit_family")
    if request.config.getoption("xmlpath", None) and family not in ("xunit1", "legacy"):
        record: Callable[[str, object], None] = request.getfixturevalue(
            "record_testsuite_property"
        )
    else:
        record = request.getfixturevalue("record_property")
    return record


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningGateway]:
    config = GatewayConfig(gateway="rest", binary_media_types=("*/*",), workers=4)
    with running_gateway(Target(spec="app:app", code_dir=str(DEMO)), config) as gw:
        yield gw


def fetch(gw: RunningGateway, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    url = urlsplit(gw.url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def request_mix(gw: RunningGateway) -> list[str]:
    """Index, layout, dependencies, a component-suite script named by the index, the favicon."""
    prefix = urlsplit(gw.url).path  # /Prod/
    # No Accept-Encoding: the index comes back uncompressed, to be read.
    status, body = fetch(gw, prefix, {"Accept": "text/html"})
    assert status == 200
    index = body.decode()
    scripts = re.findall(r'<script src="([^"]+_dash-component-suites[^"]+)"', index)
    favicons = re.findall(r'<link rel="icon" type="[^"]+" href="([^"]+)"', index)
    assert scripts, "the index names no component-suite script"
    assert favicons, "the index names no favicon"
    return [
        prefix,
        prefix + "_dash-layout",
        prefix + "_dash-dependencies",
        scripts[0],
        favicons[0],
    ]


@dataclasses.dataclass
class Results:
    latencies: list[float] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def client(
    gw: RunningGateway,
    paths: list[str],
    take: Callable[[], int | None],
    results: Results,
) -> None:
    """One keep-alive connection; reconnects after an error, records every outcome."""
    url = urlsplit(gw.url)
    connection: http.client.HTTPConnection | None = None
    try:
        while (number := take()) is not None:
            path = paths[number % len(paths)]
            if connection is None:
                connection = http.client.HTTPConnection(
                    url.hostname or "", url.port, timeout=60
                )
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=HEADERS)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                error = f"{path}: {type(exc).__name__}: {exc}"
                connection.close()
                connection = None
            else:
                error = ""
                if response.status != 200:
                    error = f"{path}: status {response.status}: {body[:200]!r}"
                elif not body:
                    error = f"{path}: empty body"
            elapsed = time.perf_counter() - began
            with results.lock:
                results.latencies.append(elapsed)
                if error:
                    results.errors.append(error)
    except BaseException as exc:  # a thread must not die silently
        with results.lock:
            results.errors.append(f"client crashed: {type(exc).__name__}: {exc}")
    finally:
        if connection is not None:
            connection.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run(
    gw: RunningGateway, paths: list[str], *, total: int, deadline: float
) -> tuple[Results, float]:
    """*total* requests from CLIENTS threads, stopping early at *deadline* (``time.monotonic``).

    Returns the outcomes and the wall time.
    """
    counter = itertools.count()
    lock = threading.Lock()

    def take() -> int | None:
        """The next request number, or ``None`` when the count or the time is used up."""
        with lock:
            number = next(counter)
        if number >= total or time.monotonic() >= deadline:
            return None
        return number

    results = Results()
    threads = [
        threading.Thread(
            target=client, args=(gw, paths, take, results), name=f"load-{i}"
        )
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        # Each request is bounded by its socket timeout, so this ends; the cap is a backstop.
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 120)
    elapsed = time.perf_counter() - started
    assert not any(thread.is_alive() for thread in threads)
    return results, elapsed


def test_demo_under_load(
    demo: RunningGateway, record_figure: Callable[[str, object], None]
) -> None:
    paths = request_mix(demo)
    # Warm up first, unmeasured: the pool starts its workers on demand (cold starts).
    deadline = time.monotonic() + DEADLINE
    warm_up, _ = run(demo, paths, total=2 * CLIENTS, deadline=deadline)
    assert warm_up.errors == []
    results, elapsed = run(demo, paths, total=REQUESTS, deadline=deadline)

    done = len(results.latencies)
    assert done > 0, f"no request finished before the {DEADLINE:g} s cap"
    ordered = sorted(results.latencies)
    p50 = percentile(ordered, 0.50) * 1000
    p99 = percentile(ordered, 0.99) * 1000
    mean = statistics.fmean(ordered) * 1000
    throughput = done / elapsed
    figures: dict[str, object] = {
        "requests": done,
        "clients": CLIENTS,
        "errors": len(results.errors),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "mean_ms": round(mean, 2),
        "throughput_rps": round(throughput, 1),
        "elapsed_s": round(elapsed, 2),
        "stopped_by_deadline": done < REQUESTS,
    }
    for name, value in figures.items():
        record_figure(f"load_{name}", value)
    print("load: " + " ".join(f"{name}={value}" for name, value in figures.items()))

    assert results.errors == []
    # Fewer than REQUESTS only when the time cap stopped the run: reported, not a failure.
    assert done <= REQUESTS


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.50, 50.0), (0.99, 99.0), (1.0, 100.0), (0.0, 1.0)],
)
def test_percentile_is_nearest_rank(fraction: float, expected: float) -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, fraction) == expected
