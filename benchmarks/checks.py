"""What lambdash's checks cost behind REST: instructions per invocation, taking them out one by one.

Run from the repository root::

    .venv-bench/bin/python benchmarks/checks.py [--invocations 2000]

benchmarks/instructions.py finds lambdash behind aws-wsgi on the 8-header REST event. This
script says where that difference goes. It counts, under valgrind as instructions.py does, the
same REST invocation with lambdash's own checks taken out cumulatively, each by replacing one
function in the child process:

1. stage detection: the path is taken as it is, with no stage or base path split off;
2. event checks: the fields are read with subscripts, with no type check and no message;
3. app-protocol checks: start_response takes the status line and header list on trust, and
   the body chunks are joined unchecked (PEP 3333's rules are not enforced);
4. format detection: every event is taken for a REST event;
5. response checks: no hop-by-hop header dropped, no size guard, no Set-Cookie count and no
   BinaryMediaTypes warning.

What is left parses, builds the environ, calls the app and writes a result, as aws-wsgi does.
The stripped versions are for this measurement only; none is correct on every event.

A last row keeps every check and drops the design's split instead: benchmarks/_fused.py, a
prototype that turns the REST event straight into the environ, without lambdash's Request
between the event format and WSGI (its result is checked equal to lambdash's here).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from instructions import BODY  # noqa: E402
from instructions import HEADERS  # noqa: E402
from instructions import _app  # noqa: E402
from instructions import count_per_invocation  # noqa: E402
from instructions import valgrind_missing  # noqa: E402

STEPS = [
    "lambdash as shipped",
    "without stage detection",
    "and without event checks",
    "and without app-protocol checks",
    "and without format detection",
    "and without response checks",
]


def _strip(level: int) -> None:
    """Take out the first *level* checks of STEPS, in this process."""
    from lambdash import _handler
    from lambdash import _wsgi
    from lambdash._formats import REST_V1
    from lambdash._formats import apigw_v1
    from lambdash._formats._common import make_request
    from lambdash._formats._common import multi_headers
    from lambdash._message import Request
    from lambdash._message import Response
    from lambdash._message import encode_body
    from lambdash._message import new_tuple

    if level >= 1:

        def no_split(*args: Any) -> tuple[str, str]:
            return "", args[2]

        apigw_v1._split_path = no_split
    if level >= 2:

        def parse(event: dict[str, Any], context: Any, *, base_path: Any) -> Request:
            info = event["requestContext"]
            return make_request(
                event,
                context,
                apigw_v1.SOURCE,
                method=event["httpMethod"],
                script_raw="",
                path_raw=event["path"],
                query_string="",
                headers=multi_headers(event["multiValueHeaders"], apigw_v1.SOURCE),
                protocol=info["protocol"],
                remote_addr=info["identity"]["sourceIp"],
                remote_user=None,
            )

        REST_V1.parse = parse
    if level >= 3:

        def call_wsgi(app: Any, request: Request) -> Response:
            started: list[Any] = []
            chunks: list[bytes] = []

            def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
                started[:] = [int(status[:3]), headers]
                return chunks.append

            iterable = app(_wsgi.environ_for(request), start_response)
            chunks.extend(iterable)
            return new_tuple(Response, (*started, b"".join(chunks)))

        _handler.call_wsgi = call_wsgi  # type: ignore[assignment]
    if level >= 4:
        _handler.detect = lambda event: REST_V1
    if level >= 5:

        def finish(
            fmt: Any,
            request: Request,
            response: Response,
            text: Any,
            binary: Any,
            *_: Any,
        ) -> dict[str, Any]:
            status, headers, body = response
            content_type = None
            for name, value in headers:
                if name == "Content-Type":
                    content_type = value
            body_text, is_base64 = encode_body(
                content_type=content_type,
                content_encoding=None,
                body=body,
                text_types=text,
                binary_types=binary,
            )
            return fmt.render(
                status,
                headers,
                body=body_text,
                is_base64=is_base64,
                request=request,
                set_cookies=0,
            )

        _handler._finish = finish


FUSED = -1


def child(level: int, invocations: int) -> None:
    """Make *invocations* REST calls after a warm-up, with *level* checks taken out.

    *level* FUSED runs the prototype of benchmarks/_fused.py instead.
    """
    sys.path.insert(0, str(ROOT))
    from tests.events import rest_event

    from lambdash import make_handler

    class Context:
        aws_request_id = "bench"

    context = Context()
    event = rest_event(path="/hello", headers=HEADERS)
    if level == FUSED:
        from _fused import make_fused_handler

        handler = make_fused_handler(_app)
        for _ in range(50):
            result = handler(event, context)
        assert result == make_handler(_app)(event, context), result
    else:
        _strip(level)
        handler = make_handler(_app)
        for _ in range(50):
            result = handler(event, context)
    assert result["body"] == BODY.decode(), result
    for _ in range(invocations):
        handler(event, context)


def per_invocation(level: int, invocations: int) -> float:
    return count_per_invocation(__file__, lambda n: [str(level), str(n)], invocations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if valgrind_missing():
        return 0
    print(
        f"# What lambdash's checks cost behind REST, 8 request headers, {args.invocations:,} "
        f"invocations (valgrind callgrind, CPython {sys.version.split()[0]})"
    )
    print()
    print("| lambdash | instructions | taken out by this step |")
    print("| --- | ---: | ---: |")
    previous = None
    for level, step in enumerate(STEPS):
        cells = per_invocation(level, args.invocations)
        saved = "" if previous is None else f"{previous - cells:,.0f}"
        print(f"| {step} | {cells:,.0f} | {saved} |")
        previous = cells
    fused = per_invocation(FUSED, args.invocations)
    print(
        f"| prototype: every check, the environ straight from the event | {fused:,.0f} | |"
    )
    print()
    print(
        "Each step keeps the ones above it. benchmarks/instructions.py counts aws-wsgi on the "
        "same event; the prototype is benchmarks/_fused.py."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
