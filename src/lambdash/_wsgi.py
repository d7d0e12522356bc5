"""Calling a WSGI app (PEP 3333) with a :class:`Request` and collecting its :class:`Response`."""

from __future__ import annotations

import io
import sys

from lambdash._message import Request
from lambdash._message import Response
from lambdash._message import new_tuple
from lambdash._message import remember
from lambdash._types import ENVIRON_CONTEXT
from lambdash._types import ENVIRON_EVENT
from lambdash.exceptions import AppProtocolError

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from typing import Any
    from typing import NoReturn
    from wsgiref.types import WSGIApplication
    from wsgiref.types import WSGIEnvironment

__all__ = ["call_wsgi", "environ_for"]


# Lower-case header name to environ key, filled as names arrive. Content-Type has no HTTP_
# prefix, and neither has Content-Length, which environ_for then computes from the body (PEP 3333).
# Those two seed entries must always be there: without them Content-Type would become
# HTTP_CONTENT_TYPE.
_ENVIRON_KEY_SEEDS = {
    "content-length": "CONTENT_LENGTH",
    "content-type": "CONTENT_TYPE",
}
_ENVIRON_KEYS: dict[str, str] = dict(_ENVIRON_KEY_SEEDS)
# Clients choose header names, so the cache is bounded: when full it is emptied, seeded again,
# and fills with the names now arriving.
_ENVIRON_KEYS_LIMIT = 512


# Every key an environ has before the request headers go in (PEP 3333), but CONTENT_LENGTH,
# which comes last. The values that do not change are set here; environ_for sets the rest.
_TEMPLATE: WSGIEnvironment = {
    "REQUEST_METHOD": "",
    "SCRIPT_NAME": "",
    "PATH_INFO": "",
    "QUERY_STRING": "",
    "SERVER_NAME": "",
    "SERVER_PORT": "",
    "SERVER_PROTOCOL": "",
    "REMOTE_ADDR": "",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "",
    "wsgi.input": None,
    "wsgi.errors": None,
    "wsgi.input_terminated": True,
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    ENVIRON_EVENT: None,
    ENVIRON_CONTEXT: None,
}
_TEMPLATE_SIZE = len(_TEMPLATE)


def _with_room(template: WSGIEnvironment) -> WSGIEnvironment:
    """*template* in a dict whose copies take twenty more keys before they grow.

    A copy of a dict keeps its hash table's size (dict_copy's fast path, Objects/dictobject.c),
    and a table of 32 slots holds 21 keys: an environ copied from the bare template grows once,
    rehashing every key, as soon as a request brings three headers (CONTENT_LENGTH is always
    added). Four placeholder keys take the table to 64 slots (room for 42) before they are
    deleted; copies keep that room, less the four slots the placeholders used. With more
    placeholders than half the keys, copies would take the slow path instead.
    """
    roomy = dict(template)
    placeholders = [f"lambdash.placeholder.{index}" for index in range(4)]
    for key in placeholders:
        roomy[key] = None
    for key in placeholders:
        del roomy[key]
    return roomy


_TEMPLATE = _with_room(_TEMPLATE)
# The ports nearly every request names: a lookup costs less than str().
_PORTS = {443: "443", 80: "80"}


def _environ_key(name: str) -> str:
    key = _ENVIRON_KEYS.get(name)
    if key is None:
        key = "HTTP_" + name.upper().replace("-", "_")
        if len(_ENVIRON_KEYS) >= _ENVIRON_KEYS_LIMIT:
            _ENVIRON_KEYS.clear()
            _ENVIRON_KEYS.update(_ENVIRON_KEY_SEEDS)
        _ENVIRON_KEYS[name] = key
    return key


def environ_for(request: Request) -> WSGIEnvironment:
    """The PEP 3333 environ for *request*."""
    # One unpacking costs less than fourteen attribute reads, and copying a template less than
    # building the dict key by key.
    (
        method,
        script_name,
        path,
        query_string,
        headers,
        body,
        scheme,
        server_name,
        server_port,
        protocol,
        remote_addr,
        remote_user,
        event,
        context,
    ) = request
    environ = _TEMPLATE.copy()
    environ["REQUEST_METHOD"] = method
    environ["SCRIPT_NAME"] = script_name
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = query_string
    environ["SERVER_NAME"] = server_name
    try:
        environ["SERVER_PORT"] = _PORTS[server_port]
    except KeyError:
        environ["SERVER_PORT"] = str(server_port)
    environ["SERVER_PROTOCOL"] = protocol
    environ["REMOTE_ADDR"] = remote_addr
    environ["wsgi.url_scheme"] = scheme
    environ["wsgi.input"] = io.BytesIO(body)
    # Read each time: test runners and log shippers replace sys.stderr after import.
    environ["wsgi.errors"] = sys.stderr
    environ[ENVIRON_EVENT] = event
    environ[ENVIRON_CONTEXT] = context
    # A loop costs less than environ.update(zip(map(...))), whose map, zip and iterator objects
    # cost more than the usual dozen headers, and subscripts in a try less than get() and a test
    # of the answer (benchmarks/instructions.py). A name not seen before ends the fast loop, and
    # the careful one makes and caches the keys.
    keys = _ENVIRON_KEYS
    try:
        for name, value in headers.items():
            environ[keys[name]] = value
    except KeyError:
        for name, value in headers.items():
            environ[_environ_key(name)] = value
    if len(environ) != _TEMPLATE_SIZE + len(headers):
        # Names such as "x-a" and "x_a" share a key; their values are joined, as for a repeat.
        for key in {_environ_key(name) for name in headers}:
            environ.pop(key, None)
        for name, value in headers.items():
            key = _environ_key(name)
            environ[key] = environ[key] + ", " + value if key in environ else value
    # API Gateway leaves Content-Length out of REST events (LS-TEST snapshot), so it is always
    # computed from the decoded body, over any header.
    environ["CONTENT_LENGTH"] = str(len(body)) if body else "0"
    if remote_user is not None:
        environ["REMOTE_USER"] = remote_user
    return environ


# Status lines the app has used, and their codes: most apps use a handful, so start_response
# looks the line up before it parses it. Apps choose the lines, so the cache is bounded: when
# full it is emptied and fills again with the lines now used.
_STATUS_CODES: dict[str, int] = {}
_STATUS_CODES_LIMIT = 256


def _status_code(status: Any) -> int:
    if (
        isinstance(status, str)
        and len(status) >= 3
        and status[:3].isascii()
        and status[:3].isdigit()
        and status[0] != "0"
        and status[3:4] == " "
    ):
        code = int(status[:3])
        remember(_STATUS_CODES, _STATUS_CODES_LIMIT, status, code)
        return code
    msg = f"the WSGI app passed an invalid status {status!r} to start_response; use a string such as '200 OK'"
    raise AppProtocolError(msg)


def _invalid_headers(headers: object) -> NoReturn:
    msg = f"the WSGI app passed invalid response headers {headers!r}; use a list of (name, value) string tuples"
    raise AppProtocolError(msg)


def _checked_chunk(data: object, status: int | None, *, written: bool) -> bytes:
    """*data* if PEP 3333 allows it as body data here, or :class:`AppProtocolError`."""
    if not isinstance(data, bytes):
        msg = f"the WSGI app produced {type(data).__name__} body data; PEP 3333 requires bytes"
        raise AppProtocolError(msg)
    if status is None and (data or written):
        msg = "the WSGI app produced body data before calling start_response"
        raise AppProtocolError(msg)
    return data


def call_wsgi(app: WSGIApplication, request: Request) -> Response:
    """Run *app* once for *request* and buffer the whole response.

    Headers count as sent once the app calls ``write()`` or yields its first non-empty chunk,
    so ``start_response`` with ``exc_info`` re-raises from then on, as PEP 3333 requires.
    """
    status: int | None = None
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    sent = False

    def write(data: object) -> None:
        nonlocal sent
        if type(data) is not bytes or status is None:
            data = _checked_chunk(data, status, written=True)
        sent = True
        chunks.append(data)

    def start_response(
        raw_status: str,
        raw_headers: Any,  # checked below: apps pass what they like
        exc_info: Any = None,
    ) -> Any:
        nonlocal status, headers
        if exc_info is not None:
            if sent:
                raise exc_info[1].with_traceback(exc_info[2])
        elif status is not None:
            msg = "the WSGI app called start_response twice without exc_info"
            raise AppProtocolError(msg)
        try:
            status = _STATUS_CODES[raw_status]
        except (KeyError, TypeError):  # TypeError: an unhashable status, refused there
            status = _status_code(raw_status)
        # Checked here rather than in a helper: a call would cost more than the loop.
        if not isinstance(raw_headers, list):
            _invalid_headers(raw_headers)
        for item in raw_headers:
            if not (
                isinstance(item, tuple)
                and len(item) == 2
                and isinstance(item[0], str)
                and isinstance(item[1], str)
            ):
                _invalid_headers(raw_headers)
        headers = raw_headers
        return write

    iterable = app(environ_for(request), start_response)
    try:
        for chunk in iterable:
            if type(chunk) is not bytes or status is None:
                chunk = _checked_chunk(chunk, status, written=False)
            if chunk:
                sent = True
                chunks.append(chunk)
    finally:
        # A list, what most apps return, has no close(); asking for it would raise and catch
        # an AttributeError on every invocation.
        close = None if type(iterable) is list else getattr(iterable, "close", None)
        if close is not None:
            close()
    if status is None:
        msg = "the WSGI app returned without calling start_response"
        raise AppProtocolError(msg)
    return new_tuple(Response, (status, headers, b"".join(chunks)))
