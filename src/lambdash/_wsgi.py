"""Calling a WSGI app (PEP 3333) with a :class:`Request` and collecting its :class:`Response`."""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING
from typing import Any

from lambdash._message import Request
from lambdash._message import Response
from lambdash._types import ENVIRON_CONTEXT
from lambdash._types import ENVIRON_EVENT
from lambdash.exceptions import AppProtocolError

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication
    from wsgiref.types import WSGIEnvironment

__all__ = ["call_wsgi", "environ_for"]


# Header name to environ key, filled as names arrive; "" means "leave out". Content-Length is
# computed from the body instead, and Content-Type has no HTTP_ prefix (PEP 3333).
_ENVIRON_KEYS: dict[str, str] = {"content-length": "", "content-type": "CONTENT_TYPE"}


def environ_for(request: Request) -> WSGIEnvironment:
    """The PEP 3333 environ for *request*."""
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": request.script_name,
        "PATH_INFO": request.path,
        "QUERY_STRING": request.query_string,
        "SERVER_NAME": request.server_name,
        "SERVER_PORT": str(request.server_port),
        "SERVER_PROTOCOL": request.protocol,
        "REMOTE_ADDR": request.remote_addr,
        # API Gateway leaves Content-Length out of REST events (LS-TEST snapshot), so it is
        # always computed from the decoded body.
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": request.scheme,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        ENVIRON_EVENT: request.event,
        ENVIRON_CONTEXT: request.context,
    }
    keys = _ENVIRON_KEYS
    for name, value in request.headers:
        key = keys.get(name)
        if key is None:
            key = "HTTP_" + name.upper().replace("-", "_")
            if len(keys) < 512:  # clients choose header names: the cache is bounded
                keys[name] = key
        elif not key:
            continue
        if key in environ:
            environ[key] += ("; " if key == "HTTP_COOKIE" else ", ") + value
        else:
            environ[key] = value
    return environ


def _status_code(status: Any) -> int:
    if (
        isinstance(status, str)
        and len(status) >= 3
        and status[:3].isascii()
        and status[:3].isdigit()
        and status[0] != "0"
        and status[3:4] == " "
    ):
        return int(status[:3])
    msg = f"the WSGI app passed an invalid status {status!r} to start_response; use a string such as '200 OK'"
    raise AppProtocolError(msg)


def _check_headers(headers: Any) -> list[tuple[str, str]]:
    if not isinstance(headers, list) or not all(
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], str)
        for item in headers
    ):
        msg = f"the WSGI app passed invalid response headers {headers!r}; use a list of (name, value) string tuples"
        raise AppProtocolError(msg)
    return headers


def call_wsgi(app: WSGIApplication, request: Request) -> Response:
    """Run *app* once for *request* and buffer the whole response.

    Headers count as sent once the app calls ``write()`` or yields its first non-empty chunk,
    so ``start_response`` with ``exc_info`` re-raises from then on, as PEP 3333 requires.
    """
    status: int | None = None
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    sent = False

    def append(data: object, *, written: bool) -> None:
        nonlocal sent
        if not isinstance(data, bytes):
            msg = f"the WSGI app produced {type(data).__name__} body data; PEP 3333 requires bytes"
            raise AppProtocolError(msg)
        if not data and not written:
            return
        if status is None:
            msg = "the WSGI app produced body data before calling start_response"
            raise AppProtocolError(msg)
        sent = True
        chunks.append(data)

    def write(data: object) -> None:
        append(data, written=True)

    def start_response(
        raw_status: str,
        raw_headers: list[tuple[str, str]],
        exc_info: Any = None,
    ) -> Any:
        nonlocal status, headers
        if exc_info is not None:
            if sent:
                raise exc_info[1].with_traceback(exc_info[2])
        elif status is not None:
            msg = "the WSGI app called start_response twice without exc_info"
            raise AppProtocolError(msg)
        status = _status_code(raw_status)
        headers = _check_headers(raw_headers)
        return write

    iterable = app(environ_for(request), start_response)
    try:
        for chunk in iterable:
            append(chunk, written=False)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    if status is None:
        msg = "the WSGI app returned without calling start_response"
        raise AppProtocolError(msg)
    return Response(status=status, headers=headers, body=b"".join(chunks))
