"""Where lambdash's time goes: cProfile over N invocations of the 20-byte text case.

Run from the repository root::

    .venv-bench/bin/python benchmarks/profile_adapter.py [-n 20000] [--event rest|v2|alb]
        [--app text|json|flask|fastapi] [--top 25]

The defaults profile the raw WSGI app that answers 20 bytes of text/plain, on a REST v1 event.
The apps, events and context are the ones ``benchmarks/adapters.py`` times. The handler is
warmed up first, so per-process caches are filled as they are on a warm Lambda.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import logging
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adapters import CASES
from adapters import EVENTS
from adapters import Context

from lambdash import make_handler

EVENT_NAMES = {"rest": "REST v1", "v2": "HTTP v2", "alb": "ALB"}
APPS = {"text": CASES[0], "json": CASES[1], "flask": CASES[3], "fastapi": CASES[4]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000, help="invocations to profile")
    parser.add_argument("--event", choices=sorted(EVENT_NAMES), default="rest")
    parser.add_argument("--app", choices=list(APPS), default="text")
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)

    case = APPS[args.app]
    handler = make_handler(case.wsgi if case.wsgi is not None else case.asgi)
    event = copy.deepcopy(EVENTS[EVENT_NAMES[args.event]])
    context = Context()
    result = handler(event, context)
    assert result["statusCode"] == 200, result
    for _ in range(1000):
        handler(event, context)

    start = time.perf_counter_ns()
    for _ in range(args.n):
        handler(event, context)
    plain_us = (time.perf_counter_ns() - start) / args.n / 1000

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        handler(event, context)
    profile.disable()

    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    print(
        f"# lambdash, {case.name}, {EVENT_NAMES[args.event]} event, "
        f"{args.n:,} invocations"
    )
    print(f"# unprofiled: {plain_us:.1f} µs per invocation")
    print(f"# Python {sys.version.split()[0]}")
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(15)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
