"""Instructions per invocation, counted by valgrind: the adapter comparison without the noise.

Run from the repository root::

    .venv-bench/bin/python benchmarks/instructions.py [--invocations 2000]

Wall-clock medians on a shared 2-core VM drift by 2x between runs (benchmarks/adapters.py
interleaves its rounds to cancel most of it). An instruction count does not drift: each cell is
the count of a process that makes N invocations minus one that makes none, divided by N, so
interpreter start-up and imports cancel out. The app is the raw WSGI app of adapters.py that
answers 20 bytes of text/plain, behind the same REST v1, HTTP v2 and ALB events (tests/events.py,
eight request headers), and again with the ten CloudFront headers a browser's request through an
edge-optimised API carries on top. A last set of rows runs adapters.py's minimal Flask app
behind the 8-header events, where the wall clock is too noisy to tell a few per cent. Needs
``valgrind`` on PATH; prints a note and exits 0 without it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

EVENTS = {"REST v1": "rest", "HTTP v2": "v2", "ALB": "alb"}
# Which adapters answer which events correctly (benchmarks/adapters.py checks the bytes):
# aws-wsgi has no payload 2.0 support; apig-wsgi needs binary_support=True for nothing here.
ADAPTERS = {
    "lambdash": ("rest", "v2", "alb"),
    "aws-wsgi": ("rest", "alb"),
    "apig-wsgi": ("rest", "v2", "alb"),
}
HEADERS = [
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Accept-Language", "en-GB,en;q=0.9"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) lambdash-bench/1.0"),
]
# What a browser's request through CloudFront carries on top: AWS's sample REST events have 17
# to 19 headers (aws-lambda-go apigw-request.json, aws-sam-cli apigateway_AwsProxy.json).
CLOUDFRONT_HEADERS = [
    ("Cache-Control", "no-cache"),
    ("CloudFront-Forwarded-Proto", "https"),
    ("CloudFront-Is-Desktop-Viewer", "true"),
    ("CloudFront-Is-Mobile-Viewer", "false"),
    ("CloudFront-Is-SmartTV-Viewer", "false"),
    ("CloudFront-Is-Tablet-Viewer", "false"),
    ("CloudFront-Viewer-Country", "GB"),
    ("Via", "2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)"),
    ("X-Amz-Cf-Id", "pn-PWIJc6thYnZm5P0NMgOUglL1DYtl0gdeJky8tqsg8iS_sgsKD1A=="),
    ("X-Amzn-Trace-Id", "Root=1-5e66d96f-7491f09xmpl79d18acf3d050"),
]
BODY = b"Hello from lambdash!"


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "20")])
    return [BODY]


def _flask_app() -> Any:
    from flask import Flask

    app = Flask("bench")

    @app.get("/hello")
    def hello() -> str:
        return "Hello, World!"

    return app


def child(
    adapter: str, event_kind: str, invocations: int, *, many: bool, flask: bool
) -> None:
    """Make *invocations* calls after a warm-up; what valgrind counts."""
    sys.path.insert(0, str(ROOT))
    from tests.events import alb_event
    from tests.events import http_v2_event
    from tests.events import rest_event

    factories: dict[str, Callable[..., dict[str, Any]]] = {
        "rest": rest_event,
        "v2": http_v2_event,
        "alb": alb_event,
    }
    headers = HEADERS + CLOUDFRONT_HEADERS if many else HEADERS
    event = factories[event_kind](path="/hello", headers=headers)
    app = _flask_app() if flask else _app
    expected = b"Hello, World!" if flask else BODY
    handler: Callable[[dict[str, Any], Any], Any]
    if adapter == "lambdash":
        from lambdash import make_handler

        handler = make_handler(app)
    elif adapter == "aws-wsgi":
        import awsgi  # type: ignore[import-untyped]

        def handler(event: dict[str, Any], context: Any) -> Any:
            return awsgi.response(
                app, event, context, base64_content_types={"image/png"}
            )

    else:
        import apig_wsgi

        handler = apig_wsgi.make_lambda_handler(app, binary_support=True)

    class Context:
        aws_request_id = "bench"

    context = Context()
    for _ in range(50):
        result = handler(event, context)
    assert result["body"] == expected.decode(), result
    for _ in range(invocations):
        handler(event, context)


def valgrind_missing() -> bool:
    """Whether valgrind is missing, which it then says; the counts need it on PATH."""
    if shutil.which("valgrind") is None:
        print(
            "valgrind is not installed: no instruction counts (apt-get install valgrind)"
        )
        return True
    return False


def valgrind_count(script: str, child_args: list[str]) -> int:
    """Instructions valgrind counts for ``python script --child *child_args``."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            script,
            "--child",
            *child_args,
        ],
        capture_output=True,
        text=True,
        check=True,
        # String hashes decide dict collisions: a fixed seed makes the count the same each run.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        msg = f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return int(found.group(1))


def count_per_invocation(
    script: str, args_for: Callable[[int], list[str]], invocations: int
) -> float:
    """A child making *invocations* calls, less one making none, per call: start-up cancels out."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        base = pool.submit(valgrind_count, script, args_for(0))
        loaded = pool.submit(valgrind_count, script, args_for(invocations))
        return (loaded.result() - base.result()) / invocations


def per_invocation(
    adapter: str, event_kind: str, invocations: int, *, many: bool, flask: bool
) -> float:
    def args_for(n: int) -> list[str]:
        return [
            adapter,
            event_kind,
            str(n),
            "many" if many else "few",
            "flask" if flask else "raw",
        ]

    return count_per_invocation(__file__, args_for, invocations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        adapter, event_kind, invocations, headers, app = args.child
        child(
            adapter,
            event_kind,
            int(invocations),
            many=headers == "many",
            flask=app == "flask",
        )
        return 0
    if valgrind_missing():
        return 0
    print(
        f"# Instructions per invocation, {args.invocations:,} "
        f"invocations (valgrind callgrind, CPython {sys.version.split()[0]})"
    )
    print()
    print(
        "| app | event | request headers | lambdash | aws-wsgi | apig-wsgi "
        "| lambdash / fastest peer |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for many, flask in ((False, False), (True, False), (False, True)):
        count_of_headers = len(HEADERS) + 4 + (len(CLOUDFRONT_HEADERS) if many else 0)
        app_name = "Flask minimal" if flask else "WSGI 20 B text/plain"
        for name, kind in EVENTS.items():
            cells: dict[str, float] = {}
            for adapter, kinds in ADAPTERS.items():
                if kind in kinds:
                    cells[adapter] = per_invocation(
                        adapter, kind, args.invocations, many=many, flask=flask
                    )
            peers = [v for k, v in cells.items() if k != "lambdash"]
            row = [f"{cells[a]:,.0f}" if a in cells else "no support" for a in ADAPTERS]
            ratio = cells["lambdash"] / min(peers)
            print(
                f"| {app_name} | {name} | {count_of_headers} | {' | '.join(row)} "
                f"| {ratio:.2f}x |"
            )
    print()
    print(
        "aws-wsgi raises KeyError 'httpMethod' on payload 2.0 events; apig-wsgi runs with "
        "binary_support=True."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
